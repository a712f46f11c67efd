"""Self-checks of lab 04 (Keras on MNIST)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from labs.checks._common import _call, _expected, _passed


def _activation_after(layers: list, i: int) -> str:
    """Name of the activation applied to Dense layer ``layers[i]``'s output (own or next layer's)."""
    layer = layers[i]
    name = getattr(getattr(layer, "activation", None), "__name__", "linear")
    if name == "linear" and i + 1 < len(layers) and type(layers[i + 1]).__name__ == "Activation":
        name = getattr(layers[i + 1].activation, "__name__", "linear")
    return name


def check_mlp_architecture(
    model: Any, layers: str = "784-500-500-10", *, activation: str = "sigmoid",
    output_activation: str = "softmax",
) -> None:
    """Exercise: a Keras model with the layer sizes ``layers``, ``activation`` in the hidden
    layers and ``output_activation`` at the output (Dense layers, activations in them or after)."""
    from labs.models import mlp_parameters, parse_layers

    sizes = parse_layers(layers)
    if model is None:
        raise AssertionError("model is None: build it with keras.Sequential([...]).")
    if not hasattr(model, "layers") or not hasattr(model, "count_params"):
        raise AssertionError(f"model must be a Keras model (keras.Sequential); got {type(model).__name__}.")
    stack = list(model.layers)
    dense = [i for i, layer in enumerate(stack) if type(layer).__name__ == "Dense"]
    if len(dense) != len(sizes) - 1:
        raise AssertionError(
            f"your model has {len(dense)} Dense layers; {layers} needs {len(sizes) - 1} "
            f"({len(sizes) - 2} hidden and 1 output)."
        )
    try:
        inputs = model.input_shape[-1]
    except (AttributeError, ValueError):
        raise AssertionError("the model does not know its input size: start with keras.Input(shape=(784,)).") from None
    if inputs != sizes[0]:
        raise AssertionError(f"the input has {inputs} values; expected {sizes[0]} (28 × 28 pixels, flattened).")
    for k, (i, units) in enumerate(zip(dense, sizes[1:]), start=1):
        last = k == len(dense)
        what = "the output layer" if last else f"hidden layer {k}"
        if stack[i].units != units:
            raise AssertionError(f"{what} has {stack[i].units} units; expected {units}.")
        want = output_activation if last else activation
        got = _activation_after(stack, i)
        if got != want:
            why = " so that the outputs are probabilities that add up to 1" if want == "softmax" else ""
            raise AssertionError(f"{what} uses the {got!r} activation; expected {want!r}{why}.")
    expected = mlp_parameters(sizes)
    if model.count_params() != expected:
        raise AssertionError(
            f"the model has {model.count_params():,} parameters; {layers} has {expected:,} "
            "(weights and biases of every layer). Did you turn off a bias or add a layer?"
        )
    _passed(f"{layers} with {activation} hidden units and a {output_activation} output: {expected:,} parameters.")


def _confusion_matrix_cases() -> list[tuple[np.ndarray, np.ndarray, int]]:
    """(y_true, y_pred, n_classes): seven samples of classes 0-2, and a class 3 that never occurs."""
    return [(np.array([0, 1, 2, 2, 1, 0, 2]), np.array([0, 2, 2, 2, 1, 1, 0]), 4)]


def check_confusion_matrix(confusion_matrix: Callable) -> None:
    """Exercise: ``confusion_matrix(y_true, y_pred, n_classes)`` counts (true, predicted) pairs."""
    [(y_true, y_pred, n_classes)] = _confusion_matrix_cases()
    expected = np.asarray(_expected("lab04.confusion_matrix.case0"))
    got = _call(confusion_matrix, "confusion_matrix", y_true.copy(), y_pred.copy(), n_classes)
    if got is None:
        raise AssertionError("confusion_matrix returned None: did you forget a `return`?")
    got = np.asarray(got)
    if got.shape != expected.shape:
        raise AssertionError(
            f"with n_classes={n_classes} the matrix must have shape {expected.shape}; got {got.shape}. Size it from "
            "n_classes, not from the labels that happen to occur (class 3 never occurs here)."
        )
    if np.array_equal(got, expected.T) and not np.array_equal(got, expected):
        raise AssertionError("your matrix is transposed: rows must be the true classes, columns the predictions.")
    if got.sum() != len(y_true):
        raise AssertionError(f"the counts add up to {got.sum()}, but there are {len(y_true)} samples: "
                             "each sample adds exactly 1 to one entry.")
    wrong = np.argwhere(got != expected)
    if wrong.size:
        i, j = (int(v) for v in wrong[0])
        raise AssertionError(
            f"entry [{i}, {j}] (true class {i}, predicted {j}) is {got[i, j]}; expected {expected[i, j]} "
            f"for y_true={y_true.tolist()}, y_pred={y_pred.tolist()}."
        )
    _passed("confusion_matrix counts every (true, predicted) pair, rows = truth, columns = prediction.")
