"""Gradient checks: finite differences, the tape, and the comparison table."""

import numpy as np
import pytest

from labs import backprop as bp
from labs import gradcheck


def test_numerical_gradient_of_a_quadratic_and_params_restored():
    p = np.array([1.0, -2.0, 0.5])
    grads = gradcheck.numerical_gradient(lambda: float(np.sum(p**2)), [p])
    np.testing.assert_allclose(grads[0], 2 * p, rtol=1e-8)
    np.testing.assert_array_equal(p, [1.0, -2.0, 0.5])


def test_numerical_gradient_rejects_non_float_arrays():
    with pytest.raises(TypeError, match="float64"):
        gradcheck.numerical_gradient(lambda: 0.0, [np.array([1, 2])])
    with pytest.raises(ValueError, match="h must be a positive"):
        gradcheck.numerical_gradient(lambda: 0.0, [np.zeros(2)], h=0)


@pytest.mark.parametrize("hidden", bp.HIDDEN)
@pytest.mark.parametrize("loss", sorted(bp.LOSSES))
def test_tape_agrees_with_backward(hidden, loss):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(5, 3)), bp.one_hot(rng.integers(0, 2, 5), 2)
    net = bp.init_network([3, 4, 4, 2], hidden=hidden, loss=loss)
    for a, t in zip(bp.backward(net, X, Y), gradcheck.tape_gradients(net, X, Y)):
        np.testing.assert_allclose(a, t, rtol=1e-10, atol=1e-14)


def test_verdict_scale():
    assert gradcheck.verdict(1e-10) == "correct"
    assert gradcheck.verdict(1e-5).startswith("suspicious")
    assert gradcheck.verdict(1e-3) == "probably wrong"
    assert gradcheck.verdict(0.5) == "wrong"
    assert gradcheck.verdict(float("nan")) == "wrong"  # e.g. a gradient that overflowed
    assert gradcheck.verdict(np.inf) == "wrong"


def test_relative_error_reads_round_off_next_to_an_exact_zero_as_no_error():
    assert gradcheck.verdict(gradcheck.relative_error(0.0, 1e-11)) != "wrong"
    assert gradcheck.relative_error(0.0, 1e-11) <= 1e-3
    # beside entries of size 1, a true 0 computed as 1e-11 is round-off
    assert gradcheck.verdict(gradcheck.relative_error([1.0, 0.0], [1.0, 1e-11])) == "correct"
    # a small entry that is really wrong still shows
    assert gradcheck.verdict(gradcheck.relative_error([1.0, 1e-4], [1.0, -1e-4])) == "wrong"
    assert gradcheck.verdict(gradcheck.relative_error([1e-6], [2e-6])) == "wrong"
    assert gradcheck.relative_error([], []) == 0.0


def test_compare_gradients_table():
    table = gradcheck.compare_gradients([np.ones(2), np.ones((2, 2))], [np.ones(2), -np.ones((2, 2))], ["a", "B"])
    assert list(table.index) == ["a", "B"]
    assert table.loc["a", "verdict"] == "correct" and table.loc["B", "verdict"] == "wrong"
    assert table.loc["B", "shape"] == "(2, 2)"


def test_compare_gradients_validates():
    with pytest.raises(ValueError, match="same length"):
        gradcheck.compare_gradients([np.ones(2)], [], ["a"])
    with pytest.raises(ValueError, match=r"candidate gradient a must have the reference.s shape \(2,\); got \(3,\)"):
        gradcheck.compare_gradients([np.ones(2)], [np.ones(3)], ["a"])
