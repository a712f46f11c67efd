"""Keras models the labs build again and again, from a short spec like ``"784-500-500-10"``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

# check_activation lives in labs.validation; labs.models.check_activation still works
from labs.validation import check_activation, check_choice, check_in_range, check_int, check_momentum

BATCH_NORM_PLACES = (None, "before", "after")


def parse_layers(layers: str | Sequence[int]) -> list[int]:
    """``"784-500-500-10"`` or ``[784, 500, 500, 10]`` → ``[784, 500, 500, 10]`` (input … output)."""
    if isinstance(layers, str):
        try:
            sizes = [int(part) for part in layers.replace(" ", "").split("-")]
        except ValueError:
            raise ValueError(
                f"layers must look like '784-500-500-10' (sizes joined by '-'); got {layers!r}."
            ) from None
    else:
        sizes = [check_int("layers[i]", s, minimum=1) for s in layers]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(
            f"layers needs an input and an output size, all >= 1 (e.g. '784-500-500-10'); got {layers!r}."
        )
    return sizes


def mlp_spec(depth: int, width: int = 500, *, inputs: int = 784, outputs: int = 10) -> str:
    """The layer string of a network with ``depth`` hidden layers of ``width`` units."""
    depth = check_int("depth", depth, minimum=0)
    width = check_int("width", width, minimum=1)
    return "-".join(str(s) for s in [inputs, *[width] * depth, outputs])


def mlp_parameters(layers: str | Sequence[int]) -> int:
    """Number of weights and biases of a fully connected network such as ``"784-500-500-10"``."""
    sizes = parse_layers(layers)
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def width_for_parameters(depth: int, parameters: int, *, inputs: int = 784, outputs: int = 10) -> int:
    """The width whose network of ``depth`` equal hidden layers has closest to ``parameters``
    weights and biases (to compare deep-thin with shallow-wide networks of the same size)."""
    depth = check_int("depth", depth, minimum=1)
    parameters = check_int("parameters", parameters, minimum=1)
    # weights and biases: (depth − 1)·w² + (inputs + outputs + depth)·w + outputs = parameters
    a, b, c = depth - 1, inputs + outputs + depth, outputs - parameters
    root = -c / b if a == 0 else (-b + np.sqrt(b * b - 4 * a * c)) / (2 * a)
    candidates = {max(1, int(np.floor(root))), max(1, int(np.ceil(root)))}

    def gap(width: int) -> int:
        return abs(mlp_parameters(mlp_spec(depth, width, inputs=inputs, outputs=outputs)) - parameters)

    return min(sorted(candidates), key=gap)


def build_mlp(
    layers: str | Sequence[int] = "784-500-500-10",
    activation: str = "sigmoid",
    output_activation: str = "softmax",
    *,
    dropout: float = 0.0,
    batch_norm: str | None = None,
    kernel_initializer: Any = "glorot_uniform",
    kernel_regularizer: Any = None,
    batch_norm_momentum: float = 0.99,
    name: str | None = None,
) -> Any:
    """A fully connected ``keras.Sequential``: Dense hidden layers, then the output layer.

    ``dropout`` (the fraction *dropped*, as in Keras) follows each hidden layer;
    ``batch_norm="before"`` puts BatchNormalization between a hidden layer's weighted sum
    and its activation, ``"after"`` after the activation. ``batch_norm_momentum`` is the
    momentum of BatchNormalization's moving averages (Keras' default 0.99; use e.g. 0.9
    when training runs only a few dozen updates, so that evaluation sees settled statistics).
    """
    import keras

    sizes = parse_layers(layers)
    check_choice("batch_norm", batch_norm, BATCH_NORM_PLACES)
    check_momentum("batch_norm_momentum", batch_norm_momentum)
    check_in_range("dropout", dropout, 0.0, 1.0, what="the fraction of units dropped")
    check_activation("activation", activation)
    check_activation("output_activation", output_activation)
    norm = dict(momentum=batch_norm_momentum)
    stack: list[Any] = [keras.Input(shape=(sizes[0],))]
    for i, width in enumerate(sizes[1:-1], start=1):
        dense = dict(kernel_initializer=kernel_initializer, kernel_regularizer=kernel_regularizer, name=f"hidden{i}")
        if batch_norm == "before":
            stack += [keras.layers.Dense(width, **dense), keras.layers.BatchNormalization(name=f"bn{i}", **norm),
                      keras.layers.Activation(activation, name=f"act{i}")]
        else:
            stack.append(keras.layers.Dense(width, activation=activation, **dense))
            if batch_norm == "after":
                stack.append(keras.layers.BatchNormalization(name=f"bn{i}", **norm))
        if dropout:
            stack.append(keras.layers.Dropout(dropout, name=f"dropout{i}"))
    stack.append(keras.layers.Dense(sizes[-1], activation=output_activation,
                                    kernel_initializer=kernel_initializer, name="output"))
    return keras.Sequential(stack, name=name or "mlp_" + "_".join(map(str, sizes)))


def build_residual_mlp(
    layers: str | Sequence[int] = "784-64-64-64-64-10",
    activation: str = "relu",
    output_activation: str = "softmax",
    *,
    block_size: int = 2,
    batch_norm: str | None = None,
    batch_norm_momentum: float = 0.99,
    kernel_initializer: Any = "he_normal",
    name: str | None = None,
) -> Any:
    """A fully connected residual network: hidden layers grouped in blocks H(x) = F(x) + x.

    Every ``block_size`` consecutive hidden layers form one block F; its input x is added to
    F's last weighted sum before that layer's activation. Where the block changes the width,
    the shortcut is a learned linear projection Ux (a Dense layer without bias), as in
    He et al. (2016). ``batch_norm="before"`` puts BatchNormalization after each weighted sum,
    before the activation (and before the addition). Given the same ``layers``, its main path
    has the same Dense layers as :func:`build_mlp`'s network.
    """
    import keras

    sizes = parse_layers(layers)
    block_size = check_int("block_size", block_size, minimum=1)
    check_choice("batch_norm", batch_norm, (None, "before"))
    check_momentum("batch_norm_momentum", batch_norm_momentum)
    check_activation("activation", activation)
    check_activation("output_activation", output_activation)
    hidden = sizes[1:-1]
    if not hidden or len(hidden) % block_size:
        raise ValueError(
            f"a residual network needs a positive multiple of block_size={block_size} hidden layers; "
            f"{layers!r} has {len(hidden)}."
        )
    dense = dict(kernel_initializer=kernel_initializer)
    inputs = keras.Input(shape=(sizes[0],))
    h, i = inputs, 0
    for block in range(1, len(hidden) // block_size + 1):
        shortcut = h
        if shortcut.shape[-1] != hidden[i + block_size - 1]:
            shortcut = keras.layers.Dense(hidden[i + block_size - 1], use_bias=False, name=f"projection{block}",
                                          **dense)(h)
        for position in range(block_size):
            i += 1
            h = keras.layers.Dense(hidden[i - 1], name=f"hidden{i}", **dense)(h)
            if batch_norm:
                h = keras.layers.BatchNormalization(momentum=batch_norm_momentum, name=f"bn{i}")(h)
            if position == block_size - 1:
                h = keras.layers.Add(name=f"add{block}")([h, shortcut])
            h = keras.layers.Activation(activation, name=f"act{i}")(h)
    outputs = keras.layers.Dense(sizes[-1], activation=output_activation, name="output", **dense)(h)
    return keras.Model(inputs, outputs, name=name or "resmlp_" + "_".join(map(str, sizes)))


BUILD_ARGS = ("layers", "activation", "output_activation", "dropout", "batch_norm",
              "kernel_initializer", "kernel_regularizer", "batch_norm_momentum", "name")
