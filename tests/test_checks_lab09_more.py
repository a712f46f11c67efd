"""Lab 09's newer self-checks: the penalty coefficient (measured in Keras) and a dropout mask that
must come from the generator it is given."""

import re

import numpy as np
import pytest

from labs import checks
from labs.checks import lab09
from labs.i18n import speaking

_HAN = re.compile(r"[\u4e00-\u9fff]")


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


# -- the Chinese edition: the same checks speak Chinese under speaking("zh"), English otherwise --------------

def _inverted_dropout(a, keep_prob, rng):
    return a * (rng.random(np.shape(a)) < keep_prob) / keep_prob


_WRONG_ANSWERS = {  # a typical mistake for each of lab 09's checks, and a piece of its English message
    "dropout, inverted": (lambda wrong: checks.check_hand_dropout(wrong, right_test_weights), _inverted_dropout,
                          "The slides' rule leaves them unchanged"),
    "weight decay, no learning rate": (checks.check_weight_decay_update,
                                       lambda w, g, lr, lam: w * (1 - lam) - lr * g, "include the learning rate"),
    "penalty, the deck's coefficient": (checks.check_penalty_coefficient, lambda lr, eps: 2 * eps / lr,
                                        "deck 001's 2ε/η"),
}


@pytest.mark.parametrize("check, wrong, english", _WRONG_ANSWERS.values(), ids=list(_WRONG_ANSWERS))
def test_a_wrong_answer_is_explained_in_chinese_and_still_in_english(check, wrong, english):
    with speaking("zh"), pytest.raises(AssertionError) as chinese:
        check(wrong)
    assert _HAN.search(str(chinese.value)), str(chinese.value)
    assert english not in str(chinese.value)
    with speaking("en"), pytest.raises(AssertionError, match=english) as plain:
        check(wrong)
    assert not _HAN.search(str(plain.value))


@pytest.mark.parametrize("run", [
    lambda: checks.check_hand_dropout(right_dropout, right_test_weights),
    lambda: checks.check_weight_decay_update(lambda w, g, lr, lam: w * (1 - lr * lam) - lr * g),
    lambda: checks.check_penalty_coefficient(right_coefficient),
], ids=["dropout", "weight decay", "penalty"])
def test_the_passed_line_is_chinese(run, capsys):
    with speaking("zh"):
        run()
    out = capsys.readouterr().out
    assert out.startswith("✓ ") and out.count("✓") == 1 and _HAN.search(out), out
