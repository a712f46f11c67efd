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
    assert accuracy["3 layers, sigmoid, 0..255"] > accuracy["3 layers, sigmoid, 0..1"]  # "even higher"


def test_the_squeeze_is_layer_by_layer_backward_and_forward(executed):
    _, r = executed("07_activation")
    grads = r["sigmoid_start_grad_norms"]
    assert all(upper > 2 * lower for lower, upper in zip(grads, grads[1:]))  # "roughly constant factor"
    sigmoid, relu = r["sigmoid_start_spread"][:-1], r["relu_start_spread"][:-1]
    assert sigmoid[-1] < 1e-3 * sigmoid[0]  # "nearly the same output for every image"
    assert relu[-1] / relu[0] > 100 * sigmoid[-1] / sigmoid[0]  # ReLU's spread shrinks "far less"
