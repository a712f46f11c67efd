"""Per-layer statistics: gradient norms that match GradientTape, activations, bad inputs."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from labs import diagnostics, models


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 32)]
    return x, y


def test_layer_statistics_match_gradient_tape(batch):
    x, y = batch
    keras.utils.set_random_seed(0)
    model = models.build_mlp("6-5-4-3", "relu")
    table = diagnostics.layer_statistics(model, x, y)
    assert list(table["name"]) == ["hidden1", "hidden2", "output"]
    assert list(table["layer"]) == [1, 2, 3] and list(table["units"]) == [5, 4, 3]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.categorical_crossentropy(y, model(x)))
    grads = tape.gradient(loss, [layer.kernel for layer in model.layers])
    np.testing.assert_allclose(table["grad_norm"], [np.linalg.norm(g) for g in grads], rtol=1e-5)
    assert table.attrs["loss"] == pytest.approx(float(loss), rel=1e-6)
    hidden = keras.Model(model.inputs[0], model.get_layer("hidden1").output)(x).numpy()
    assert table.loc[0, "activation_mean"] == pytest.approx(hidden.mean(), rel=1e-5)
    assert table.loc[0, "activation_std"] == pytest.approx(hidden.std(), rel=1e-5)
    assert table.loc[0, "activation_spread"] == pytest.approx(hidden.std(axis=0).mean(), rel=1e-5)
    assert table.loc[0, "zero_fraction"] == pytest.approx(np.mean(hidden == 0))
    assert table.loc[0, "dead_fraction"] == pytest.approx(np.mean(np.all(hidden == 0, axis=0)))
    assert table.loc[2, "activation_mean"] == pytest.approx(1 / 3, rel=1e-5)  # softmax rows sum to 1


def test_dead_units_are_counted(batch):
    x, y = batch
    model = models.build_mlp("6-4-3", "relu")
    kernel, bias = model.get_layer("hidden1").get_weights()
    bias[:2] = -1e3  # two units that no input can switch on
    model.get_layer("hidden1").set_weights([kernel, bias])
    table = diagnostics.layer_statistics(model, x, y)
    assert table.loc[0, "dead_fraction"] == pytest.approx(0.5)
    assert table.loc[0, "zero_fraction"] >= 0.5


def test_layer_statistics_other_losses_and_layouts(batch):
    x, y = batch
    model = models.build_mlp("6-5-3", "sigmoid", batch_norm="before", dropout=0.5)
    mse = diagnostics.layer_statistics(model, x, y, loss="mean_squared_error")
    assert list(mse["name"]) == ["hidden1", "output"]  # only the layers with weights
    assert (mse["grad_norm"] > 0).all()
    inputs = keras.Input(shape=(6,))
    functional = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(keras.layers.Dense(4)(inputs)))
    assert len(diagnostics.layer_statistics(functional, x, y)) == 2


def test_layer_statistics_validates(batch):
    x, y = batch
    with pytest.raises(ValueError, match="same number of rows"):
        diagnostics.layer_statistics(models.build_mlp("6-3"), x, y[:5])
    flat = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Activation("relu")])
    with pytest.raises(ValueError, match="no layer with weights"):
        diagnostics.layer_statistics(flat, x, y)


@pytest.mark.parametrize("build", [
    lambda: models.build_mlp("6-5-4-3", "relu", batch_norm="before"),
    lambda: models.build_residual_mlp("6-5-5-3", "relu", block_size=2),
    lambda: models.build_residual_mlp("6-4-4-3", "relu", block_size=2, batch_norm="before"),
], ids=["batch norm before", "residual", "residual with batch norm"])
def test_layer_statistics_read_units_after_their_activation(batch, build):
    x, y = batch
    keras.utils.set_random_seed(0)
    model = build()
    table = diagnostics.layer_statistics(model, x, y).set_index("name")
    for i in (1, 2):
        after = keras.Model(model.inputs[0], model.get_layer(f"act{i}").output)(x).numpy()
        row = table.loc[f"hidden{i}"]
        assert row["activation_mean"] == pytest.approx(after.mean(), rel=1e-5)
        assert row["zero_fraction"] == pytest.approx(np.mean(after == 0))
        assert row["zero_fraction"] > 0  # ReLU outputs, not the weighted sums (which are never exactly 0)


def test_layer_statistics_of_exploding_activations_warn_nothing():
    """Outputs near float32's limit (a (0, 1) start on ReLU layers) give finite statistics, no warning."""
    import warnings

    import keras

    from labs.diagnostics import layer_statistics

    start = keras.initializers.RandomUniform(0.0, 1.0)
    model = keras.Sequential([keras.Input(shape=(256,))]
                             + [keras.layers.Dense(256, activation="relu", kernel_initializer=start) for _ in range(10)]
                             + [keras.layers.Dense(10, activation="softmax")])
    x, y = np.ones((64, 256)), np.eye(10)[np.zeros(64, dtype=int)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = layer_statistics(model, x, y)
    assert 1e19 < table["activation_std"].iloc[9] < np.inf   # float32 squares of these overflow
