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


# lab 10 autoencoders


def pca_reconstruction(X_fit: Any, X: Any, k: int) -> np.ndarray:
    """x̄ + V Vᵀ (x − x̄) with V the first ``k`` principal directions of ``X_fit`` (NumPy SVD)."""
    X_fit, X = np.asarray(X_fit, dtype=np.float64), np.asarray(X, dtype=np.float64)
    mean = X_fit.mean(axis=0)
    _, _, Vt = np.linalg.svd(X_fit - mean, full_matrices=False)
    V = Vt[:k].T
    return mean + (X - mean) @ V @ V.T


def check_pca_reconstruction(reconstruct: Callable) -> None:
    """Exercise: ``reconstruct(X_fit, X, k)`` returns PCA's g(f(x)) = x̄ + V Vᵀ (x − x̄) for each row of X."""
    rng = np.random.default_rng(10)
    X_fit = rng.normal(size=(60, 12)) @ rng.normal(size=(12, 12)) + rng.uniform(1, 3, size=12)
    X = rng.normal(size=(7, 12)) @ rng.normal(size=(12, 12)) + rng.uniform(1, 3, size=12)
    for k in (1, 3, 12):
        got = _call(reconstruct, "reconstruct", X_fit.copy(), X.copy(), k)
        want = pca_reconstruction(X_fit, X, k)
        if got is None:
            raise AssertionError("reconstruct returned None: did you forget a `return`?")
        shape = np.shape(got)
        if shape == (len(X), k) and k != X.shape[1]:
            raise AssertionError(f"reconstruct returned shape {shape}: that is the code f(x) = Vᵀ(x − x̄). "
                                 "Decode it too: g(h) = x̄ + V h.")
        if shape != want.shape:
            raise AssertionError(f"reconstruct(X_fit, X, k={k}) has shape {shape}; expected {want.shape} "
                                 "(one reconstructed row per row of X).")
        got = np.asarray(got, dtype=np.float64)
        if np.allclose(got, want, atol=1e-6):
            continue
        mean = X_fit.mean(axis=0)
        _, _, Vt = np.linalg.svd(X_fit, full_matrices=False)
        hints = [
            (X @ Vt[:k].T @ Vt[:k], "you did not centre: subtract the mean image x̄ of X_fit before the SVD "
                                    "and before projecting, then add it back."),
            (want - mean, "add the mean x̄ back after projecting: g(h) = x̄ + V h."),
            (pca_reconstruction(X, X, k), "fit the mean and the directions on X_fit, not on X."),
        ]
        for wrong, hint in hints:
            if np.allclose(got, wrong, atol=1e-6):
                raise AssertionError(f"With k={k}: {hint}")
        if k < X.shape[1]:
            for other in (k - 1, k + 1):
                if other >= 1 and np.allclose(got, pca_reconstruction(X_fit, X, other), atol=1e-6):
                    raise AssertionError(f"With k={k} you kept {other} directions: keep the first k rows of Vᵀ.")
        check_close(f"reconstruct(X_fit, X, k={k})", got, want, atol=1e-6,
                    hint="Use the first k rows of Vᵀ from np.linalg.svd(X_fit − x̄, full_matrices=False).")
    _passed("PCA reconstruction x̄ + V Vᵀ(x − x̄) is right for k = 1, 3 and 12 (k = all: exact).")


def kl_sparsity(H: Any, rho: float) -> float:
    """Σ_j KL(ρ ‖ ρ̂_j) with ρ̂_j the mean activation of hidden unit j (column j of ``H``)."""
    rho_hat = np.asarray(H, dtype=np.float64).mean(axis=0)
    return float(np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))))


