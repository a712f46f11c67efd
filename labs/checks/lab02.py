"""Self-checks of lab 02 (XOR)."""

from __future__ import annotations

from typing import Any

import numpy as np

from labs import neurons
from labs.checks._common import _passed


def forward_sign_network(W1: Any, b1: Any, w2: Any, b2: Any, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hidden outputs and final output of a 2-layer network of sign units."""
    hidden = neurons.sign(X @ np.asarray(W1, dtype=float) + np.asarray(b1, dtype=float))
    return hidden, neurons.sign(hidden @ np.asarray(w2, dtype=float) + float(b2))


def check_xor_network(W1: Any, b1: Any, w2: Any, b2: Any) -> None:
    """Exercise: hand-set weights of a 2-2-1 sign network that computes XOR (targets ±1)."""
    from labs.data import truth_table

    shapes = {"W1": ((2, 2), W1), "b1": ((2,), b1), "w2": ((2,), w2), "b2": ((), b2)}
    for label, (shape, value) in shapes.items():
        if value is None:
            raise AssertionError(f"{label} is None: fill in the weights.")
        if np.shape(value) != shape:
            raise AssertionError(f"{label} must have shape {shape}; got {np.shape(value)}.")
    X, t = truth_table("xor", bipolar=True)
    hidden, out = forward_sign_network(W1, b1, w2, b2, X)
    wrong = [
        f"x={X[k].astype(int).tolist()} gives {out[k]:+.0f} (hidden {hidden[k].astype(int).tolist()}), "
        f"expected {t[k]:+.0f}"
        for k in range(4)
        if out[k] != t[k]
    ]
    if wrong:
        raise AssertionError(
            "Not XOR yet: " + "; ".join(wrong) + ". Hint: let one hidden unit compute OR and the "
            "other NAND; the output unit then computes AND of the two."
        )
    _passed("your 2-2-1 sign network computes XOR on all four inputs.")


def check_separating_line(H: Any, t: Any, w: Any, b: Any) -> None:
    """Exercise: a line ``w·h + b = 0`` that puts every hidden point ``h`` on its target's side."""
    H = np.asarray(H, dtype=float)
    t = np.asarray(t, dtype=float)
    if H.ndim != 2 or H.shape[1] != 2:
        raise AssertionError(f"H must have shape (n, 2); got {H.shape}.")
    if np.shape(w) != (2,):
        raise AssertionError(f"w must have shape (2,); got {np.shape(w)}.")
    side = neurons.sign(H @ np.asarray(w, dtype=float) + float(b))
    wrong = np.flatnonzero(side != np.sign(t))
    if wrong.size:
        k = int(wrong[0])
        raise AssertionError(
            f"{wrong.size} of {len(t)} points are on the wrong side, e.g. h={H[k].round(3).tolist()} "
            f"has w·h + b = {H[k] @ np.asarray(w, float) + float(b):+.3g} but target {t[k]:+.0f}."
        )
    _passed("the line separates the two classes in the hidden space: XOR became linearly separable.")

