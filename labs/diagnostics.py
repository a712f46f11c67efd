"""Looking inside a Keras network: per-layer gradients and activations on one batch.

``layer_statistics`` answers "how large is each layer's weight gradient, and what do its
units output?" — the numbers behind the vanishing gradient (lab 07) and behind
initialisation and batch normalisation (lab 12).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from labs.validation import check_same_length


def dense_layers(model: Any) -> list[Any]:
    """The layers of ``model`` that hold a weight matrix (``kernel``), input side first."""
    layers = [layer for layer in model.layers if getattr(layer, "kernel", None) is not None]
    if not layers:
        raise ValueError(f"model {model.name!r} has no layer with weights (a Dense layer) to inspect.")
    return layers


# Layers that may stand between a weighted sum and its activation (batch norm before the
# activation; the shortcut's addition in a residual block).
_BEFORE_ACTIVATION = ("BatchNormalization", "LayerNormalization", "Add")


def activated_output(layer: Any) -> Any:
    """The symbolic output of ``layer``'s units after their activation.

    A Dense layer with its own activation is its own output. A linear Dense layer followed
    (alone) by batch normalisation and/or a residual addition and then an ``Activation``
    layer is read at that ``Activation``; any other linear layer at its own output."""
    if getattr(getattr(layer, "activation", None), "__name__", "linear") != "linear":
        return layer.output
    current = layer
    while True:
        consumers = [node.operation for node in getattr(current, "_outbound_nodes", [])]
        if len(consumers) != 1:
            return layer.output
        (current,) = consumers
        kind = type(current).__name__
        if kind == "Activation":
            return current.output
        if kind not in _BEFORE_ACTIVATION:
            return layer.output


def layer_statistics(
    model: Any,
    x: Any,
    y: Any,
    *,
    loss: str | Any = "categorical_crossentropy",
) -> Any:
    """Per weight layer, on the batch ``(x, y)``: the norm of the loss's gradient with respect
    to the layer's weight matrix; the mean and standard deviation of the layer's outputs (after
    its activation, also where batch normalisation or a residual addition stands between the
    weighted sum and an ``Activation`` layer, see :func:`activated_output`); their spread across examples (each unit's standard deviation over the
    batch, averaged over units: how much the layer's output differs from one example to the
    next); the share of outputs that are exactly 0, and the share of units that output 0 for
    every example ("dead" ReLUs). Returns a ``pandas.DataFrame``, one row per layer from input
    to output (``layer`` counts from 1).

    ``loss`` is a Keras loss name or function, averaged over the batch as in training.
    """
    import keras
    import pandas as pd
    import tensorflow as tf

    check_same_length(x=x, y=y)
    layers = dense_layers(model)
    probe = keras.Model(model.inputs[0], [activated_output(layer) for layer in layers] + [model.outputs[0]])
    loss_fn = keras.losses.get(loss)
    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
    y = tf.convert_to_tensor(np.asarray(y, dtype=np.float32))
    kernels = [layer.kernel for layer in layers]
    with tf.GradientTape() as tape:
        *outputs, prediction = probe(x, training=False)
        value = tf.reduce_mean(loss_fn(y, prediction))
    gradients = tape.gradient(value, kernels)
    rows = []
    for i, (layer, output, gradient) in enumerate(zip(layers, outputs, gradients), start=1):
        # float64, so that float32 outputs as large as 1e19 (exploding activations) still give a
        # finite spread; values that float32 already overflowed stay inf, without a warning
        out = output.numpy().astype(np.float64)
        grad = np.zeros(layer.kernel.shape) if gradient is None else gradient.numpy().astype(np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            rows.append(_layer_row(i, layer, out, grad))
    table = pd.DataFrame(rows)
    table.attrs["loss"] = float(value)
    return table


def _layer_row(i: int, layer: Any, out: np.ndarray, grad: np.ndarray) -> dict[str, Any]:
    """One row of :func:`layer_statistics`: layer ``i``'s gradient norm and output statistics."""
    return {
        "layer": i,
        "name": layer.name,
        "units": int(out.shape[-1]),
        "grad_norm": float(np.linalg.norm(grad)),
        "activation_mean": float(out.mean()),
        "activation_std": float(out.std()),
        "activation_spread": float(out.std(axis=0).mean()),
        "zero_fraction": float(np.mean(out == 0)),
        "dead_fraction": float(np.mean(np.all(out == 0, axis=0))),
    }
