import numpy as np
import pytest

from labs import neurons
from labs.data import truth_table


def test_sign_maps_zero_to_plus_one():
    assert neurons.sign(np.array([-2.0, 0.0, 3.0])).tolist() == [-1, 1, 1]


SMOOTH = sorted(set(neurons.ACTIVATIONS) - {"sign"})  # sign is a step: its own test below


@pytest.mark.parametrize("name", SMOOTH)
def test_activation_derivatives_match_finite_differences(name):
    f, f_prime = neurons.activation(name)
    s = np.array([-3.0, -0.7, 0.4, 2.5])  # away from kinks
    h = 1e-6
    np.testing.assert_allclose(f_prime(s), (f(s + h) - f(s - h)) / (2 * h), rtol=1e-5, atol=1e-8)


def test_sign_is_a_step_with_zero_derivative_away_from_0():
    f, f_prime = neurons.activation("sign")
    s = np.array([-3.0, -0.7, 0.4, 2.5])
    h = 1e-6
    np.testing.assert_array_equal(f(s), [-1, -1, 1, 1])
    np.testing.assert_array_equal(f_prime(s), (f(s + h) - f(s - h)) / (2 * h))  # flat on both sides
    assert f(-1e-9) == -1 and f(0.0) == 1  # the jump at 0, where no derivative exists


def test_sigmoid_is_stable_for_large_inputs():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = neurons.sigmoid(np.array([-1000.0, 1000.0]))
    assert out.tolist() == [0.0, 1.0]


def test_unknown_activation_is_rejected():
    with pytest.raises(ValueError, match="name must be one of"):
        neurons.activation("softplus")


def test_perceptron_learns_and_and_stops():
    X, t = truth_table("and", bipolar=True)
    run = neurons.train_perceptron(X, t, lr=0.5)
    assert run.converged and run.errors[-1] == 0
    assert np.all(neurons.sign(X @ run.w + run.b) == t)


def test_perceptron_detects_cycle_on_xor():
    X, t = truth_table("xor", bipolar=True)
    run = neurons.train_perceptron(X, t, lr=0.5, max_epochs=200)
    assert not run.converged and run.cycled
    assert min(run.errors) > 0
    assert run.epochs < 200


def test_perceptron_validates_targets_and_shapes():
    X, t = truth_table("and")  # 0/1 targets are wrong for a sign unit
    with pytest.raises(ValueError, match="bipolar"):
        neurons.train_perceptron(X, t)
    with pytest.raises(ValueError, match="same number of rows"):
        neurons.train_perceptron(X, np.ones(3))
    with pytest.raises(ValueError, match="2-D"):
        neurons.train_perceptron(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match="lr must be a positive"):
        neurons.train_perceptron(X, 2 * t - 1, lr=-1)


@pytest.mark.parametrize("unit", ["linear", "sigmoid"])
def test_delta_rule_gradient_matches_finite_differences(unit):
    rng = np.random.default_rng(0)
    X, t, w, b = rng.normal(size=(7, 3)), rng.uniform(size=7), rng.normal(size=3), 0.2
    gw, gb = neurons.delta_rule_gradient(w, b, X, t, unit)
    h = 1e-6
    numeric = [
        (neurons.delta_rule_loss(w + h * e, b, X, t, unit) - neurons.delta_rule_loss(w - h * e, b, X, t, unit)) / (2 * h)
        for e in np.eye(3)
    ]
    np.testing.assert_allclose(gw, numeric, rtol=1e-6)
    numeric_b = (neurons.delta_rule_loss(w, b + h, X, t, unit) - neurons.delta_rule_loss(w, b - h, X, t, unit)) / (2 * h)
    assert gb == pytest.approx(numeric_b, rel=1e-6)


@pytest.mark.parametrize("mode", ["stochastic", "batch"])
def test_delta_rule_lowers_the_loss(mode):
    X, t = truth_table("and")
    run = neurons.train_delta_rule(X, t, unit="sigmoid", mode=mode, lr=0.5, epochs=50)
    assert run.loss[-1] < run.loss[0] / 2 and not run.diverged
    assert run.updates_per_epoch == (4 if mode == "stochastic" else 1)


def test_delta_rule_flags_divergence():
    X = np.random.default_rng(0).normal(size=(200, 2)) * 3
    run = neurons.train_delta_rule(X, X[:, 0], unit="linear", mode="batch", lr=1.0, epochs=100)
    assert run.diverged and len(run.loss) < 101


def test_delta_rule_validates_options():
    X, t = truth_table("and")
    with pytest.raises(ValueError, match="unit must be one of"):
        neurons.train_delta_rule(X, t, unit="relu")
    with pytest.raises(ValueError, match="mode must be one of"):
        neurons.train_delta_rule(X, t, mode="minibatch")
    with pytest.raises(TypeError, match="epochs must be an integer"):
        neurons.train_delta_rule(X, t, epochs=2.5)
