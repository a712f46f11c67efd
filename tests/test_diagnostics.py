import keras
import numpy as np
import pandas as pd
import pytest

from labs import diagnostics, models


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(32, 6)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, size=32)]
    return x, y


def test_layer_statistics_columns_and_values(batch):
    x, y = batch
    keras.utils.set_random_seed(0)
    model = models.build_mlp("6-5-4-3", "relu")
    stats = diagnostics.layer_statistics(model, x, y)
    assert list(stats.columns) == ["layer", "name", "units", "activation_mean", "activation_std", "gradient_norm"]
    assert stats["layer"].tolist() == [1, 2, 3]
    assert stats["units"].tolist() == [5, 4, 3]
    first = np.maximum(x @ model.layers[0].kernel.numpy() + model.layers[0].bias.numpy(), 0)
    assert stats.loc[0, "activation_mean"] == pytest.approx(first.mean(), rel=1e-5)
    assert stats.loc[0, "activation_std"] == pytest.approx(first.std(), rel=1e-5)
    assert stats.loc[2, "activation_mean"] == pytest.approx(1 / 3, rel=1e-5)  # softmax rows sum to 1
    assert (stats["gradient_norm"] > 0).all()


def test_gradient_norm_matches_a_tape(batch):
    import tensorflow as tf

    x, y = batch
    keras.utils.set_random_seed(1)
    model = models.build_mlp("6-4-3", "sigmoid")
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.categorical_crossentropy(y, model(x)))
    expected = [float(tf.norm(g)) for g in tape.gradient(loss, [model.layers[0].kernel, model.layers[1].kernel])]
    got = diagnostics.layer_statistics(model, x, y)["gradient_norm"].tolist()
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_works_on_functional_models_with_shortcuts(batch):
    x, y = batch
    model = models.build_residual_mlp("6-4-4-3", block_size=2)
    stats = diagnostics.layer_statistics(model, x, y)
    assert stats["name"].tolist() == ["hidden1", "hidden2", "projection1", "output"]


def test_joined_tables_plot(batch):
    import matplotlib

    matplotlib.use("agg")
    from labs import plots

    x, y = batch
    tables = {name: diagnostics.layer_statistics(models.build_mlp("6-5-5-3", "relu", kernel_initializer=init), x, y)
              for name, init in (("he", "he_normal"), ("zeros", "zeros"))}
    stats = pd.concat(tables, names=["config"])
    ax = plots.plot_layer_statistics(stats, "activation_std")
    assert len(ax.get_lines()) == 2 and ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="no column"):
        plots.plot_layer_statistics(stats, "weight_norm")
    overflowed = stats.reset_index().assign(gradient_norm=[1.0, float("inf"), 0.0] * 2)
    ax = plots.plot_layer_statistics(overflowed, "gradient_norm")
    assert np.isnan(ax.get_lines()[0].get_ydata()[1:]).all()  # inf and 0 are left out, not drawn


def test_validates_inputs(batch):
    x, y = batch
    model = models.build_mlp("6-3")
    with pytest.raises(TypeError, match="Keras model"):
        diagnostics.layer_statistics("mlp", x, y)
    with pytest.raises(ValueError, match="same number of rows"):
        diagnostics.layer_statistics(model, x, y[:5])
    with pytest.raises(ValueError, match="at least 2 samples"):
        diagnostics.layer_statistics(model, x[:1], y[:1])
    with pytest.raises(ValueError, match="shape"):
        diagnostics.layer_statistics(model, x[:, :4], y)
    no_dense = keras.Sequential([keras.Input((3,)), keras.layers.Activation("relu")])
    with pytest.raises(ValueError, match="no Dense layer"):
        diagnostics.layer_statistics(no_dense, x[:, :3], x[:, :3])
