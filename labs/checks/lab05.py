"""Self-checks of lab 05 (loss functions)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labs.backprop import softmax
from labs.checks._common import _call, _expected, _passed, check_close


def _gradient_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """Outputs before the softmax ``z`` and one-hot targets ``t`` of five samples, four classes."""
    rng = np.random.default_rng(4)
    z = rng.normal(scale=2.0, size=(5, 4))
    t = np.eye(4)[[0, 3, 1, 1, 2]]
    return [(z, t)]


def check_ce_gradient(ce_gradient: Callable) -> None:
    """Exercise: ``ce_gradient(z, t)`` = ∂L/∂z of L = −Σ t·ln softmax(z), one row per sample."""
    [(z, t)] = _gradient_cases()
    got = _call(ce_gradient, "ce_gradient", z.copy(), t.copy())
    if got is not None and np.shape(got) == z.shape and np.allclose(got, z - t):
        raise AssertionError("you returned z − t: the network's output is y = softmax(z), so use y − t.")
    check_close("ce_gradient(z, t)", got, _expected("lab05.ce_gradient.case0"), rtol=1e-5, atol=1e-8,
                hint="Softmax and cross-entropy together give ∂L/∂z = y − t with y = softmax(z) (row-wise).")
    _passed("∂L/∂z = softmax(z) − t for cross-entropy: it stays large while the output is wrong.")


def check_se_gradient(se_gradient: Callable) -> None:
    """Exercise: ``se_gradient(z, t)`` = ∂L/∂z of L = Σ (softmax(z) − t)², one row per sample."""
    [(z, t)] = _gradient_cases()
    got = _call(se_gradient, "se_gradient", z.copy(), t.copy())
    y = softmax(z)
    if got is not None and np.shape(got) == z.shape:
        if np.allclose(got, 2 * (y - t)):
            raise AssertionError("you returned 2(y − t), the gradient with respect to y. Carry it through "
                                 "the softmax: ∂y_i/∂z_j = y_i(δ_ij − y_j).")
        if np.allclose(got, 2 * (y - t) * y * (1 - y)):
            raise AssertionError("you used only the diagonal of the softmax's Jacobian, y_j(1 − y_j); every "
                                 "output depends on every z_j, so add the terms −y_i·y_j for i ≠ j.")
    check_close("se_gradient(z, t)", got, _expected("lab05.se_gradient.case0"), rtol=1e-5, atol=1e-8,
                hint="∂L/∂z_j = Σ_i 2(y_i − t_i)·y_i(δ_ij − y_j).")
    _passed("∂L/∂z of the square error carries the factor y(δ − y): it vanishes where the output saturates.")
