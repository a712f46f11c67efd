"""Lab 01's claims, measured by the notebook and checked here."""

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def r(executed):
    return executed("01_perceptron")[1]


def test_perceptron_learns_and(r):
    assert r["and_converged"] is True
    assert 1 <= r["and_epochs"] < 100
    assert r["claim_and_converges_holds"] is True


def test_the_learned_line_passes_through_a_positive_point(r):
    # the prose: (1, 1) has s = 0 exactly and counts as +1 only because sign(0) = +1
    assert r["claim_and_point_on_line_holds"] is True


def test_from_zero_weights_the_learning_rate_changes_nothing_but_rounding(r):
    assert r["claim_zero_start_rate_free_holds"] is True
    assert r["claim_rate_tenth_breaks_tie_holds"] is True


def test_two_linear_layers_collapse(r):
    assert r["linear_collapse_max_abs_diff"] < 1e-10
    assert r["claim_linear_collapse_holds"] is True


def test_delta_rule_modes(r):
    # small learning rate: both modes reach (nearly) the same loss
    for unit in ("linear", "sigmoid"):
        s = r[f"delta_{unit}_stochastic_lr0.002_final_loss"]
        b = r[f"delta_{unit}_batch_lr0.002_final_loss"]
        assert abs(s - b) / s < 0.1
    # larger learning rate: the summed batch step of the linear unit diverges, stochastic does not
    assert r["delta_linear_batch_lr0.01_diverged"] is True
    assert r["delta_linear_stochastic_lr0.01_diverged"] is False
    assert r["delta_linear_stochastic_lr0.01_final_loss"] < 10
    for claim in ("small_lr_modes_agree", "batch_linear_diverges", "sigmoid_survives"):
        assert r[f"claim_{claim}_holds"] is True, claim
