"""Lab 04's claims: the three-step Keras model trains, predicts like evaluate, and reloads exactly."""

import pytest

pytestmark = pytest.mark.notebook


def test_saved_and_reloaded_model_predicts_identically(executed):
    _, r = executed("04_mnist_mlp")
    assert r["mnist_reloaded_identical"] is True
    assert r["mnist_reloaded_max_difference"] == 0.0


def test_predict_argmax_matches_evaluate(executed):
    _, r = executed("04_mnist_mlp")
    assert r["mnist_predict_accuracy"] == pytest.approx(r["mnist_test_accuracy"], abs=1e-6)


def test_network_learns_and_is_still_rising(executed):
    _, r = executed("04_mnist_mlp")
    assert r["mnist_parameters"] == 648_010
    assert r["mnist_train_accuracy"] > 0.4 and r["mnist_test_accuracy"] > 0.4  # guessing gives 0.1
    assert r["mnist_last_epoch_gain"] > 0


def test_misclassified_and_confusion_matrix_agree(executed):
    _, r = executed("04_mnist_mlp")
    total, correct = r["mnist_confusion_total"], r["mnist_confusion_correct"]
    assert total - correct == r["mnist_misclassified"]
    assert correct / total == pytest.approx(r["mnist_test_accuracy"], abs=1e-6)
    rates = r["mnist_digit_error_rates"]
    assert len(rates) == 10 and max(rates) - min(rates) > 0.05  # errors are not spread evenly


CLAIMS = ("claim_still_rising_holds", "claim_small_gap_holds", "claim_predict_matches_evaluate_holds",
          "claim_reload_identical_holds", "claim_errors_uneven_holds", "claim_slides_settings_slow_holds")


@pytest.mark.parametrize("claim", CLAIMS)
def test_the_prose_s_claims_hold(executed, claim):
    _, r = executed("04_mnist_mlp")
    assert r[claim] is True, claim


def test_generalisation_gap_is_measured_with_evaluate(executed):
    _, r = executed("04_mnist_mlp")
    assert 0.4 < r["mnist_train_eval_accuracy"] <= 1.0
    assert abs(r["mnist_train_eval_accuracy"] - r["mnist_test_accuracy"]) < 0.06


def test_budget_exercise_needs_a_choice_and_the_master_s_choice_meets_it(executed):
    _, r = executed("04_mnist_mlp")
    from labs.checks import lab04

    assert r["budget_choice_loss"] <= lab04.BUDGET_TARGET_LOSS - 0.15  # with room to spare
    assert r["budget_slides_settings_loss"] > 2.0  # section 4's settings stay near guessing (ln 10 = 2.30)
