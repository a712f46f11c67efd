"""Lab 06: the shuffling check insists on the generator it is given; the budget exercise is measured."""

import numpy as np
import pytest

from labs import checks
from labs.checks import lab06


def minibatch_indices(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def global_random(n, batch_size, rng):
    order = np.random.permutation(n)  # ignores rng
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def fixed_shuffle(n, batch_size, rng):
    order = np.random.default_rng(123).permutation(n)  # the same order whatever rng is
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def test_minibatch_indices_check_accepts_the_generator_it_is_given(capsys):
    checks.check_minibatch_indices(minibatch_indices)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("wrong", [global_random, fixed_shuffle])
def test_minibatch_indices_check_wants_the_rng_argument(wrong):
    with pytest.raises(AssertionError, match="rng"):
        checks.check_minibatch_indices(wrong)


def batch_size_for_budget(n, epochs, max_updates):
    return -(-n // (max_updates // epochs))


def rounds_the_wrong_way(n, epochs, max_updates):
    return -(-n * epochs // max_updates)  # ceil(n·E/U): over budget when U/E is not whole


def whole_batch(n, epochs, max_updates):
    return n


def not_written(n, epochs, max_updates):
    raise NotImplementedError()


def test_budget_check_measures_the_right_choice(capsys):
    checks.check_batch_size_for_budget(batch_size_for_budget)
    out = capsys.readouterr().out
    assert "✓ batch 10: 500 of 500 updates in 5 epochs" in out


@pytest.mark.parametrize("wrong, message", [
    (rounds_the_wrong_way, "over the budget"),
    (whole_batch, r"training accuracy 0\.\d+; it needs 0.65"),
    (lambda n, e, u: None, "forget a `return`"),
    (lambda n, e, u: 2.5, "whole number"),
    (not_written, "not written yet"),
])
def test_budget_check_explains(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_batch_size_for_budget(wrong)


def test_half_the_budget_falls_short():
    # the threshold separates using the budget from leaving half of it unused
    n, epochs, _ = lab06.BUDGET_CASE
    assert lab06.measure_budget_run(20, n, epochs, seed=0) < lab06.BUDGET_THRESHOLD


def test_updates_per_epoch_check_speaks_chinese(capsys):
    import re

    from labs.i18n import speaking

    def rounds_down(n, batch_size):
        return n // batch_size

    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_updates_per_epoch(rounds_down)
    assert re.search(r"[\u4e00-\u9fff]", str(error.value))
    with speaking("en"), pytest.raises(AssertionError, match="round up, not down"):
        checks.check_updates_per_epoch(rounds_down)
    with speaking("zh"):
        checks.check_minibatch_indices(minibatch_indices)
    out = capsys.readouterr().out
    assert out.startswith("✓") and re.search(r"[\u4e00-\u9fff]", out)
