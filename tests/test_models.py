import pytest

from labs import models


def test_parse_layers():
    assert models.parse_layers("784-500-500-10") == [784, 500, 500, 10]
    assert models.parse_layers([2, 2, 1]) == [2, 2, 1]
    with pytest.raises(ValueError, match="784-500-500-10"):
        models.parse_layers("784x10")
    with pytest.raises(ValueError, match="input and an output"):
        models.parse_layers("784")


def test_mlp_spec():
    assert models.mlp_spec(2) == "784-500-500-10"
    assert models.mlp_spec(0, inputs=2, outputs=1) == "2-1"


def test_build_mlp_shapes_and_parameters():
    model = models.build_mlp("784-500-500-10", "sigmoid")
    assert model.output_shape == (None, 10)
    assert model.count_params() == 784 * 500 + 500 + 500 * 500 + 500 + 500 * 10 + 10
    assert [layer.name for layer in model.layers] == ["hidden1", "hidden2", "output"]


def test_build_mlp_options():
    before = models.build_mlp("4-3-2", "relu", batch_norm="before", dropout=0.5)
    assert [type(layer).__name__ for layer in before.layers] == [
        "Dense", "BatchNormalization", "Activation", "Dropout", "Dense"]
    after = models.build_mlp("4-3-2", "relu", batch_norm="after")
    assert [type(layer).__name__ for layer in after.layers] == ["Dense", "BatchNormalization", "Dense"]


def test_build_mlp_validates():
    with pytest.raises(ValueError, match="batch_norm must be one of"):
        models.build_mlp("4-3-2", batch_norm="middle")
    with pytest.raises(ValueError, match="fraction of units dropped"):
        models.build_mlp("4-3-2", dropout=1.5)
    with pytest.raises(ValueError, match="not a Keras activation"):
        models.build_mlp("4-3-2", activation="sigmoidal")


def test_mlp_parameters():
    assert models.mlp_parameters("784-500-500-10") == 784 * 500 + 500 + 500 * 500 + 500 + 500 * 10 + 10
    assert models.mlp_parameters([2, 1]) == 3
    assert models.mlp_parameters("784-500-500-10") == models.build_mlp("784-500-500-10").count_params()


def test_width_for_parameters_matches_the_target():
    # Seide et al. 2011: 429 inputs, 9304 outputs; 5 x 2048 has as many parameters as 1 x 3772
    five_by_2k = models.mlp_parameters(models.mlp_spec(5, 2048, inputs=429, outputs=9304))
    assert models.width_for_parameters(1, five_by_2k, inputs=429, outputs=9304) == 3772
    for depth in (1, 2, 3, 5):
        target = models.mlp_parameters(models.mlp_spec(2, 300))
        width = models.width_for_parameters(depth, target)
        best = min(range(1, 2000), key=lambda w: abs(models.mlp_parameters(models.mlp_spec(depth, w)) - target))
        assert width == best
    assert models.width_for_parameters(2, models.mlp_parameters(models.mlp_spec(2, 123))) == 123
    assert models.width_for_parameters(1, 1) == 1          # too few parameters for any net: the smallest


def test_width_for_parameters_validates():
    with pytest.raises(ValueError, match="depth must be >= 1"):
        models.width_for_parameters(0, 1000)
    with pytest.raises(TypeError, match="parameters must be an integer"):
        models.width_for_parameters(2, 1e6)


def test_check_activation():
    assert models.check_activation("activation", "relu") == "relu"
    with pytest.raises(ValueError, match="code_activation 'rectifier' is not a Keras activation"):
        models.check_activation("code_activation", "rectifier")
