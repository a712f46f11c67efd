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
