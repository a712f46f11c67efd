import numpy as np
import pytest

from labs import autoencoders, training
from labs.autoencoders import build_autoencoder, mlp_from_pretrained, pretrain_layerwise


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    return rng.uniform(size=(64, 12)).astype("float32")


def test_build_autoencoder_halves_and_shapes(images):
    ae = build_autoencoder("12-8-3", "relu", "sigmoid", code_activation="linear")
    assert ae.encoder.output_shape == (None, 3)
    assert ae.decoder.output_shape == (None, 12)
    assert [layer.name for layer in ae.encoder.layers] == ["encode1", "encode2"]
    assert [layer.units for layer in ae.decoder.layers] == [8, 12]
    assert ae.encoder.get_layer("encode2").activation.__name__ == "linear"
    assert ae.decoder.get_layer("decode2").activation.__name__ == "sigmoid"
    out = ae.model.predict(images, verbose=0)
    np.testing.assert_allclose(out, ae.decoder.predict(ae.encoder.predict(images, verbose=0), verbose=0), rtol=1e-5)


def test_denoising_and_sparse_options(images):
    noisy = build_autoencoder("12-3", noise_stddev=0.5)
    assert "noise" in [layer.name for layer in noisy.model.layers]
    # noise only acts while training: the trained model maps clean inputs like encoder + decoder
    np.testing.assert_allclose(noisy.model.predict(images, verbose=0),
                               noisy.decoder.predict(noisy.encoder.predict(images, verbose=0), verbose=0), rtol=1e-5)
    sparse = build_autoencoder("12-3", sparsity=0.01)
    assert sparse.encoder.get_layer("encode1").activity_regularizer is not None
    assert build_autoencoder("12-3").encoder.get_layer("encode1").activity_regularizer is None


def test_build_autoencoder_validates():
    with pytest.raises(ValueError, match="noise_stddev must be a finite number >= 0"):
        build_autoencoder("12-3", noise_stddev=-1)
    with pytest.raises(TypeError, match="sparsity must be a number"):
        build_autoencoder("12-3", sparsity="lots")
    with pytest.raises(ValueError, match="code_activation must be a Keras activation .*got 'sigmoidal'"):
        build_autoencoder("12-3", code_activation="sigmoidal")
    with pytest.raises(ValueError, match="784-500-500-10"):
        build_autoencoder("12x3")


def test_autoencoder_learns_better_than_the_mean(images):
    import keras

    keras.utils.set_random_seed(0)
    data = np.repeat(images[:4], 16, axis=0)     # four patterns: a 4-unit code can hold them
    ae = build_autoencoder("12-4", "relu", "sigmoid")
    training.train(ae.model, data, data, loss="binary_crossentropy", optimizer="adam", learning_rate=0.03,
                   metrics=(), batch_size=16, epochs=30, verbose=False)
    mean = np.tile(data.mean(axis=0), (len(data), 1))
    assert autoencoders.reconstruction_error(data, ae.model.predict(data, verbose=0)) < \
        0.5 * autoencoders.reconstruction_error(data, mean)


def test_reconstruction_error():
    assert autoencoders.reconstruction_error([[0.0, 1.0]], [[1.0, 1.0]]) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="reconstruction must have the shape of x"):
        autoencoders.reconstruction_error(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="x must be a 2-D array"):
        autoencoders.reconstruction_error(np.zeros(3), np.zeros(3))


def test_subspace_similarity():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(50, 3))
    mixed = a @ rng.normal(size=(3, 3))              # same column space, other basis
    assert autoencoders.subspace_similarity(a, mixed) == pytest.approx(1.0)
    other = np.linalg.qr(np.c_[a, rng.normal(size=(50, 3))])[0][:, 3:]   # orthogonal to a
    assert autoencoders.subspace_similarity(a, other) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match=r"b must have shape \(50, 3\)"):
        autoencoders.subspace_similarity(a, a[:, :2])
    with pytest.raises(ValueError, match="at most as many columns as rows"):
        autoencoders.subspace_similarity(np.ones((2, 3)), np.ones((2, 3)))


def test_pretrain_layerwise_and_mlp_from_pretrained(images, capsys):
    stack = pretrain_layerwise(images, "12-6-4", "sigmoid", epochs=1, batch_size=16, verbose=True)
    assert [ae.encoder.output_shape for ae in stack] == [(None, 6), (None, 4)]
    assert "layer 2: autoencoder 6-4-6" in capsys.readouterr().out
    model = mlp_from_pretrained(stack, outputs=3)
    assert model.output_shape == (None, 3)
    assert model.get_layer("hidden1").activation.__name__ == "sigmoid"
    for i, ae in enumerate(stack, start=1):
        for got, want in zip(model.get_layer(f"hidden{i}").get_weights(), ae.encoder.get_layer("encode1").get_weights()):
            np.testing.assert_array_equal(got, want)


def test_pretrain_layerwise_uses_linear_output_for_unbounded_codes(images):
    stack = pretrain_layerwise(images * 4 - 2, "12-3", "relu", epochs=1, verbose=False)
    assert stack[0].decoder.get_layer("decode1").activation.__name__ == "linear"


def test_pretraining_validates(images):
    with pytest.raises(ValueError, match=r"x must have shape \('any', 5\)"):
        pretrain_layerwise(images, "5-3", epochs=1, verbose=False)
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        pretrain_layerwise(images, "12-3", epochs=0)
    with pytest.raises(ValueError, match="at least one pre-trained"):
        mlp_from_pretrained([])
    first = pretrain_layerwise(images, "12-3", epochs=1, verbose=False)
    second = pretrain_layerwise(images, "12-5", epochs=1, verbose=False)
    with pytest.raises(ValueError, match=r"stack\[1\] expects 12 inputs but stack\[0\] gives 3 codes"):
        mlp_from_pretrained([first[0], second[0]])
