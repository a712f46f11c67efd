"""Lab 01's claims, measured by the notebook and checked here."""

import pytest

pytestmark = pytest.mark.notebook


def test_perceptron_learns_and(executed):
    _, r = executed("01_perceptron")
    assert r["and_converged"] is True
    assert 1 <= r["and_epochs"] < 100


def test_two_linear_layers_collapse(executed):
    _, r = executed("01_perceptron")
    assert r["linear_collapse_max_abs_diff"] < 1e-10


def test_delta_rule_modes(executed):
    _, r = executed("01_perceptron")
    # small learning rate: both modes reach (nearly) the same loss
    for unit in ("linear", "sigmoid"):
        s = r[f"delta_{unit}_stochastic_lr0.002_final_loss"]
        b = r[f"delta_{unit}_batch_lr0.002_final_loss"]
        assert abs(s - b) / s < 0.1
    # larger learning rate: the summed batch step of the linear unit diverges, stochastic does not
    assert r["delta_linear_batch_lr0.01_diverged"] is True
    assert r["delta_linear_stochastic_lr0.01_diverged"] is False
    assert r["delta_linear_stochastic_lr0.01_final_loss"] < 10
