"""Lab 07's claims: 3 sigmoid layers beat 9, ReLU beats sigmoid at 9, gradients vanish, scale inputs."""

import pytest

from labs.claims import MARGIN

pytestmark = pytest.mark.notebook


def test_three_sigmoid_layers_beat_nine_and_relu_beats_sigmoid(executed):
    _, r = executed("07_activation")
    for key in ("depth", "relu"):
        assert r[f"claim_{key}_holds"] is True
        assert r[f"claim_{key}_lead"] >= MARGIN
    assert r["depth_9_sigmoid_accuracy"] < 0.15  # "stays at the accuracy of guessing"
    assert r["depth_9_relu_accuracy"] > r["depth_3_layers_accuracy"]  # "higher than the 3-layer baseline"


def test_sigmoid_gradients_vanish_towards_the_input_and_relu_ones_do_not(executed):
    _, r = executed("07_activation")
    assert r["vanishing_ratio_sigmoid_at_start"] < 1e-3  # "many orders of magnitude"
    assert r["vanishing_ratio_sigmoid_trained"] < 1e-3  # "and still after training"
    for when in ("at_start", "trained"):
        assert 0.05 < r[f"vanishing_ratio_relu_{when}"] < 20  # "within a small factor"


def test_every_activation_with_slope_one_trains_nine_layers(executed):
    _, r = executed("07_activation")
    zoo = r["zoo_accuracy"]
    sigmoid = zoo.pop("9 layers, sigmoid")
    assert set(zoo) == {"9 layers, ReLU", "9 layers, tanh", "9 layers, Leaky ReLU", "9 layers, ELU"}
    gap = min(zoo.values()) - sigmoid
    assert gap >= MARGIN
    assert max(zoo.values()) - min(zoo.values()) < gap  # "small next to that gap"


def test_unscaled_inputs_saturate_sigmoid_and_kill_relu(executed):
    _, r = executed("07_activation")
    assert r["saturated_sigmoid"]["0..255"] > 0.9 and r["saturated_sigmoid"]["0..1"] < 0.05
    loss, grad = r["start_loss"], r["start_first_grad"]
    assert loss["relu, 0..255"] > 10 * 2.303  # "more than ten times ln 10"
    assert grad["relu, 0..255"] > 100 * grad["relu, 0..1"]  # "hundreds of times larger"
    assert r["start_largest_output"]["relu, 0..255"] > 100  # "outputs in the hundreds"
    accuracy, dead = r["scaling_accuracy"], r["scaling_dead_units"]
    assert accuracy["3 layers, ReLU, 0..255"] < 0.2  # "near guessing"
    assert accuracy["3 layers, ReLU, 0..1"] - accuracy["3 layers, ReLU, 0..255"] >= MARGIN
    assert dead["3 layers, ReLU, 0..255"] > 0.5  # "most hidden units ... dead"
    assert accuracy["3 layers, sigmoid, 0..255"] > 0.2  # "the sigmoid network still learns on unscaled inputs"


def test_the_squeeze_is_layer_by_layer_backward_and_forward(executed):
    _, r = executed("07_activation")
    grads = r["sigmoid_start_grad_norms"]
    assert all(upper > 2 * lower for lower, upper in zip(grads, grads[1:]))  # "roughly constant factor"
    sigmoid, relu = r["sigmoid_start_spread"][:-1], r["relu_start_spread"][:-1]
    assert sigmoid[-1] < 1e-3 * sigmoid[0]  # "nearly the same output for every image"
    assert relu[-1] / relu[0] > 100 * sigmoid[-1] / sigmoid[0]  # ReLU's spread shrinks "far less"


CLAIMS = ("depth", "relu", "deep_sigmoid_at_chance", "sigmoid_gradient_vanishes", "sigmoid_spread_shrinks",
          "relu_above_baseline", "relu_gradients_flow", "zoo_trains", "unscaled_sigmoid_saturates",
          "unscaled_relu_dies")


def test_every_sentence_stating_a_measured_direction_holds(executed):
    _, r = executed("07_activation")
    assert {k for k in r if k.startswith("claim_") and k.endswith("_holds")} == {f"claim_{c}_holds" for c in CLAIMS}
    assert [c for c in CLAIMS if r[f"claim_{c}_holds"] is not True] == []


def test_the_keras_run_written_out_measures_both_accuracies(executed):
    _, r = executed("07_activation")
    by_hand = r["keras_by_hand"]
    assert set(by_hand) == {"running_average", "evaluated"}
    assert by_hand["evaluated"] < 0.15  # the written-out run is the 9-layer sigmoid network: it stays at chance


def test_the_page_keeps_the_criteria_out_and_names_the_decks_errors(executed):
    run, _ = executed("07_activation")
    import nbformat

    nb = nbformat.read(run.executed, as_version=4)
    page = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    shown = "\n".join(str(o) for c in nb.cells if c.cell_type == "code" and "Recorded for" not in c.source
                      for o in c.get("outputs", []))
    assert "worst-seed lead" not in shown and "margin:" not in shown.lower()
    assert "as the slides do" not in page and "lab's" in page
    assert "Nair & Hinton (2010)" in page and "Glorot, Bordes & Bengio (2011)" in page
    assert "running average" in page and "**Terms · 术语**" in page
