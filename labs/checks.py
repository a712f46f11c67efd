"""Self-checks for the exercises: each says what is wrong, not just "assert failed".

A check prints a line starting with ✓ when the answer is right and raises an
``AssertionError`` whose message explains the mistake otherwise. They need nothing but
NumPy, so they run the same on Colab, in Jupyter and under the grader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from labs import neurons


def relative_error(a: Any, b: Any) -> float:
    """max |a − b| / max(|a| + |b|, tiny), the CS231n measure for comparing gradients."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))


def _passed(message: str) -> None:
    print(f"✓ {message}")


def check_close(
    name: str, got: Any, expected: Any, *, rtol: float = 1e-6, atol: float = 1e-8, hint: str = ""
) -> None:
    """Check that ``got`` matches ``expected`` (shape, sign, values) with a specific message."""
    if got is None:
        raise AssertionError(f"{name} is None: did you forget a `return`?")
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{name} must be numbers; got {type(got).__name__}.") from None
    want = np.asarray(expected, dtype=np.float64)
    if got_arr.shape != want.shape:
        raise AssertionError(f"{name} has shape {got_arr.shape}; expected {want.shape}. {hint}".strip())
    if np.any(~np.isfinite(got_arr)):
        raise AssertionError(f"{name} contains NaN or inf. {hint}".strip())
    if np.allclose(got_arr, want, rtol=rtol, atol=atol):
        return
    if np.any(want != 0) and np.allclose(got_arr, -want, rtol=rtol, atol=atol):
        raise AssertionError(f"{name} has the right size but the opposite sign. {hint}".strip())
    flat = np.abs(got_arr - want).ravel()
    worst = int(flat.argmax())
    index = tuple(int(i) for i in np.unravel_index(worst, want.shape)) if want.shape else ()
    raise AssertionError(
        f"{name} differs from the expected value: at index {index} you have "
        f"{got_arr[index]:.6g}, expected {want[index]:.6g} (relative error "
        f"{relative_error(got_arr, want):.2e}). {hint}".strip()
    )


def _call(fn: Callable, label: str, *args: Any) -> Any:
    if not callable(fn):
        raise AssertionError(f"{label} must be a function; got {type(fn).__name__}.")
    try:
        return fn(*args)
    except NotImplementedError:
        raise AssertionError(f"{label} is not written yet: replace the `raise NotImplementedError`.") from None


# --- lab 01 ---------------------------------------------------------------------------------


def check_perceptron_update(update: Callable) -> None:
    """Exercise: ``update(w, b, x, t, lr) -> (w_new, b_new)`` implements the perceptron rule."""
    cases = [
        (np.array([0.0, 0.0]), 0.0, np.array([1.0, 1.0]), -1.0, 0.5, "a misclassified -1 sample"),
        (np.array([0.5, -0.5]), -0.5, np.array([1.0, 0.0]), 1.0, 0.5, "a misclassified +1 sample"),
        (np.array([1.0, 1.0]), -1.5, np.array([1.0, 1.0]), 1.0, 0.5, "a correctly classified sample"),
        (np.array([0.2, 0.7]), 0.1, np.array([0.0, 1.0]), -1.0, 0.1, "a small learning rate"),
    ]
    for w, b, x, t, lr, what in cases:
        result = _call(update, "update", w.copy(), b, x, t, lr)
        if not isinstance(result, tuple) or len(result) != 2:
            raise AssertionError("update must return a pair (new_w, new_b).")
        w_exp, b_exp = neurons.perceptron_update(w, b, x, t, lr)
        hint = (
            f"For {what} (w={w}, b={b}, x={x}, t={t}, lr={lr}) the rule gives "
            f"z = sign(w·x + b) = {neurons.sign(x @ w + b):+.0f}, Δw = lr·(t − z)·x."
        )
        check_close("new_w", result[0], w_exp, hint=hint)
        check_close("new_b", result[1], b_exp, hint=hint)
    _passed("perceptron update matches the rule Δw = η (t − z) x on all four cases.")


def check_sigmoid_gradient(gradient: Callable) -> None:
    """Exercise: ``gradient(w, b, X, t) -> (dE_dw, dE_db)`` for one sigmoid unit, E = ½Σ(t − z)²."""
    rng = np.random.default_rng(1)
    X, w, b = rng.normal(size=(6, 3)), rng.normal(size=3), 0.3
    t = rng.uniform(size=6)
    result = _call(gradient, "gradient", w.copy(), b, X, t)
    if not isinstance(result, tuple) or len(result) != 2:
        raise AssertionError("gradient must return a pair (dE_dw, dE_db).")
    gw, gb = neurons.delta_rule_gradient(w, b, X, t, "sigmoid")
    lgw, _ = neurons.delta_rule_gradient(w, b, X, t, "linear")
    got = np.asarray(result[0], dtype=float)
    if got.shape == gw.shape and np.allclose(got, lgw):
        raise AssertionError(
            "dE_dw equals the linear unit's gradient: multiply each δ by f'(s) = z(1 − z)."
        )
    check_close(
        "dE_dw", result[0], gw,
        hint="Use δ_k = f'(s_k)(t_k − z_k) with f'(s) = z(1 − z), and ∂E/∂w = −Σ_k δ_k x_k.",
    )
    check_close("dE_db", result[1], gb, hint="The bias acts as a weight on a constant input 1: ∂E/∂b = −Σ_k δ_k.")
    _passed(f"sigmoid-unit gradient is right (relative error {relative_error(result[0], gw):.1e}).")


# --- lab 02 ---------------------------------------------------------------------------------


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


# --- lab 03 ---------------------------------------------------------------------------------


# --- labs 04-07 -----------------------------------------------------------------------------


# --- labs 08-11 -----------------------------------------------------------------------------


# --- lab 12 ---------------------------------------------------------------------------------
