"""Looking inside a network: per-layer activation and gradient statistics for one batch.

``layer_statistics(model, x, y)`` runs one forward and backward pass with
``tf.GradientTape`` and returns, for every ``Dense`` layer in order, the mean and standard
deviation of its output (after its own activation, if it has one) and the norm of the
loss gradient with respect to its weight matrix. That is what one looks at to see
activations saturate or die out and gradients vanish or explode, layer by layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from labs.validation import check_array, check_same_length

STATISTICS = ("activation_mean", "activation_std", "gradient_norm")


def dense_layers(model: Any) -> list[Any]:
    """The ``Dense`` layers of a Keras model, in the order the model lists them."""
    import keras

    found = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if not found:
        raise ValueError(f"model {model.name!r} has no Dense layer to inspect.")
    return found


def layer_statistics(
    model: Any,
    x: Any,
    y: Any,
    *,
    loss: str | Any = "categorical_crossentropy",
    training: bool = False,
) -> Any:
    """Per ``Dense`` layer: output mean and std, and the norm of ∂loss/∂kernel, on one batch.

    Returns a ``pandas.DataFrame`` with one row per Dense layer: ``layer`` (1, 2, ...),
    ``name``, ``units``, ``activation_mean``, ``activation_std`` and ``gradient_norm`` (the
    Frobenius norm of the gradient of the mean ``loss`` with respect to the layer's weight
    matrix). ``training=True`` runs layers such as Dropout and BatchNormalization in their
    training mode.
    """
    import keras
    import pandas as pd
    import tensorflow as tf

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras model; got {type(model).__name__}.")
    x = check_array("x", x, dtype=np.float32)
    y = check_array("y", y, dtype=np.float32)
    check_same_length(x=x, y=y)
    if len(x) < 2:
        raise ValueError(f"x must hold at least 2 samples to compute a spread; got {len(x)}.")
    layers = dense_layers(model)
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    probe = keras.Model(inputs, [layer.output for layer in layers] + [model.outputs[0]])
    loss_fn = keras.losses.get(loss)
    kernels = [layer.kernel for layer in layers]
    with tf.GradientTape() as tape:
        *outputs, prediction = probe(x, training=training)
        value = tf.reduce_mean(loss_fn(y, prediction))
    gradients = tape.gradient(value, kernels)
    rows = []
    for index, (layer, out, grad) in enumerate(zip(layers, outputs, gradients), start=1):
        out = np.asarray(out, dtype=np.float64)
        norm = float(tf.norm(grad)) if grad is not None else 0.0
        rows.append({"layer": index, "name": layer.name, "units": int(layer.units),
                     "activation_mean": float(out.mean()), "activation_std": float(out.std()),
                     "gradient_norm": norm})
    return pd.DataFrame(rows)