def check_kl_sparsity(penalty: Callable) -> None:
    """Exercise: ``penalty(H, rho)`` is the sparse autoencoder's Σ_j KL(ρ ‖ ρ̂_j) for sigmoid codes ``H``."""
    rng = np.random.default_rng(11)
    H = 1 / (1 + np.exp(-rng.normal(-1.0, 1.5, size=(40, 6))))
    for rho in (0.05, 0.2):
        got = _call(penalty, "penalty", H.copy(), rho)
        want = kl_sparsity(H, rho)
        if np.ndim(got) != 0:
            raise AssertionError(f"penalty must return one number (summed over units); got shape {np.shape(got)}.")
        got = float(got)
        rho_hat = H.mean(axis=0)
        hints = [
            (want / H.shape[1], "you averaged over the hidden units: the penalty sums KL(ρ ‖ ρ̂_j) over units j."),
            (float(np.sum(rho * np.log(rho / rho_hat))), "the second term (1 − ρ) log((1 − ρ)/(1 − ρ̂_j)) is missing."),
            (float(np.sum(rho * np.log(rho / H.mean(axis=1)) + (1 - rho) * np.log((1 - rho) / (1 - H.mean(axis=1))))),
             "ρ̂_j is the mean of unit j over the samples: average each column of H (axis=0), not each row."),
            (float(np.sum(rho_hat * np.log(rho_hat / rho) + (1 - rho_hat) * np.log((1 - rho_hat) / (1 - rho)))),
             "that is KL(ρ̂_j ‖ ρ); the penalty is KL(ρ ‖ ρ̂_j) = ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j))."),
        ]
        if np.isclose(got, want, rtol=1e-6):
            continue
        for wrong, hint in hints:
            if np.isclose(got, wrong, rtol=1e-6):
                raise AssertionError(f"With ρ = {rho}: {hint}")
        raise AssertionError(f"With ρ = {rho} the penalty is {got:.6g}; expected {want:.6g}. "
                             "Compute ρ̂_j = mean of column j, then sum ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j)).")
    _passed("the KL sparsity penalty matches Σ_j KL(ρ ‖ ρ̂_j) for ρ = 0.05 and 0.2.")


# lab 11 why deep


def check_parameter_count(count: Callable) -> None:
    """Exercise: ``count(sizes)`` gives the number of weights and biases of a dense network."""
    from labs.models import mlp_parameters

    for sizes in ([2, 2, 1], [784, 500, 500, 10], [429, 2048, 2048, 9304], [4, 3]):
        got = _call(count, "count", list(sizes))
        want = mlp_parameters(sizes)
        if got is None:
            raise AssertionError("count returned None: did you forget a `return`?")
        weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        if got == weights:
            raise AssertionError(f"For {sizes} you counted {got}: only the weights. Each unit of every layer "
                                 "after the input also has a bias.")
        if got == want + sizes[0]:
            raise AssertionError(f"For {sizes} you counted {got}: the input layer has no biases "
                                 "(it only holds the inputs).")
        if got != want:
            raise AssertionError(f"For {sizes} you counted {got}; expected {want}. A layer of n_out units fed "
                                 "by n_in units has n_in·n_out weights and n_out biases.")
    _passed("parameter counts are right (784-500-500-10 has 648,010).")


def check_shallow_width(width: Callable) -> None:
    """Exercise: ``width(parameters, inputs, outputs)`` is the one-hidden-layer width with that many parameters."""
    from labs.models import mlp_parameters, mlp_spec, width_for_parameters

    cases = [(mlp_parameters("10-20-20-5"), 10, 5),
             (mlp_parameters(mlp_spec(5, 2048, inputs=429, outputs=9304)), 429, 9304),
             (mlp_parameters("784-500-500-10"), 784, 10),
             (mlp_parameters("784-100-100-100-10"), 784, 10)]
    for parameters, n_in, n_out in cases:
        got = _call(width, "width", parameters, n_in, n_out)
        want = width_for_parameters(1, parameters, inputs=n_in, outputs=n_out)
        if got is None:
            raise AssertionError("width returned None: did you forget a `return`?")
        try:
            got_int = int(round(float(got)))
        except (TypeError, ValueError):
            raise AssertionError(f"width must return a number; got {type(got).__name__}.") from None
        if abs(got_int - want) > 1:
            without_bias = (parameters - n_out) / (n_in + n_out)
            hint = (" You left out the hidden biases: the net has (inputs + 1 + outputs)·w + outputs parameters."
                    if abs(got_int - without_bias) <= 1 else
                    " Solve (inputs + outputs + 1)·w + outputs = parameters for w.")
            raise AssertionError(f"For {parameters:,} parameters, {n_in} inputs and {n_out} outputs you gave width "
                                 f"{got_int}; expected {want}.{hint}")
    _passed("one-hidden-layer widths are right: 5 × 2k in Seide et al.'s net has as many parameters as 1 × 3772.")


# --- lab 12 ---------------------------------------------------------------------------------
