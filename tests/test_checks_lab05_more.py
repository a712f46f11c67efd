"""Lab 05's measured exercise: a learning rate that lets square error train (the check trains it)."""

import pytest

from labs import checks
from labs.checks import lab05


@pytest.mark.parametrize("rate, message", [
    (10.0, "✓"),
    (0.1, "far too small"),
    (100.0, "chance level"),
])
def test_se_learning_rate_measures_the_choice(rate, message, capsys):
    if message == "✓":
        checks.check_se_learning_rate(rate)
        assert "✓ with square error and learning rate 10, training accuracy after 10 epochs" in capsys.readouterr().out
    else:
        with pytest.raises(AssertionError, match=message):
            checks.check_se_learning_rate(rate)


@pytest.mark.parametrize("rate, message", [(None, "not chosen yet"), ("ten", "must be a number"),
                                           (-1.0, "positive"), (float("nan"), "positive")])
def test_se_learning_rate_rejects_non_rates(rate, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_se_learning_rate(rate)


def test_the_slides_rate_stays_at_chance_with_square_error():
    # the exercise's premise: with 0.1, square error is far from the threshold in 10 epochs
    assert lab05.measure_se_learning_rate(0.1, seed=0) < lab05.SE_RATE_THRESHOLD - 0.1


def test_ce_gradient_check_speaks_chinese():
    import re

    from labs.i18n import speaking

    def forgot_softmax(z, t):
        return z - t

    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_ce_gradient(forgot_softmax)
    assert re.search(r"[\u4e00-\u9fff]", str(error.value))
    with speaking("en"), pytest.raises(AssertionError, match="you returned z − t"):
        checks.check_ce_gradient(forgot_softmax)


def test_se_gradient_passes_in_chinese(capsys):
    import re

    from labs.backprop import softmax
    from labs.i18n import speaking

    def se_gradient(z, t):
        y = softmax(z)
        g = 2 * (y - t)
        return y * (g - (g * y).sum(axis=1, keepdims=True))

    with speaking("zh"):
        checks.check_se_gradient(se_gradient)
    out = capsys.readouterr().out
    assert out.startswith("✓") and re.search(r"[\u4e00-\u9fff]", out)
