"""Lab 11's self-checks accept right answers and explain the usual mistakes."""

import math

import numpy as np
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
    (lambda p, i, o: round(p / (i * o)), "solve for w"),
    (lambda p, i, o: "wide", "must return a number"),
    (lambda p, i, o: None, "forget a `return`"),
])
def test_shallow_width_check_explains(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_shallow_width(wrong)


@pytest.mark.parametrize("wrong, message", [
    (lambda p, i, o: math.floor((p - o) / (i + o + 1)), "round, not floor or ceil"),
    (lambda p, i, o: math.ceil((p - o) / (i + o + 1)), "round, not floor or ceil"),
    (lambda p, i, o: round(p / (i + o + 1)), "output layer's biases"),
])
def test_shallow_width_check_wants_the_closest_width(wrong, message):
    """Off-by-one widths (a rounding slip, a forgotten output bias) no longer pass the public check."""
    with pytest.raises(AssertionError, match=message):
        checks.check_shallow_width(wrong)


def right_sawtooth(depth):
    n = 2**depth
    v = np.where(np.arange(n) % 2 == 1, -2.0 * n, 2.0 * n)
    v[0] = n
    return np.ones(n), -np.arange(n) / n, v, 0.0


def test_one_layer_sawtooth_check(capsys):
    checks.check_one_layer_sawtooth(right_sawtooth)
    assert capsys.readouterr().out.startswith("✓")


def test_the_sawtooth_reference_is_the_stacked_tents():
    from labs.checks.lab11 import _sawtooth

    def tent(x):
        return 2 * np.maximum(0, x) - 4 * np.maximum(0, x - 0.5)

    x = np.linspace(0, 1, 1001)
    y = x
    for depth in range(1, 6):
        y = tent(y)
        assert np.allclose(_sawtooth(x, depth), y)


def _padded(depth):
    w, b, v, c = right_sawtooth(depth)
    return np.r_[w, 1.0], np.r_[b, -5.0], np.r_[v, 1.0], c   # a unit that never fires on [0, 1]


@pytest.mark.parametrize("wrong, message", [
    (lambda d: (*right_sawtooth(d)[:3], 1.0), "look at the output bias c"),
    (lambda d: (*right_sawtooth(d)[:2], -right_sawtooth(d)[2], 0.0), "upside down"),
    (lambda d: (np.ones(2**d), -np.arange(2**d) / 2**d, 2**d * (-1.0) ** np.arange(2**d), 0.0), "changes the slope"),
    (_padded, "it can be done with"),
    (lambda d: (np.ones(3), np.zeros(2), np.ones(3), 0.0), "one entry per hidden unit"),
    (lambda d: right_sawtooth(d)[:3], "four parts"),
    (lambda d: None, "forget a `return`"),
])
def test_one_layer_sawtooth_check_explains(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_one_layer_sawtooth(wrong)


def test_one_layer_sawtooth_stub_is_not_written_yet():
    def stub(depth):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not written yet"):
        checks.check_one_layer_sawtooth(stub)


def test_checks_speak_chinese_when_asked(capsys):
    import re

    from labs.i18n import speaking

    def only_weights(sizes):
        return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))

    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_parameter_count(only_weights)
    assert re.search(r"[\u4e00-\u9fff]", str(error.value)) and "[2, 2, 1]" in str(error.value)
    with speaking("en"), pytest.raises(AssertionError, match="only the weights"):
        checks.check_parameter_count(only_weights)
    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_one_layer_sawtooth(lambda d: (*right_sawtooth(d)[:3], 1.0))
    assert re.search(r"[\u4e00-\u9fff]", str(error.value)) and "c" in str(error.value)
    with speaking("zh"):
        checks.check_shallow_width(right_width)
    out = capsys.readouterr().out
    assert out.startswith("✓") and re.search(r"[\u4e00-\u9fff]", out) and "3772" in out
