"""Lab 08's checks beyond the shared tests: ε's place in Adagrad, and the momentum design choice."""

import numpy as np
import pytest

from labs import checks
from labs.checks import lab08


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
