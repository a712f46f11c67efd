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
