"""Lab 10's design exercise: ρ and β for a sparse code within a reconstruction budget, measured by
training (a few seconds per case)."""

import pytest

from labs import checks
from labs.checks import lab10


def kl(H, rho):
    from keras import ops

    rho_hat = ops.mean(H, axis=0)
    return ops.sum(rho * ops.log(rho / rho_hat) + (1 - rho) * ops.log((1 - rho) / (1 - rho_hat)))


def test_a_balanced_choice_passes(capsys):
    checks.check_sparse_choice(kl, 0.02, 0.3)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("rho, beta, message", [
    (0.1, 0.1, "not sparse enough"),      # a weak pull towards a high target
    (0.05, 1.0, "too little of the image"),   # sparse, but the penalty outweighs the reconstruction
])
def test_unbalanced_choices_fail_with_the_measured_reason(rho, beta, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_sparse_choice(kl, rho, beta)


@pytest.mark.parametrize("rho, beta, message", [
    (0.0, 0.3, "rho must lie strictly between 0 and 1"),
    (1.5, 0.3, "rho must lie strictly between 0 and 1"),
    (0.05, -1.0, "beta must lie strictly above 0"),
    ("a", 0.3, "rho must be a number"),
])
def test_settings_out_of_range_are_named(rho, beta, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_sparse_choice(kl, rho, beta)


def test_the_master_choice_holds_over_seeds():
    """The hidden test draws the seed: the master's choice keeps a margin on both budgets."""
    for seed in (1, 2):
        activation, mse = lab10.measure_sparse_code(kl, 0.02, 0.3, seed=seed)
        assert activation <= lab10.SPARSE_MAX_ACTIVATION - 0.015
        assert mse <= lab10.SPARSE_MAX_MSE - 0.004


# -- the Chinese edition: the same checks speak Chinese under speaking("zh") ------------------

HAN = r"[\u4e00-\u9fff]"


def pca(X_fit, X, k):
    import numpy as np

    mean = X_fit.mean(axis=0)
    Vt = np.linalg.svd(X_fit - mean, full_matrices=False)[2][:k]
    return mean + (X - mean) @ Vt.T @ Vt


def test_a_wrong_answer_is_explained_in_chinese_and_still_in_english():
    import re

    from labs.i18n import speaking

    def not_centred(X_fit, X, k):
        import numpy as np

        Vt = np.linalg.svd(X_fit, full_matrices=False)[2][:k]
        return X @ Vt.T @ Vt

    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_pca_reconstruction(not_centred)
    assert re.search(HAN, str(error.value)) and "X_fit" in str(error.value)
    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_sparse_choice(kl, 0.0, 0.3)
    assert re.search(HAN, str(error.value)) and "rho" in str(error.value)
    with speaking("en"), pytest.raises(AssertionError, match="you did not centre") as error:
        checks.check_pca_reconstruction(not_centred)
    assert not re.search(HAN, str(error.value))


def test_the_passed_line_is_chinese(capsys):
    import re

    from labs.i18n import speaking

    with speaking("zh"):
        checks.check_pca_reconstruction(pca)
    out = capsys.readouterr().out
    assert out.startswith("✓") and re.search(HAN, out)
