import keras
import numpy as np
import pytest
from keras import ops

from labs import generative
from labs.generative import (
    build_discriminator,
    build_encoder,
    build_generator,
    fit_variational,
    gaussian_kl,
    generator_gradient_norm,
    make_beta_vae,
    make_gan,
    make_vib,
    rate_distortion,
    sample_code,
    sample_grid_callback,
    train_gan,
)


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    return (rng.uniform(size=(96, 20)) > 0.6).astype("float32")


@pytest.fixture(scope="module")
def labels():
    return np.eye(3, dtype="float32")[np.arange(96) % 3]


def test_players_shapes_plain_and_conditional():
    g, d = build_generator(8, 16, outputs=20), build_discriminator(20, 16)
    assert g.output_shape == (None, 20) and d.output_shape == (None, 1)
    gc, dc = build_generator(8, (16, 12), outputs=20, n_classes=3), build_discriminator(20, 16, n_classes=3)
    assert [tuple(t.shape) for t in gc.inputs] == [(None, 8), (None, 3)]
    assert [tuple(t.shape) for t in dc.inputs] == [(None, 20), (None, 3)]
    assert "label_embedding" in [layer.name for layer in dc.layers]
    out = np.asarray(gc([np.zeros((2, 8), "float32"), np.eye(3, dtype="float32")[:2]]))
    assert out.shape == (2, 20) and np.all((out >= 0) & (out <= 1))
    with pytest.raises(ValueError, match="noise_dim"):
        build_generator(0)


@pytest.mark.parametrize("loss", generative.GENERATOR_LOSSES)
def test_gan_trains_both_players_and_records_metrics(images, loss):
    keras.utils.set_random_seed(0)
    gan = make_gan(build_generator(8, 16, outputs=20), build_discriminator(20, 16), generator_loss=loss)
    g_before = [w.copy() for w in gan.generator.get_weights()]
    d_before = [w.copy() for w in gan.discriminator.get_weights()]
    grid = sample_grid_callback(np.zeros((4, 8)), every=2)
    history = train_gan(gan, images, steps=12, batch_size=32, callbacks=[grid])
    assert set(history.history) == {"d_loss", "g_loss", "d_accuracy"}
    assert len(history.history["d_loss"]) == 4                     # 12 steps of 3 batches per epoch
    assert all(0 <= a <= 1 for a in history.history["d_accuracy"])
    assert any(not np.allclose(a, b) for a, b in zip(g_before, gan.generator.get_weights()))
    assert any(not np.allclose(a, b) for a, b in zip(d_before, gan.discriminator.get_weights()))
    assert [epoch for epoch, _ in grid.snapshots] == [0, 2, 4]
    assert grid.snapshots[-1][1].shape == (4, 20)


def test_conditional_gan_samples_for_labels(images, labels):
    keras.utils.set_random_seed(0)
    gan = make_gan(build_generator(8, 16, outputs=20, n_classes=3), build_discriminator(20, 16, n_classes=3))
    train_gan(gan, images, labels, steps=3, batch_size=32)
    assert np.asarray(gan.sample(5, labels[:5])).shape == (5, 20)
    with pytest.raises(ValueError, match="y must have shape"):
        train_gan(gan, images, labels[:10], steps=3)


def test_gan_rejects_unknown_loss():
    with pytest.raises(ValueError, match="generator_loss"):
        make_gan(build_generator(4, 8, outputs=6), build_discriminator(6, 8), generator_loss="wasserstein")


def test_saturating_gradient_vanishes_where_d_is_confident():
    keras.utils.set_random_seed(0)
    g, d = build_generator(8, 16, outputs=20), build_discriminator(20, 16, dropout=0.0)
    kernel, _ = d.get_layer("logit").get_weights()
    d.get_layer("logit").set_weights([kernel, np.array([-9.0], "float32")])   # D(G(z)) ≈ 1e-4
    sat = generator_gradient_norm(g, d, lambda p: ops.mean(ops.log(1.0 - p)), n=64)
    non = generator_gradient_norm(g, d, lambda p: -ops.mean(ops.log(p)), n=64)
    assert sat["mean_D_of_G"] < 1e-3
    assert sat["gradient_norm"] < 1e-2 * non["gradient_norm"]
    with pytest.raises(ValueError, match="not NumPy"):
        generator_gradient_norm(g, d, lambda p: np.mean(np.asarray(p)), n=4)


def test_gaussian_kl_and_sample_code():
    mean = np.array([[0.0, 0.0], [1.0, -2.0]], "float32")
    log_var = np.array([[0.0, 0.0], [np.log(0.5), 1.0]], "float32")
    kl = np.asarray(gaussian_kl(mean, log_var))
    expected = 0.5 * np.array([0.0, (1 + 0.5 - np.log(0.5) - 1) + (4 + np.e - 1 - 1)])
    assert np.allclose(kl, expected, rtol=1e-5)
    eps = np.random.default_rng(1).normal(size=(200_000, 2)).astype("float32")
    h = np.asarray(sample_code(np.tile(mean[1], (len(eps), 1)), np.tile(log_var[1], (len(eps), 1)), eps))
    assert np.allclose(h.mean(axis=0), mean[1], atol=0.02)
    assert np.allclose(h.var(axis=0), np.exp(log_var[1]), rtol=0.02)


def test_encoder_outputs_mean_and_log_var():
    assert build_encoder("20-8-3").output_shape == (None, 6)
    with pytest.raises(ValueError, match="an input and an output size"):
        build_encoder("20")


def test_beta_controls_the_rate(images):
    measured = {}
    for beta in (0.1, 10.0):
        keras.utils.set_random_seed(0)
        vae = make_beta_vae(beta, "20-16-4")
        history = fit_variational(vae, images, images, epochs=15, batch_size=32)
        assert {"loss", "distortion", "rate"} <= set(history.history)
        measured[beta] = rate_distortion(vae, images, images)
        assert vae.predict(images[:3], verbose=0).shape == (3, 20)
        logs = vae.evaluate(images, images, verbose=0, return_dict=True)   # the model's own test_step
        assert logs["rate"] == pytest.approx(measured[beta]["rate"], rel=1e-4)
    assert measured[10.0]["rate"] < measured[0.1]["rate"]
    assert measured[10.0]["distortion"] > measured[0.1]["distortion"]


def test_vib_reports_accuracy(images, labels):
    keras.utils.set_random_seed(0)
    vib = make_vib(1e-3, "20-16-4", classes=3)
    fit_variational(vib, images, labels, epochs=2, batch_size=32)
    result = rate_distortion(vib, images, labels)
    assert set(result) == {"distortion", "rate", "accuracy"} and 0 <= result["accuracy"] <= 1
    with pytest.raises(ValueError, match="one row per row of x"):
        fit_variational(vib, images, labels[:5])
    with pytest.raises(ValueError, match="beta"):
        make_vib(-1.0)
