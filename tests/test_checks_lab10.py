"""Lab 10's self-checks accept right answers and explain the usual mistakes."""

import numpy as np
import pytest

from labs import checks


def right_pca(X_fit, X, k):
    mean = X_fit.mean(axis=0)
    _, _, Vt = np.linalg.svd(X_fit - mean, full_matrices=False)
    return mean + (X - mean) @ Vt[:k].T @ Vt[:k]


def test_pca_check_passes(capsys):
    checks.check_pca_reconstruction(right_pca)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda X_fit, X, k: X @ np.linalg.svd(X_fit, full_matrices=False)[2][:k].T
     @ np.linalg.svd(X_fit, full_matrices=False)[2][:k], "did not centre"),
    (lambda X_fit, X, k: right_pca(X_fit, X, k) - X_fit.mean(axis=0), "add the mean"),
    (lambda X_fit, X, k: right_pca(X, X, k), "fit the mean and the directions on X_fit"),
    (lambda X_fit, X, k: right_pca(X_fit, X, min(k + 1, X.shape[1])), "you kept 2 directions"),
    (lambda X_fit, X, k: (X - X_fit.mean(axis=0)) @ np.linalg.svd(X_fit - X_fit.mean(axis=0))[2][:k].T,
     "that is the code"),
    (lambda X_fit, X, k: right_pca(X_fit, X, k)[:3], "has shape"),
    (lambda X_fit, X, k: None, "forget a `return`"),
])
def test_pca_check_explains_mistakes(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_pca_reconstruction(wrong)


def test_pca_check_not_written():
    def stub(X_fit, X, k):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not written yet"):
        checks.check_pca_reconstruction(stub)


def right_kl(H, rho):
    from keras import ops

    rho_hat = ops.mean(H, axis=0)
    return ops.sum(rho * ops.log(rho / rho_hat) + (1 - rho) * ops.log((1 - rho) / (1 - rho_hat)))


def numpy_kl(H, rho):
    rho_hat = H.mean(axis=0)
    return np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat)))


def test_kl_check_passes(capsys):
    checks.check_kl_sparsity(right_kl)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda H, rho: right_kl(H, rho) / H.shape[1], "averaged over the hidden units"),
    (lambda H, rho: np.sum(rho * np.log(rho / H.mean(axis=0))), "second term"),
    (lambda H, rho: np.sum(rho * np.log(rho / H.mean(axis=1)) + (1 - rho) * np.log((1 - rho) / (1 - H.mean(axis=1)))),
     "average each column"),
    (lambda H, rho: np.sum(H.mean(0) * np.log(H.mean(0) / rho) + (1 - H.mean(0)) * np.log((1 - H.mean(0)) / (1 - rho))),
     r"KL\(ρ̂_j ‖ ρ\)"),
    (lambda H, rho: rho * np.log(rho / H.mean(axis=0)), "one number"),
    (lambda H, rho: 2 * right_kl(H, rho), "expected"),
    (numpy_kl, "keras.ops"),
])
def test_kl_check_explains_mistakes(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_kl_sparsity(wrong)


def test_kl_check_not_written():
    def stub(H, rho):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not written yet"):
        checks.check_kl_sparsity(stub)
