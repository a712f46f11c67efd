"""The self-checks accept right answers and explain wrong ones."""

import numpy as np
import pytest

from labs import checks, neurons


def test_check_close_messages():
    checks.check_close("x", [1.0, 2.0], [1.0, 2.0])
    with pytest.raises(AssertionError, match="shape"):
        checks.check_close("x", [1.0], [1.0, 2.0])
    with pytest.raises(AssertionError, match="opposite sign"):
        checks.check_close("x", [-1.0, -2.0], [1.0, 2.0])
    with pytest.raises(AssertionError, match=r"at index \(1,\)"):
        checks.check_close("x", [1.0, 2.5], [1.0, 2.0])
    with pytest.raises(AssertionError, match="forget a `return`"):
        checks.check_close("x", None, [1.0])
    with pytest.raises(AssertionError, match="NaN"):
        checks.check_close("x", [np.nan], [1.0])


def test_relative_error():
    assert checks.relative_error([1.0], [1.0]) == 0
    assert checks.relative_error([1.0], [3.0]) == pytest.approx(0.5)


def test_perceptron_update_check(capsys):
    checks.check_perceptron_update(neurons.perceptron_update)
    assert "✓" in capsys.readouterr().out

    def forgets_bias(w, b, x, t, lr):
        z = neurons.sign(x @ w + b)
        return w + lr * (t - z) * x, b

    with pytest.raises(AssertionError, match="new_b"):
        checks.check_perceptron_update(forgets_bias)

    def not_written(w, b, x, t, lr):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not written yet"):
        checks.check_perceptron_update(not_written)

    with pytest.raises(AssertionError, match="pair"):
        checks.check_perceptron_update(lambda w, b, x, t, lr: w)


def test_sigmoid_gradient_check():
    checks.check_sigmoid_gradient(lambda w, b, X, t: neurons.delta_rule_gradient(w, b, X, t, "sigmoid"))
    with pytest.raises(AssertionError, match="linear unit"):
        checks.check_sigmoid_gradient(lambda w, b, X, t: neurons.delta_rule_gradient(w, b, X, t, "linear"))

    def flipped(w, b, X, t):
        gw, gb = neurons.delta_rule_gradient(w, b, X, t, "sigmoid")
        return -gw, -gb

    with pytest.raises(AssertionError, match="opposite sign"):
        checks.check_sigmoid_gradient(flipped)


def test_xor_network_check():
    W1 = np.array([[1.0, -1.0], [1.0, -1.0]])
    b1 = np.array([-0.5, 1.5])
    checks.check_xor_network(W1, b1, np.array([1.0, 1.0]), -1.5)
    with pytest.raises(AssertionError, match="Not XOR yet"):
        checks.check_xor_network(W1, b1, np.array([1.0, 1.0]), 0.5)
    with pytest.raises(AssertionError, match="W1 must have shape"):
        checks.check_xor_network(np.ones(2), b1, np.ones(2), 0.0)
    with pytest.raises(AssertionError, match="None"):
        checks.check_xor_network(None, b1, np.ones(2), 0.0)


def test_separating_line_check():
    H = np.array([[0.1, 0.1], [0.9, 0.1], [0.1, 0.9], [0.9, 0.9]])
    t = np.array([-1, 1, 1, 1])
    checks.check_separating_line(H, t, np.array([1.0, 1.0]), -0.5)
    with pytest.raises(AssertionError, match="wrong side"):
        checks.check_separating_line(H, t, np.array([1.0, 1.0]), -1.5)
