"""Lab 03's claims: the hand-derived gradients are right, a wrong one is caught, Keras agrees,
mini-batches are faster, and the BP network beats logistic regression on the exam scores."""

import pytest

pytestmark = pytest.mark.notebook


def test_gradients_agree_with_finite_differences_and_the_tape(executed):
    _, r = executed("03_backprop")
    assert r["gradcheck_fd_max_error"] < 1e-6
    assert r["gradcheck_tape_max_error"] < 1e-6
    assert r["gradcheck_tape_max_error"] < r["gradcheck_fd_max_error"]  # the tape has no O(h²) error


def test_wrong_gradient_is_flagged_in_the_layer_it_affects(executed):
    _, r = executed("03_backprop")
    assert r["gradcheck_wrong_flagged"] is True
    assert r["gradcheck_wrong_hidden_error"] > 1e-2
    assert r["gradcheck_wrong_output_error"] < 1e-6


def test_keras_takes_the_same_step(executed):
    _, r = executed("03_backprop")
    assert r["keras_update_loss_drop"] > 0
    assert r["keras_update_loss_diff"] < 1e-12
    assert r["keras_update_weight_diff"] < 1e-12


def test_mini_batch_epoch_is_faster_than_per_sample(executed):
    _, r = executed("03_backprop")
    assert r["speed_ratio"] > 2
    assert r["speed_per_sample_s_per_epoch"] > r["speed_mini_batch_s_per_epoch"]


def test_bp_network_beats_logistic_regression_on_exam_scores(executed):
    _, r = executed("03_backprop")
    assert r["cv_exam_gain_mean"] > 0
    assert r["cv_exam_gain_mean"] > 2 * r["cv_exam_gain_se"]  # more than two standard errors
    assert r["cv_exam_bp_mean"] > r["cv_exam_logreg_mean"]
    assert r["cv_matches_sklearn"] is True


def test_digits_and_sweep_are_measured(executed):
    _, r = executed("03_backprop")
    for key in ("cv_digits_bp_mean", "cv_digits_softmax_mean"):
        assert 0.5 < r[key] <= 1.0
    sweep = r["sweep_val_accuracy"]
    assert {"baseline", "2 hidden layers", "128 hidden units", "relu", "squared error",
            "learning rate 0.05"} == set(sweep)
    assert all(0.0 <= v <= 1.0 for v in sweep.values())


CLAIMS = ("claim_gradients_match_holds", "claim_tape_closer_holds", "claim_wrong_flagged_holds",
          "claim_mini_batch_faster_holds", "claim_bp_beats_logreg_holds", "claim_cv_matches_sklearn_holds",
          "claim_keras_same_step_holds")


@pytest.mark.parametrize("claim", CLAIMS)
def test_the_prose_s_claims_hold(executed, claim):
    _, r = executed("03_backprop")
    assert r[claim] is True, claim


def test_design_exercise_needs_a_choice_and_the_master_s_choice_meets_it(executed):
    _, r = executed("03_backprop")
    from labs.checks import lab03

    assert r["design_parameters"] <= lab03.DESIGN_MAX_PARAMETERS
    assert r["design_accuracy"] >= lab03.DESIGN_TARGET + 0.02  # the master's choice, with room to spare
    assert r["design_baseline_accuracy"] < lab03.DESIGN_TARGET  # the sweep's baseline settings do not do it
