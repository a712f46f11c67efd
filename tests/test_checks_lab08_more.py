"""Lab 08's checks beyond the shared tests: ε's place in Adagrad, and the momentum design choice."""

import re

import numpy as np
import pytest

from labs import checks
from labs.checks import lab08
from labs.i18n import speaking

_HAN = re.compile(r"[\u4e00-\u9fff]")


def _adagrad(w, g, sum_sq, lr):
    sum_sq = sum_sq + g**2
    return w - lr * g / np.sqrt(sum_sq + 1e-7), sum_sq


def _adagrad_eps_outside(w, g, sum_sq, lr):
    sum_sq = sum_sq + g**2
    return w - lr * g / (np.sqrt(sum_sq) + 1e-7), sum_sq


def test_adagrad_with_epsilon_outside_the_root_fails():
    with pytest.raises(AssertionError, match="ε belongs inside the root"):
        checks.check_adagrad_update(_adagrad_eps_outside)


def test_adagrad_right_answer_passes(capsys):
    checks.check_adagrad_update(_adagrad)
    assert capsys.readouterr().out.count("✓") == 1


def test_momentum_settings_that_reach_the_target_pass(capsys):
    checks.check_momentum_settings(lambda: (0.25, 0.7))
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("settings, message", [
    ((0.05, 0.9), r"needs 0\.001"),  # the lab's own momentum run: too slow
    ((0.15, 0.0), r"needs 0\.001"),  # plain gradient descent cannot get there
    ((0.5, 0.5), "above its start"),  # diverges across the valley
    ((0.1, 1.0), r"must be in \[0, 1\)"),
    ((-0.1, 0.5), "positive number"),
    ((0.1,), "must return a pair"),
    (("fast", 0.5), "must be numbers"),
])
def test_momentum_settings_that_miss_say_why(settings, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_momentum_settings(lambda: settings)


def test_momentum_settings_stub_says_not_written_yet():
    def stub():
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not written yet"):
        checks.check_momentum_settings(stub)


def test_measure_momentum_takes_the_worst_start_and_survives_overflow():
    starts = [(-4.0, 1.5), (3.0, -4.0)]
    worst = lab08.measure_momentum(lambda: (0.25, 0.7), starts)
    assert worst == max(lab08.measure_momentum(lambda: (0.25, 0.7), [s]) for s in starts) <= lab08.MOMENTUM_TARGET
    assert lab08.measure_momentum(lambda: (5.0, 0.9)) > 1e100  # diverged, and no warning escapes


# -- the Chinese edition: the same checks speak Chinese under speaking("zh"), English otherwise --------------

def _momentum(w, g, movement, lr, momentum):
    movement = momentum * movement - lr * g
    return w + movement, movement


_WRONG_ANSWERS = {  # a typical mistake for each of lab 08's checks, and a piece of its English message
    "adagrad, plain gradient descent": (checks.check_adagrad_update, lambda w, g, s, lr: (w - lr * g, s + g**2),
                                        "that is plain gradient descent"),
    "momentum, wrong sign": (checks.check_momentum_update,
                             lambda w, g, v, lr, lam: (w + lam * v + lr * g, lam * v + lr * g), "wrong sign"),
    "momentum settings, too slow": (checks.check_momentum_settings, lambda: (0.05, 0.9), r"it needs 0\.001"),
}


@pytest.mark.parametrize("check, wrong, english", _WRONG_ANSWERS.values(), ids=list(_WRONG_ANSWERS))
def test_a_wrong_answer_is_explained_in_chinese_and_still_in_english(check, wrong, english):
    with speaking("zh"), pytest.raises(AssertionError) as chinese:
        check(wrong)
    assert _HAN.search(str(chinese.value)), str(chinese.value)
    assert not re.search(english, str(chinese.value))
    with speaking("en"), pytest.raises(AssertionError, match=english) as plain:
        check(wrong)
    assert not _HAN.search(str(plain.value))


@pytest.mark.parametrize("check, right", [(checks.check_adagrad_update, _adagrad),
                                          (checks.check_momentum_update, _momentum),
                                          (checks.check_momentum_settings, lambda: (0.25, 0.7))],
                         ids=["adagrad", "momentum", "momentum settings"])
def test_the_passed_line_is_chinese(check, right, capsys):
    with speaking("zh"):
        check(right)
    out = capsys.readouterr().out
    assert out.startswith("✓ ") and out.count("✓") == 1 and _HAN.search(out), out
