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
