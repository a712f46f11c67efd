"""Lab 05's claims: cross-entropy beats square error, and the gradients and surfaces say why."""

import pytest

from labs.claims import MARGIN

pytestmark = pytest.mark.notebook


def test_cross_entropy_beats_square_error_on_every_seed(executed):
    _, r = executed("05_loss")
    assert r["claim_loss_holds"] is True
    assert r["claim_loss_lead"] >= MARGIN
    assert r["loss_ce_accuracy"] - r["loss_se_accuracy"] >= MARGIN  # "stays far below"


def test_square_error_gradient_vanishes_when_confidently_wrong(executed):
    _, r = executed("05_loss")
    assert r["loss_grad_ce_when_wrong"] > 0.99  # "a gradient near 1"
    assert r["loss_grad_se_when_wrong"] < 0.01 * r["loss_grad_ce_when_wrong"]  # "all but vanished"


def test_every_layer_gets_a_much_smaller_gradient_under_square_error(executed):
    _, r = executed("05_loss")
    assert r["loss_grad_ratio_min"] > 10  # "a small fraction" in every layer


def test_square_error_surface_has_plateaus_on_the_wrong_side(executed):
    _, r = executed("05_loss")
    assert r["surface_flat_share_se"] > 0.1
    assert r["surface_flat_share_ce"] == 0.0
    assert r["surface_min_slope_wrong_ce"] > 0.05  # "keeps a slope everywhere on that side"


LAB05_CLAIMS = {
    "claim_loss_holds", "claim_loss_ahead_on_every_seed_holds", "claim_se_gradient_vanishes_holds",
    "claim_every_layer_smaller_under_se_holds", "claim_plateaus_on_wrong_side_holds",
}


def test_every_sentence_the_page_checks_holds(executed):
    _, r = executed("05_loss")
    claims = {k: v for k, v in r.items() if k.startswith("claim_") and k.endswith("_holds")}
    assert set(claims) == LAB05_CLAIMS
    assert all(v is True for v in claims.values()), claims


def test_the_plain_keras_run_is_recorded(executed):
    _, r = executed("05_loss")
    # the written-out square-error run is a real run of the comparison's set-up: near chance, as in section 2
    assert 0 < r["loss_plain_keras_se_logged"] < r["loss_ce_accuracy"] - 0.2
    assert 0 < r["loss_plain_keras_se_evaluated"] < r["loss_ce_accuracy"] - 0.2
