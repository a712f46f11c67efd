"""Lab 08's claims: learning-rate regimes, the NumPy rules equal Keras', momentum rolls through a
shallow minimum, and the adaptive/momentum rules beat the slides' plain SGD on MNIST."""

import math

import pytest

pytestmark = pytest.mark.notebook

SMALL, RIGHT, LARGE = "too small (η = 0.01)", "about right (η = 0.1)", "too large (η = 0.205)"


def test_learning_rate_regimes_on_the_valley(executed):
    _, r = executed("08_optimizers")
    final, start = r["opt_bowl_final_loss"], r["opt_bowl_start_loss"]
    assert final[RIGHT] < 1e-2 * final[SMALL]
    assert final[SMALL] < start
    assert final[LARGE] > start


def test_learning_rate_regimes_on_mnist(executed):
    _, r = executed("08_optimizers")
    loss = r["opt_mnist_lr_loss"]
    small, slides, right, large = (loss[k] for k in ("η = 0.001 (too small)", "η = 0.1 (the slides')",
                                                    "η = 1 (about right)", "η = 10 (too large)"))
    assert small > 0.9 * math.log(10), "η = 0.001 should hardly move the loss from ln 10"
    assert right < min(small, slides, large) - 0.05
    assert large > right + 0.05


def test_numpy_rules_match_keras(executed):
    _, r = executed("08_optimizers")
    assert r["opt_keras_steps"] >= 10
    assert set(r["opt_keras_difference"]) == {"sgd", "momentum", "adagrad", "rmsprop", "adam"}
    assert max(r["opt_keras_difference"].values()) < 1e-4
    assert max(r["opt_keras_difference"], key=r["opt_keras_difference"].get) == "adam"


def test_valley_paths(executed):
    _, r = executed("08_optimizers")
    zigzags, first, final = r["opt_valley_w2_sign_changes"], r["opt_valley_first_step"], r["opt_valley_final_loss"]
    gd = "gradient descent (η = 0.18)"
    assert zigzags[gd] == r["opt_keras_steps"], "w2 should change sign at every step"
    assert abs(first[gd][1]) > 2 * abs(first[gd][0])
    assert abs(r["opt_valley_final_w"][gd][0]) > 1.0, "gradient descent should still crawl along w1"
    assert final["momentum (η = 0.05, λ = 0.9)"] < 0.1 * final[gd]
    for adaptive in ("Adagrad (η = 0.5)", "RMSProp (η = 0.1)", "Adam (η = 0.3)"):
        assert abs(abs(first[adaptive][0]) - abs(first[adaptive][1])) < 1e-2
        assert final[adaptive] < final[gd] / 3


def test_momentum_rolls_through_the_shallow_minimum(executed):
    _, r = executed("08_optimizers")
    ends, losses = r["opt_slope_final_w"], r["opt_slope_final_loss"]
    assert abs(ends["momentum"] - r["opt_slope_global_minimum"]) < 0.1
    assert abs(ends["gradient descent"]) < 1.0, "gradient descent should stop in the dip near w = 0"
    assert losses["gradient descent"] > losses["momentum"] + 0.5


def test_optimizers_beat_plain_sgd_on_mnist(executed):
    _, r = executed("08_optimizers")
    race = r["opt_race"]
    sgd = race["SGD (η = 0.1, the slides')"]["training loss"]
    for name in ("momentum (η = 0.1, λ = 0.9)", "Adagrad (η = 0.01, sum from 0)", "RMSProp (η = 0.001)",
                 "Adam (η = 0.001)"):
        assert race[name]["training loss"] < 0.8 * sgd, name
    assert (race["Adagrad (η = 0.01, sum from 0)"]["training loss"]
            < race["Adagrad (η = 0.01, Keras' start 0.1)"]["training loss"])
    assert all(row["seconds per epoch"] > 0 for row in race.values())
    assert r["opt_race_seeds"] >= 2


CLAIMS = ("bowl_regimes", "eta_one_lowest", "rules_match_keras", "valley_paths", "momentum_rolls_through",
          "rules_beat_sgd")


def test_every_sentence_stating_a_measured_direction_holds(executed):
    _, r = executed("08_optimizers")
    assert {k for k in r if k.startswith("claim_") and k.endswith("_holds")} == {f"claim_{c}_holds" for c in CLAIMS}
    assert [c for c in CLAIMS if r[f"claim_{c}_holds"] is not True] == []


def test_the_page_names_the_decks_errors_and_shows_listings_collapsed(executed):
    run, _ = executed("08_optimizers")
    import nbformat

    nb = nbformat.read(run.executed, as_version=4)
    page = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "uncorrected" in page and "saddle point" in page and "plateau" in page
    assert "*curvature*" in page.split("## 1.")[1].split("Take the")[0]  # defined before it is used
    assert "**Terms · 术语**" in page
    listing = next(c for c in nb.cells if c.cell_type == "code" and "show_source" in c.source)
    assert any("<details>" in "".join(o.get("data", {}).get("text/html", "")) for o in listing.outputs)
