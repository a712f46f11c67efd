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
    with pytest.raises(ValueError, match="activation must be a Keras activation"):
        models.build_mlp("4-3-2", activation="sigmoidal")


def test_batch_norm_momentum():
    model = models.build_mlp("4-3-2", "relu", batch_norm="before", batch_norm_momentum=0.9)
    assert model.get_layer("bn1").momentum == pytest.approx(0.9)
    assert models.build_mlp("4-3-2", batch_norm="after").get_layer("bn1").momentum == pytest.approx(0.99)
    with pytest.raises(ValueError, match=r"batch_norm_momentum must be a momentum coefficient in \[0, 1\)"):
        models.build_mlp("4-3-2", batch_norm="before", batch_norm_momentum=1.0)


def test_residual_mlp_structure():
    model = models.build_residual_mlp("6-4-4-4-4-3", block_size=2)
    names = [layer.name for layer in model.layers]
    assert names.count("add1") == 1 and "add2" in names
    assert "projection1" in names and "projection2" not in names  # only where the width changes
    dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"]
    assert len(dense) == 4 + 1 + 1  # four hidden, one projection, the output
    assert model.get_layer("projection1").use_bias is False
    assert model.output_shape == (None, 3)
    with_bn = models.build_residual_mlp("6-4-4-3", batch_norm="before", batch_norm_momentum=0.9)
    assert with_bn.get_layer("bn2").momentum == pytest.approx(0.9)
    same_width = models.build_residual_mlp("4-4-4-2", block_size=1)
    assert not any(name.startswith("projection") for name in [layer.name for layer in same_width.layers])


def test_residual_block_computes_act_of_f_plus_x():
    import numpy as np

    model = models.build_residual_mlp("3-3-3-2", "relu", block_size=2)
    x = np.array([[0.5, -1.0, 2.0]], dtype="float32")
    w1, b1 = model.get_layer("hidden1").get_weights()
    w2, b2 = model.get_layer("hidden2").get_weights()
    hidden = np.maximum(np.maximum(x @ w1 + b1, 0) @ w2 + b2 + x, 0)
    probe = models_output(model, "act2", x)
    np.testing.assert_allclose(probe, hidden, rtol=1e-5, atol=1e-6)


def models_output(model, layer, x):
    import keras

    return keras.Model(model.inputs[0], model.get_layer(layer).output)(x).numpy()


def test_residual_mlp_validates():
    with pytest.raises(ValueError, match="multiple of block_size=2"):
        models.build_residual_mlp("4-3-3-3-2", block_size=2)
    with pytest.raises(ValueError, match="multiple of block_size"):
        models.build_residual_mlp("4-2")
    with pytest.raises(ValueError, match="batch_norm must be one of"):
        models.build_residual_mlp("4-3-3-2", batch_norm="after")
    with pytest.raises(ValueError, match="activation must be a Keras activation"):
        models.build_residual_mlp("4-3-3-2", activation="relu6x")
    with pytest.raises(ValueError, match="block_size must be >= 1"):
        models.build_residual_mlp("4-3-3-2", block_size=0)


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
    with pytest.raises(ValueError, match="code_activation must be a Keras activation .*got 'rectifier'"):
        models.check_activation("code_activation", "rectifier")
