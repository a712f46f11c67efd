"""Lab 01's design exercise: a learning rate, threshold and start from which the rule learns AND."""

import numpy as np
import pytest

from labs import checks
from labs.checks import lab01


def test_a_start_one_correction_away_passes(capsys):
    checks.check_and_choice(0.25, -2.5, [1.0, 1.0])
    out = capsys.readouterr().out
    assert out.startswith("✓") and "at most 2 epochs" in out


def test_a_start_that_is_already_a_solution_is_refused():
    with pytest.raises(AssertionError, match="already computes AND"):
        checks.check_and_choice(0.5, -1.5, [1.0, 1.0])
    with pytest.raises(AssertionError, match="already computes AND"):
        checks.check_and_choice(0.25, -2.0, [1.0, 1.0])  # (1, 1) on the line: sign(0) = +1


def test_the_zero_start_is_too_slow():
    with pytest.raises(AssertionError, match="took 6 epochs"):
        checks.check_and_choice(0.5, 0.0, [0.0, 0.0])


def test_a_threshold_of_the_wrong_sign_fails():
    with pytest.raises(AssertionError, match="epochs"):
        checks.check_and_choice(0.5, 2.0, [-1.0, -1.0])


@pytest.mark.parametrize(("args", "message"), [
    ((None, 0.0, [0.0, 0.0]), "lr is None"),
    ((-0.5, 0.0, [0.0, 0.0]), "positive"),
    ((0.5, "x", [0.0, 0.0]), "b0 must be a number"),
    ((0.5, 0.0, None), "w0 is None"),
    ((0.5, 0.0, [0.0, 0.0, 1.0]), "shape"),
])
def test_bad_values_are_named(args, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_and_choice(*args)


def test_outcome_depends_on_order_only_through_the_rule():
    got = lab01.and_choice_outcome(0.25, -2.5, [1.0, 1.0], np.array([3, 1, 0, 2]))
    assert got == {"start_errors": 1, "converged": True, "epochs": 2, "errors": [1, 0]}


def test_the_too_slow_start_is_explained_in_chinese_and_still_in_english():
    import re

    from labs.i18n import speaking

    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_and_choice(0.5, 0.0, [0.0, 0.0])
    assert re.search(r"[\u4e00-\u9fff]", str(error.value)) and "6 轮" in str(error.value)
    with speaking("en"), pytest.raises(AssertionError, match="took 6 epochs"):
        checks.check_and_choice(0.5, 0.0, [0.0, 0.0])


def test_the_passed_line_is_chinese(capsys):
    from labs.i18n import speaking

    with speaking("zh"):
        checks.check_and_choice(0.25, -2.5, [1.0, 1.0])
    out = capsys.readouterr().out
    assert out.startswith("✓") and "至多 2 轮" in out and "AND" in out
