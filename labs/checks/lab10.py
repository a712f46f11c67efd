"""Self-checks of lab 10 (autoencoders)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labs.checks._common import _call, _expected, _passed, check_close

PCA_KEPT = (1, 3, 12)
KL_RHOS = (0.05, 0.2)


def _pca_reconstruction_cases() -> list[tuple[np.ndarray, np.ndarray, int]]:
    """(X_fit, X, k): 60 rows to fit on, 7 other rows to reconstruct, 12 features, k = 1, 3 and all 12."""
    rng = np.random.default_rng(10)
    X_fit = rng.normal(size=(60, 12)) @ rng.normal(size=(12, 12)) + rng.uniform(1, 3, size=12)
    X = rng.normal(size=(7, 12)) @ rng.normal(size=(12, 12)) + rng.uniform(1, 3, size=12)
    return [(X_fit, X, k) for k in PCA_KEPT]


def check_pca_reconstruction(reconstruct: Callable) -> None:
    """Exercise: ``reconstruct(X_fit, X, k)`` returns PCA's g(f(x)) = x̄ + V Vᵀ (x − x̄) for each row of X."""
    for case, (X_fit, X, k) in enumerate(_pca_reconstruction_cases()):
        key = f"lab10.pca_reconstruction.case{case}"
        got = _call(reconstruct, "reconstruct", X_fit.copy(), X.copy(), k)
        want = _expected(key)
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
        hints = [
            (_expected(f"{key}.not_centred"), "you did not centre: subtract the mean image x̄ of X_fit before the SVD "
                                              "and before projecting, then add it back."),
            (want - X_fit.mean(axis=0), "add the mean x̄ back after projecting: g(h) = x̄ + V h."),
            (_expected(f"{key}.fit_on_X"), "fit the mean and the directions on X_fit, not on X."),
        ]
        for wrong, hint in hints:
            if np.allclose(got, wrong, atol=1e-6):
                raise AssertionError(f"With k={k}: {hint}")
        if k < X.shape[1]:
            for other in (k - 1, k + 1):
                if other >= 1 and np.allclose(got, _expected(f"{key}.k{other}"), atol=1e-6):
                    raise AssertionError(f"With k={k} you kept {other} directions: keep the first k rows of Vᵀ.")
        check_close(f"reconstruct(X_fit, X, k={k})", got, want, atol=1e-6,
                    hint="Use the first k rows of Vᵀ from np.linalg.svd(X_fit − x̄, full_matrices=False).")
    _passed("PCA reconstruction x̄ + V Vᵀ(x − x̄) is right for k = 1, 3 and 12 (k = all: exact).")


def _kl_sparsity_cases() -> list[tuple[np.ndarray, float]]:
    """(H, ρ): sigmoid codes of 40 samples on 6 hidden units, mostly below 0.5, for ρ = 0.05 and 0.2."""
    rng = np.random.default_rng(11)
    H = 1 / (1 + np.exp(-rng.normal(-1.0, 1.5, size=(40, 6))))
    return [(H, rho) for rho in KL_RHOS]


def check_kl_sparsity(penalty: Callable) -> None:
    """Exercise: ``penalty(H, rho)`` is the sparse autoencoder's Σ_j KL(ρ ‖ ρ̂_j) for sigmoid codes ``H``."""
    for case, (H, rho) in enumerate(_kl_sparsity_cases()):
        key = f"lab10.kl_sparsity.case{case}"
        got = _call(penalty, "penalty", H.copy(), rho)
        want = float(_expected(key))
        if np.ndim(got) != 0:
            raise AssertionError(f"penalty must return one number (summed over units); got shape {np.shape(got)}.")
        got = float(got)
        rho_hat = H.mean(axis=0)
        hints = [
            (want / H.shape[1], "you averaged over the hidden units: the penalty sums KL(ρ ‖ ρ̂_j) over units j."),
            (float(np.sum(rho * np.log(rho / rho_hat))), "the second term (1 − ρ) log((1 − ρ)/(1 − ρ̂_j)) is missing."),
            (float(_expected(f"{key}.row_means")),
             "ρ̂_j is the mean of unit j over the samples: average each column of H (axis=0), not each row."),
            (float(_expected(f"{key}.reversed")),
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
