"""Autoencoders: dense encoder/decoder pairs (plain, denoising, sparse), greedy layer-wise
pre-training, and the measures that compare them with PCA. (The variational autoencoder lives
with the other generative models, in :mod:`labs.generative`.)

Every builder returns an :class:`Autoencoder`: the ``model`` that is trained (input →
reconstruction) and its two halves, ``encoder`` (input → code) and ``decoder`` (code →
reconstruction), as Keras models that share the same layers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from labs.models import build_mlp, parse_layers
from labs.training import train
from labs.validation import check_activation, check_array, check_int, check_positive


class Autoencoder(NamedTuple):
    """The trainable ``model`` (x → reconstruction) and its ``encoder`` and ``decoder``."""

    model: Any
    encoder: Any
    decoder: Any


def build_autoencoder(
    layers: str | Sequence[int] = "784-32",
    activation: str = "relu",
    output_activation: str = "sigmoid",
    *,
    code_activation: str | None = None,
    noise_stddev: float = 0.0,
    sparsity: float = 0.0,
    name: str = "autoencoder",
) -> Autoencoder:
    """A dense autoencoder: the encoder goes through ``layers`` (input … code), the decoder
    mirrors it back to the input size.

    ``code_activation`` is the code layer's activation (default: ``activation``);
    ``"linear"`` everywhere gives the linear autoencoder that PCA is compared with.
    ``noise_stddev > 0`` adds Gaussian noise to the input while training (a denoising
    autoencoder: the target stays the clean input); ``sparsity > 0`` adds the L1 penalty
    ``sparsity · Σ_j |h_j|`` on the code (a sparse autoencoder).
    """
    import keras

    sizes = parse_layers(layers)
    code_activation = activation if code_activation is None else code_activation
    for label, act in (("activation", activation), ("output_activation", output_activation),
                       ("code_activation", code_activation)):
        check_activation(label, act)
    noise_stddev = check_positive("noise_stddev", noise_stddev, allow_zero=True)
    sparsity = check_positive("sparsity", sparsity, allow_zero=True)

    encoder = keras.Sequential([keras.Input(shape=(sizes[0],))], name=f"{name}_encoder")
    for i, width in enumerate(sizes[1:], start=1):
        last = i == len(sizes) - 1
        encoder.add(keras.layers.Dense(
            width, activation=code_activation if last else activation, name=f"encode{i}",
            activity_regularizer=keras.regularizers.L1(sparsity) if last and sparsity else None))
    decoder = keras.Sequential([keras.Input(shape=(sizes[-1],))], name=f"{name}_decoder")
    backwards = sizes[::-1]
    for i, width in enumerate(backwards[1:], start=1):
        last = i == len(backwards) - 1
        decoder.add(keras.layers.Dense(width, activation=output_activation if last else activation,
                                       name=f"decode{i}"))
    inputs = keras.Input(shape=(sizes[0],), name="image")
    corrupted = keras.layers.GaussianNoise(noise_stddev, name="noise")(inputs) if noise_stddev else inputs
    model = keras.Model(inputs, decoder(encoder(corrupted)), name=name)
    return Autoencoder(model, encoder, decoder)


def reconstruction_error(x: Any, reconstruction: Any) -> float:
    """Mean squared error per pixel between images ``x`` and their ``reconstruction``."""
    x = check_array("x", x, ndim=2)
    reconstruction = check_array("reconstruction", reconstruction, ndim=2)
    if reconstruction.shape != x.shape:
        raise ValueError(f"reconstruction must have the shape of x {x.shape}; got {reconstruction.shape}.")
    return float(np.mean((x - reconstruction) ** 2))


def subspace_similarity(a: Any, b: Any) -> float:
    """How far the column spaces of ``a`` and ``b`` (both ``(d, k)``) coincide: the mean squared
    cosine of their principal angles, 1 for the same subspace, about k/d for random ones."""
    a = check_array("a", a, ndim=2)
    b = check_array("b", b, shape=(a.shape[0], a.shape[1]))
    if a.shape[1] > a.shape[0]:
        raise ValueError(f"a must have at most as many columns as rows; got shape {a.shape}.")
    qa, _ = np.linalg.qr(a)
    qb, _ = np.linalg.qr(b)
    cosines = np.linalg.svd(qa.T @ qb, compute_uv=False)
    return float(np.mean(np.clip(cosines, 0.0, 1.0) ** 2))


def pretrain_layerwise(
    x: Any,
    layers: str | Sequence[int] = "784-500-500",
    activation: str = "sigmoid",
    *,
    epochs: int = 10,
    batch_size: int = 100,
    optimizer: str | Any = "adam",
    learning_rate: float = 1e-3,
    verbose: bool = False,
) -> list[Autoencoder]:
    """Greedy layer-wise pre-training: train a one-layer autoencoder on ``x``, then the next on
    the codes of the first, and so on through ``layers``; return the trained autoencoders.

    Inputs in [0, 1] are reconstructed through a sigmoid with cross-entropy, others through a
    linear output with squared error.
    """
    sizes = parse_layers(layers)
    epochs = check_int("epochs", epochs, minimum=1)
    codes = check_array("x", x, shape=(None, sizes[0]), dtype=np.float32)
    stack = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        bounded = bool(codes.min() >= 0 and codes.max() <= 1)
        ae = build_autoencoder([n_in, n_out], activation, "sigmoid" if bounded else "linear",
                               name=f"layer{i}_autoencoder")
        if verbose:
            print(f"layer {i}: autoencoder {n_in}-{n_out}-{n_in} on {len(codes)} inputs")
        train(ae.model, codes, codes, loss="binary_crossentropy" if bounded else "mse", metrics=("mse",),
              optimizer=optimizer, learning_rate=learning_rate, batch_size=batch_size, epochs=epochs,
              verbose=verbose)
        stack.append(ae)
        codes = ae.encoder.predict(codes, batch_size=1000, verbose=0)
    return stack


def mlp_from_pretrained(stack: Sequence[Autoencoder], outputs: int = 10, **build_kwargs: Any) -> Any:
    """A classifier (:func:`labs.models.build_mlp`) whose hidden layers start from the encoders
    of a layer-wise pre-trained ``stack``; the output layer starts random."""
    if not stack:
        raise ValueError("stack must hold at least one pre-trained autoencoder.")
    outputs = check_int("outputs", outputs, minimum=1)
    weights = [ae.encoder.get_layer("encode1").get_weights() for ae in stack]
    sizes = [weights[0][0].shape[0], *[kernel.shape[1] for kernel, _ in weights], outputs]
    for i in range(1, len(weights)):
        if weights[i][0].shape[0] != weights[i - 1][0].shape[1]:
            raise ValueError(f"stack[{i}] expects {weights[i][0].shape[0]} inputs but stack[{i - 1}] "
                             f"gives {weights[i - 1][0].shape[1]} codes.")
    build_kwargs.setdefault("activation", stack[0].encoder.get_layer("encode1").activation.__name__)
    model = build_mlp(sizes, **build_kwargs)
    for i, layer_weights in enumerate(weights, start=1):
        model.get_layer(f"hidden{i}").set_weights(layer_weights)
    return model
