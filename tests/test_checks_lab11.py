"""Lab 11's self-checks accept right answers and explain the usual mistakes."""

import pytest

from labs import checks


def right_count(sizes):
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def test_parameter_count_check(capsys):
    checks.check_parameter_count(right_count)
    assert capsys.readouterr().out.startswith("✓")


def test_the_numbers_in_the_pass_messages_are_true():
    """The pass messages state 784-500-500-10's size and Seide et al.'s matched width."""
    from labs.models import mlp_parameters, mlp_spec, width_for_parameters

    assert mlp_parameters("784-500-500-10") == 648_010 == right_count([784, 500, 500, 10])
    budget = mlp_parameters(mlp_spec(5, 2048, inputs=429, outputs=9304))
    assert width_for_parameters(1, budget, inputs=429, outputs=9304) == 3772 == right_width(budget, 429, 9304)


def test_checks_try_more_than_one_case():
    # right for the network the message names, wrong for the others
    with pytest.raises(AssertionError, match="expected"):
        checks.check_parameter_count(lambda sizes: 648_010)
    with pytest.raises(AssertionError, match="expected"):
        checks.check_shallow_width(lambda p, i, o: 3772)


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
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize("wrong, message", [
    (lambda p, i, o: round((p - o) / (i + o)), "left out the hidden biases"),
    (lambda p, i, o: round(p / i), r"Solve \(inputs \+ outputs \+ 1\)"),
    (lambda p, i, o: "wide", "must return a number"),
    (lambda p, i, o: None, "forget a `return`"),
])
def test_shallow_width_check_explains(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_shallow_width(wrong)
