"""Lab 11's self-checks accept right answers and explain the usual mistakes."""

import pytest

from labs import checks


def right_count(sizes):
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def test_parameter_count_check(capsys):
    checks.check_parameter_count(right_count)
    assert "648,010" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])), "only the weights"),
    (lambda sizes: right_count(sizes) + sizes[0], "input layer has no biases"),
    (lambda sizes: right_count(sizes) - 1, "n_in·n_out weights and n_out biases"),
    (lambda sizes: None, "forget a `return`"),
])
def test_parameter_count_check_explains(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_parameter_count(wrong)


def right_width(parameters, inputs, outputs):
    return round((parameters - outputs) / (inputs + outputs + 1))


def test_shallow_width_check(capsys):
    checks.check_shallow_width(right_width)
    assert "3772" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda p, i, o: round((p - o) / (i + o)), "left out the hidden biases"),
    (lambda p, i, o: round(p / i), r"Solve \(inputs \+ outputs \+ 1\)"),
    (lambda p, i, o: "wide", "must return a number"),
    (lambda p, i, o: None, "forget a `return`"),
])
def test_shallow_width_check_explains(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_shallow_width(wrong)
