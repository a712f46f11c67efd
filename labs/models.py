"""Keras models the labs build again and again, from a short spec like ``"784-500-500-10"``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from labs.validation import check_choice, check_int

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


def check_activation(name: str, activation: Any) -> Any:
    """Return ``activation`` if Keras knows it, else raise a ``ValueError`` naming the argument."""
    import keras

    try:
        keras.activations.get(activation)
    except ValueError:
        raise ValueError(f"{name} {activation!r} is not a Keras activation (e.g. 'sigmoid', 'relu').") from None
    return activation


def build_mlp(
    layers: str | Sequence[int] = "784-500-500-10",
    activation: str = "sigmoid",
    output_activation: str = "softmax",
    *,
    dropout: float = 0.0,
    batch_norm: str | None = None,
    kernel_initializer: Any = "glorot_uniform",
    kernel_regularizer: Any = None,
    name: str | None = None,
) -> Any:
    """A fully connected ``keras.Sequential``: Dense hidden layers, then the output layer.

    ``dropout`` (the fraction *dropped*, as in Keras) follows each hidden layer;
    ``batch_norm="before"`` puts BatchNormalization between a hidden layer's weighted sum
    and its activation, ``"after"`` after the activation.
    """
    import keras

    sizes = parse_layers(layers)
    check_choice("batch_norm", batch_norm, BATCH_NORM_PLACES)
    if not 0.0 <= float(dropout) < 1.0:
        raise ValueError(f"dropout is the fraction of units dropped, in [0, 1); got {dropout}.")
    check_activation("activation", activation)
    check_activation("output_activation", output_activation)
    stack: list[Any] = [keras.Input(shape=(sizes[0],))]
    for i, width in enumerate(sizes[1:-1], start=1):
        dense = dict(kernel_initializer=kernel_initializer, kernel_regularizer=kernel_regularizer, name=f"hidden{i}")
        if batch_norm == "before":
            stack += [keras.layers.Dense(width, **dense), keras.layers.BatchNormalization(name=f"bn{i}"),
                      keras.layers.Activation(activation, name=f"act{i}")]
        else:
            stack.append(keras.layers.Dense(width, activation=activation, **dense))
            if batch_norm == "after":
                stack.append(keras.layers.BatchNormalization(name=f"bn{i}"))
        if dropout:
            stack.append(keras.layers.Dropout(dropout, name=f"dropout{i}"))
    stack.append(keras.layers.Dense(sizes[-1], activation=output_activation,
                                    kernel_initializer=kernel_initializer, name="output"))
    return keras.Sequential(stack, name=name or "mlp_" + "_".join(map(str, sizes)))


BUILD_ARGS = ("layers", "activation", "output_activation", "dropout", "batch_norm",
              "kernel_initializer", "kernel_regularizer", "name")
