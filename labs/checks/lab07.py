"""Self-checks of lab 07 (activation functions)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labs.checks._common import _call, _expected, _passed
from labs.neurons import sigmoid


def _activations_cases() -> list[tuple[np.ndarray, float, float]]:
    """Inputs ``z`` on both sides of 0, with the α of leaky ReLU and of ELU."""
    return [(np.array([-3.0, -1.0, -0.25, 0.0, 0.5, 2.0]), 0.2, 1.0)]


def check_activations(leaky_relu: Callable, elu: Callable) -> None:
    """Exercise: NumPy ``leaky_relu(z, alpha)`` and ``elu(z, alpha)`` as the slides define them."""
    [(z, leaky_alpha, elu_alpha)] = _activations_cases()
    for label, fn, alpha, negative in (
        ("leaky_relu", leaky_relu, leaky_alpha, "α·z"),
        ("elu", elu, elu_alpha, "α·(e^z − 1)"),
    ):
        want = _expected(f"lab07.{label}.case0")
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


def _chain_gradient_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """Weights ``w`` and sums ``z`` of a chain of four sigmoid units."""
    return [(np.array([1.5, -0.8, 2.0, 1.2]), np.array([0.3, -1.0, 2.0, 0.0]))]


def check_chain_gradient(chain_gradient: Callable) -> None:
    """Exercise: ``chain_gradient(w, z)``: ∂a_L/∂a_0 = Π w_k σ'(z_k) along a chain of sigmoid units."""
    [(w, z)] = _chain_gradient_cases()
    got = _call(chain_gradient, "chain_gradient", w.copy(), z.copy())
    want = float(_expected("lab07.chain_gradient.case0"))
    if got is None:
        raise AssertionError("chain_gradient returned None: did you forget a `return`?")
    if np.ndim(got) != 0:
        raise AssertionError(f"chain_gradient must return one number (the product); got shape {np.shape(got)}.")
    got = float(got)
    for wrong, hint in ((_expected("lab07.chain_gradient.case0.no_weights"), "you left out the weights w_k"),
                        (np.prod(w * sigmoid(z)),
                         "you used σ(z_k) where the chain rule needs σ'(z_k) = σ(z_k)(1 − σ(z_k))"),
                        (_expected("lab07.chain_gradient.case0.sum"),
                         "the chain rule multiplies the factors of the layers, it does not add them")):
        if np.isclose(got, wrong) and not np.isclose(got, want):
            raise AssertionError(f"chain_gradient gave {got:.6g}; expected {want:.6g}: {hint}.")
    if not np.isclose(got, want, rtol=1e-6):
        raise AssertionError(f"chain_gradient gave {got:.6g}; expected {want:.6g} = Π w_k σ'(z_k).")
    _passed("∂a_L/∂a_0 = Π w_k σ'(z_k): each sigmoid layer multiplies the gradient by at most |w|/4.")
