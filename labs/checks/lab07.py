"""Self-checks of lab 07 (activation functions)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labs.checks._common import _call, _passed


def check_activations(leaky_relu: Callable, elu: Callable) -> None:
    """Exercise: NumPy ``leaky_relu(z, alpha)`` and ``elu(z, alpha)`` as the slides define them."""
    z = np.array([-3.0, -1.0, -0.25, 0.0, 0.5, 2.0])
    for label, fn, alpha, want, negative in (
        ("leaky_relu", leaky_relu, 0.2, np.where(z > 0, z, 0.2 * z), "α·z"),
        ("elu", elu, 1.0, np.where(z > 0, z, np.expm1(np.minimum(z, 0))), "α·(e^z − 1)"),
    ):
        got = _call(fn, label, z.copy(), alpha)
        if got is None:
            raise AssertionError(f"{label} returned None: did you forget a `return`?")
        got = np.asarray(got, dtype=np.float64)
        if got.shape != z.shape:
            raise AssertionError(f"{label} must work element-wise: input shape {z.shape}, output {got.shape}.")
        if not np.allclose(got[z > 0], z[z > 0]):
            raise AssertionError(f"{label}(z) must equal z for z > 0; got {got[z > 0]} for z = {z[z > 0]}.")
        bad = np.flatnonzero(~np.isclose(got, want, atol=1e-7))
        if bad.size:
            k = int(bad[0])
            raise AssertionError(f"{label}({z[k]:g}) with α={alpha} gave {got[k]:.6g}; expected {want[k]:.6g} "
                                 f"(for z ≤ 0 it is {negative}).")
    _passed("leaky ReLU and ELU match their definitions on both sides of 0.")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def check_chain_gradient(chain_gradient: Callable) -> None:
    """Exercise: ``chain_gradient(w, z)``: ∂a_L/∂a_0 = Π w_k σ'(z_k) along a chain of sigmoid units."""
    w = np.array([1.5, -0.8, 2.0, 1.2])
    z = np.array([0.3, -1.0, 2.0, 0.0])
    got = _call(chain_gradient, "chain_gradient", w.copy(), z.copy())
    s = _sigmoid(z)
    want = float(np.prod(w * s * (1 - s)))
    if got is None:
        raise AssertionError("chain_gradient returned None: did you forget a `return`?")
    if np.ndim(got) != 0:
        raise AssertionError(f"chain_gradient must return one number (the product); got shape {np.shape(got)}.")
    got = float(got)
    for wrong, hint in ((np.prod(s * (1 - s)), "you left out the weights w_k"),
                        (np.prod(w * s), "you used σ(z_k) where the chain rule needs σ'(z_k) = σ(z_k)(1 − σ(z_k))"),
                        (np.sum(w * s * (1 - s)), "the chain rule multiplies the factors of the layers, it does not add them")):
        if np.isclose(got, wrong) and not np.isclose(got, want):
            raise AssertionError(f"chain_gradient gave {got:.6g}; expected {want:.6g}: {hint}.")
    if not np.isclose(got, want, rtol=1e-6):
        raise AssertionError(f"chain_gradient gave {got:.6g}; expected {want:.6g} = Π w_k σ'(z_k).")
    _passed("∂a_L/∂a_0 = Π w_k σ'(z_k): each sigmoid layer multiplies the gradient by at most |w|/4.")

