"""The NumPy update rules take the same steps as keras.optimizers, and the toy losses are right."""

import numpy as np
import pytest

from labs import optimizers as O

# Keras keeps hyperparameters such as beta_2 = 0.999 in float32, so its steps carry a relative
# error of about 1e-5 (Adam's 1 − β₂ = 0.001 has five correct digits in float32). The paths must
# agree to within 1e-4 of the largest parameter value: far below any difference in the rule.
TOLERANCE = 1e-4
STEPS = 15

CASES = {
    "sgd": {"learning_rate": 0.09},
    "momentum": {"learning_rate": 0.02, "momentum": 0.9},
    "adagrad": {"learning_rate": 0.5},
    "adagrad (Keras' start 0.1)": {"learning_rate": 0.5, "initial_accumulator": 0.1},
    "rmsprop": {"learning_rate": 0.1, "rho": 0.9},
    "adam": {"learning_rate": 0.3, "beta_1": 0.9, "beta_2": 0.999},
}


def path_difference(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(a)))


@pytest.mark.parametrize("label", CASES)
@pytest.mark.parametrize("loss", [O.elongated_bowl(1.0, 10.0), O.elongated_bowl(0.5, 3.0)], ids=["bowl", "bowl2"])
def test_numpy_rule_matches_keras(label, loss):
    name, hyper = label.split()[0], CASES[label]
    w0 = np.array([-4.0, 1.5])
    ours = O.run_steps(O.UPDATES[name], loss.grad, w0, STEPS, **hyper)
    theirs = O.keras_steps(O.keras_optimizer(name, **hyper), loss.grad, w0, STEPS)
    assert ours.shape == theirs.shape == (STEPS + 1, 2)
    assert np.abs(ours[-1] - w0).max() > 0.1, "the optimizer must actually move for the test to mean something"
    assert path_difference(ours, theirs) < TOLERANCE


def test_numpy_rules_match_keras_on_the_bumpy_slope():
    loss = O.bumpy_slope()
    for name, hyper in (("momentum", {"learning_rate": 0.05}), ("adam", {"learning_rate": 0.1})):
        ours = O.run_steps(O.UPDATES[name], loss.grad, [-5.0], STEPS, **hyper)
        theirs = O.keras_steps(O.keras_optimizer(name, **hyper), loss.grad, [-5.0], STEPS)
        assert path_difference(ours, theirs) < TOLERANCE


def test_a_wrong_rule_is_caught_by_the_comparison():
    loss = O.elongated_bowl()
    w0 = np.array([-4.0, 1.5])
    theirs = O.keras_steps(O.keras_optimizer("adagrad", learning_rate=0.5), loss.grad, w0, STEPS)
    no_root = O.run_steps(lambda w, g, s, **h: (w - 0.5 * g / (s.get("q", 0) + g**2), {"q": s.get("q", 0) + g**2}),
                          loss.grad, w0, STEPS)
    assert path_difference(no_root, theirs) > 100 * TOLERANCE


def test_momentum_average_form_equals_movement_form():
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(10, 3))
    beta, eta = 0.9, 0.5
    w, state, m, w_avg = np.zeros(3), {}, np.zeros(3), np.zeros(3)
    for g in grads:
        w, state = O.momentum(w, g, state, learning_rate=eta * (1 - beta), momentum=beta)
        m = beta * m + (1 - beta) * g
        w_avg = w_avg - eta * m
    np.testing.assert_allclose(w, w_avg)


def test_adagrad_first_step_is_a_sign_step():
    w, state = O.adagrad(np.zeros(2), np.array([3.0, -0.01]), {}, learning_rate=0.1, epsilon=0.0)
    np.testing.assert_allclose(w, [-0.1, 0.1])
    assert state["sum_sq"] == pytest.approx([9.0, 1e-4])


def test_toy_losses():
    bowl = O.elongated_bowl(1.0, 10.0)
    assert bowl([1.0, 1.0]) == pytest.approx(5.5)
    np.testing.assert_allclose(bowl.grad(np.array([1.0, 1.0])), [1.0, 10.0])
    grid = np.zeros((4, 5, 2))
    assert bowl(grid).shape == (4, 5)
    slope = O.bumpy_slope()
    w = np.array([0.7])
    numeric = (slope(w + 1e-6) - slope(w - 1e-6)) / 2e-6
    assert slope.grad(w)[0] == pytest.approx(float(numeric), rel=1e-6)
    with pytest.raises(ValueError, match="a must be a positive"):
        O.elongated_bowl(0.0)
    with pytest.raises(ValueError, match="width must be a positive"):
        O.bumpy_slope(width=-1.0)


def test_gradient_descent_diverges_above_two_over_curvature():
    bowl = O.elongated_bowl(1.0, 10.0)
    stable = O.run_steps(O.sgd, bowl.grad, [1.0, 1.0], 50, learning_rate=0.19)
    unstable = O.run_steps(O.sgd, bowl.grad, [1.0, 1.0], 50, learning_rate=0.21)
    assert abs(stable[-1, 1]) < 1e-2 and abs(unstable[-1, 1]) > 10


def test_trajectories_and_validation():
    bowl = O.elongated_bowl()
    paths = O.trajectories(bowl, [1.0, 1.0], 5, {"gd": ("sgd", {"learning_rate": 0.1}),
                                                "mine": (O.momentum, {"learning_rate": 0.1})})
    assert set(paths) == {"gd", "mine"} and paths["gd"].shape == (6, 2)
    with pytest.raises(ValueError, match=r"rules\['x'\] must be one of"):
        O.trajectories(bowl, [1.0, 1.0], 5, {"x": ("lbfgs", {})})
    with pytest.raises(ValueError, match="w0 must be a 1-D array"):
        O.run_steps(O.sgd, bowl.grad, [[1.0, 1.0]], 3)
    with pytest.raises(ValueError, match="steps must be >= 0"):
        O.run_steps(O.sgd, bowl.grad, [1.0, 1.0], -1)
    with pytest.raises(TypeError, match="update must be a function"):
        O.run_steps("sgd", bowl.grad, [1.0, 1.0], 3)
    with pytest.raises(ValueError, match="name must be one of"):
        O.keras_optimizer("lbfgs")


def test_one_mapping_from_name_to_keras_optimizer():
    from labs import training

    for name in ("sgd", "momentum", "adagrad", "rmsprop", "adam"):
        start = {"initial_accumulator_value": O.KERAS_ADAGRAD_START} if name == "adagrad" else {}
        ours, theirs = training.make_optimizer(name, 0.05), O.keras_optimizer(name, learning_rate=0.05, **start)
        assert type(ours) is type(theirs)
        assert {k: v for k, v in ours.get_config().items() if k != "name"} == \
               {k: v for k, v in theirs.get_config().items() if k != "name"}, name
    # the one difference, said in both docstrings: training starts Adagrad where Keras does
    # (lab 08 compares that with the deck's start), the hand-rule twin where the deck does
    assert float(training.make_optimizer("adagrad", 0.1).initial_accumulator_value) == pytest.approx(0.1)
    assert float(training.make_optimizer("adagrad", 0.1, initial_accumulator_value=0.0)
                 .initial_accumulator_value) == 0.0
    assert float(O.keras_optimizer("adagrad").initial_accumulator_value) == 0.0
    with pytest.raises(ValueError, match="not both"):
        O.keras_optimizer("adagrad", initial_accumulator=0.0, initial_accumulator_value=0.1)
