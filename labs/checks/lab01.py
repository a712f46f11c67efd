"""Self-checks of lab 01 (perceptron)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labs import neurons
from labs.checks._common import _call, _passed, check_close, relative_error


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

