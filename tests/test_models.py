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


def test_batch_norm_momentum():
    model = models.build_mlp("4-3-2", "relu", batch_norm="before", batch_norm_momentum=0.9)
    assert model.get_layer("bn1").momentum == pytest.approx(0.9)
    assert models.build_mlp("4-3-2", batch_norm="after").get_layer("bn1").momentum == pytest.approx(0.99)
    with pytest.raises(ValueError, match="batch_norm_momentum must be a number in"):
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
    with pytest.raises(ValueError, match="not a Keras activation"):
        models.build_residual_mlp("4-3-3-2", activation="relu6x")
    with pytest.raises(ValueError, match="block_size must be >= 1"):
        models.build_residual_mlp("4-3-3-2", block_size=0)
