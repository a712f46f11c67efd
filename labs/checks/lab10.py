"""Self-checks of lab 10 (autoencoders)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from labs.checks._common import _call, _passed, check_close


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

