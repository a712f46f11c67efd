"""Gradient checks: compare a hand-derived gradient with finite differences or with autodiff.

The measure is CS231n's relative error (:func:`relative_error`), printed beside
the scale that says what a value means, so a student can read a result without guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from labs.backprop import Network
from labs.validation import check_positive

# (largest relative error, what it means), for float64 arithmetic on a smooth loss
SCALE = (
    (1e-7, "correct"),
    (1e-4, "suspicious: fine only where the loss has kinks (ReLU)"),
    (1e-2, "probably wrong"),
    (np.inf, "wrong"),
)


ABSOLUTE_FLOOR = 1e-8
"""Smallest denominator of :func:`relative_error` (CS231n's): finite differences in float64
carry errors of about 1e-11 to 1e-10, so entries this small are noise, not gradient."""
RELATIVE_FLOOR = 1e-3
"""Entries smaller than this share of the arrays' largest ``|a| + |b|`` are measured against
that share, not against their own size (a true 0 next to 1e-11 of round-off is no error)."""


def relative_error(a: Any, b: Any) -> float:
    """max |a − b| / max(|a| + |b|, floor), the CS231n measure for comparing gradients.

    ``floor`` is the larger of :data:`ABSOLUTE_FLOOR` and :data:`RELATIVE_FLOOR` times the
    largest ``|a| + |b|``, so round-off next to an exact 0 does not read as a wrong gradient."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    size = np.abs(a) + np.abs(b)
    if size.size == 0:
        return 0.0
    floor = max(ABSOLUTE_FLOOR, RELATIVE_FLOOR * float(np.max(size))) if np.all(np.isfinite(size)) else ABSOLUTE_FLOOR
    return float(np.max(np.abs(a - b) / np.maximum(size, floor)))


def verdict(error: float) -> str:
    """What a relative error says about a gradient, on the scale in :data:`SCALE` (NaN, as
    from a gradient that overflowed, is "wrong")."""
    error = float(error)
    if not error < SCALE[-2][0]:  # NaN and inf included
        return SCALE[-1][1]
    return next(text for bound, text in SCALE if error < bound)


def numerical_gradient(f: Callable[[], float], params: Sequence[np.ndarray], *, h: float = 1e-5) -> list[np.ndarray]:
    """Central differences (f(p + h) − f(p − h)) / 2h for every entry of every array in ``params``.

    ``f`` takes no argument and reads the arrays; each entry is nudged in place and restored.
    """
    h = check_positive("h", h)
    grads = []
    for p in params:
        if not isinstance(p, np.ndarray) or p.dtype != np.float64:
            got = f"ndarray of {p.dtype}" if isinstance(p, np.ndarray) else type(p).__name__
            raise TypeError(f"params must hold float64 NumPy arrays (nudged in place); got {got}.")
        g = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            kept = p[index]
            p[index] = kept + h
            above = f()
            p[index] = kept - h
            below = f()
            p[index] = kept
            g[index] = (above - below) / (2 * h)
        grads.append(g)
    return grads


def tape_gradients(net: Network, X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
    """Gradients of the network's loss by ``tf.GradientTape``, on the same weights, in float64.

    The forward pass is written again in TensorFlow operations; TensorFlow differentiates it.
    """
    import tensorflow as tf

    hidden = {"sigmoid": tf.sigmoid, "tanh": tf.tanh, "relu": tf.nn.relu}[net.hidden]
    params = [tf.Variable(p, dtype=tf.float64) for p in net.params]
    a = tf.constant(X, dtype=tf.float64)
    y = tf.constant(Y, dtype=tf.float64)
    with tf.GradientTape() as tape:
        for k in range(0, len(params), 2):
            s = a @ params[k] + params[k + 1]
            a = hidden(s) if k < len(params) - 2 else s
        if net.loss == "squared":
            per_sample = 0.5 * tf.reduce_sum((tf.sigmoid(a) - y) ** 2, axis=1)
        else:
            per_sample = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=a)
        total = tf.reduce_mean(per_sample)
    return [g.numpy() for g in tape.gradient(total, params)]


def compare_gradients(reference: Sequence[Any], candidate: Sequence[Any], names: Sequence[str]) -> Any:
    """A table, one row per parameter: its shape, the relative error and what it means."""
    import pandas as pd

    if not len(reference) == len(candidate) == len(names):
        raise ValueError(
            f"reference, candidate and names must have the same length; got "
            f"{len(reference)}, {len(candidate)} and {len(names)}."
        )
    rows = []
    for name, ref, got in zip(names, reference, candidate):
        if np.shape(ref) != np.shape(got):
            raise ValueError(f"candidate gradient {name} must have the reference's shape {np.shape(ref)}; "
                             f"got {np.shape(got)}.")
        error = relative_error(ref, got)
        rows.append({"parameter": name, "shape": str(np.shape(ref)), "relative error": error,
                     "correct if below": SCALE[0][0], "verdict": verdict(error)})
    return pd.DataFrame(rows).set_index("parameter")
