"""Lab 09's newer self-checks: the penalty coefficient (measured in Keras) and a dropout mask that
must come from the generator it is given."""

import numpy as np
import pytest

from labs import checks
from labs.checks import lab09


def right_coefficient(lr, epsilon):
    return epsilon / (2 * lr)


def test_penalty_check_passes(capsys):
    checks.check_penalty_coefficient(right_coefficient)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda lr, eps: 2 * eps / lr, "deck 001's 2ε/η"),
    (lambda lr, eps: eps / lr, "gradient of c·wᵀw is 2c·w"),
    (lambda lr, eps: eps / (4 * lr), "Half the shrink"),
    (lambda lr, eps: eps, "multiplies the penalty's gradient by η"),
    (lambda lr, eps: eps * lr, "set it equal to"),
    (lambda lr, eps: -eps / (2 * lr), "positive coefficient"),
    (lambda lr, eps: None, "forget a `return`"),
    (lambda lr, eps: [eps, lr], "one number"),
])
def test_penalty_check_explains_mistakes(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_penalty_coefficient(wrong)


def test_penalty_check_not_written():
    def stub(lr, epsilon):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not written yet"):
        checks.check_penalty_coefficient(stub)


def test_penalty_shrink_is_measured_not_computed():
    """The measurement goes through Keras' L2 penalty: c = ε/(2η) gives 1 − ε, the deck's c gives 1 − 4ε."""
    assert np.allclose(lab09.penalty_shrink(0.05, 0.1), 0.99, rtol=1e-6)
    assert np.allclose(lab09.penalty_shrink(2 * 0.01 / 0.1, 0.1), 0.96, rtol=1e-6)
    assert lab09.penalty_shrink(0.05, 0.1, start=np.ones(7)).shape == (7,)


def right_dropout(a, keep_prob, rng):
    return a * (rng.random(np.shape(a)) < keep_prob)


def right_test_weights(W, keep_prob):
    return W * keep_prob


def test_dropout_check_passes(capsys):
    checks.check_hand_dropout(right_dropout, right_test_weights)
    assert "✓" in capsys.readouterr().out


def test_dropout_check_catches_the_global_generator():
    """A mask from np.random passes every other test of the public check; the hidden test would fail it."""
    def global_dropout(a, keep_prob, rng):
        return a * (np.random.random(np.shape(a)) < keep_prob)

    with pytest.raises(AssertionError, match="not from np.random"):
        checks.check_hand_dropout(global_dropout, right_test_weights)
