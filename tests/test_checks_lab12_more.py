"""Lab 12's new self-checks: the leaky-ReLU start (measured on drawn networks) and the residual
block's bias-free projection."""

import numpy as np
import pytest

from labs import checks
from labs.checks.lab12 import LEVEL, spread_factor


def right_std(fan_in, negative_slope):
    return np.sqrt(2.0 / ((1.0 + negative_slope**2) * fan_in))


def test_leaky_relu_std_check_passes_the_derived_start(capsys):
    checks.check_leaky_relu_std(right_std)
    assert capsys.readouterr().out.startswith("✓")


def test_the_measurement_tells_level_from_typical_slips():
    for slope in (0.0, 0.5, 1.0):
        assert abs(np.log(spread_factor(right_std(400, slope), 400, slope, seed=3))) < LEVEL / 2
    assert spread_factor(np.sqrt(2 / 400), 400, 0.5, seed=3) > np.exp(LEVEL)      # He's σ for a leaky ReLU
    assert spread_factor(np.sqrt(1 / 400), 400, 0.0, seed=3) < np.exp(-LEVEL)     # Xavier's σ for ReLU


@pytest.mark.parametrize("wrong, message", [
    (lambda n, a: np.sqrt(2.0 / n), "work out E\\[f\\(s\\)²\\] again"),
    (lambda n, a: 2.0 / ((1.0 + a**2) * n), "variance rather than the standard deviation"),
    (lambda n, a: np.sqrt(2.0 / ((1.0 + a) * n)), "times the σ that keeps it level"),
    (lambda n, a: np.sqrt(2.0 / ((1.0 + a**2) * 200)), "times the σ that keeps it level"),
    (lambda n, a: None, "forget a `return`"),
    (lambda n, a: -0.1, "positive number"),
    (lambda n, a: "he", "one number"),
])
def test_leaky_relu_std_check_explains(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_leaky_relu_std(wrong)


def test_leaky_relu_std_stub_is_not_written_yet():
    def stub(fan_in, negative_slope):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not written yet"):
        checks.check_leaky_relu_std(stub)


def test_residual_check_names_a_projection_with_a_bias():
    import keras

    def block(x, width, activation="relu"):
        f = keras.layers.Dense(width, activation=activation)(x)
        f = keras.layers.Dense(width)(f)
        shortcut = x if x.shape[-1] == width else keras.layers.Dense(width)(x)
        return keras.layers.Activation(activation)(keras.layers.Add()([f, shortcut]))

    with pytest.raises(AssertionError, match="projection has a bias"):
        checks.check_residual_block(block)


# -- the Chinese edition: the same checks speak Chinese under speaking("zh") ------------------

HAN = r"[\u4e00-\u9fff]"


def test_a_wrong_answer_is_explained_in_chinese_and_still_in_english():
    import re

    from labs.i18n import speaking

    def he_for_leaky(n, a):
        return np.sqrt(2.0 / n)

    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_leaky_relu_std(he_for_leaky)
    assert re.search(HAN, str(error.value)) and "E[f(s)²]" in str(error.value)
    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_xavier_uniform(lambda fan_in, fan_out, rng: rng.normal(0, np.sqrt(1 / fan_in), (fan_in, fan_out)))
    assert re.search(HAN, str(error.value)) and "LeCun" in str(error.value)
    with speaking("en"), pytest.raises(AssertionError, match="work out E\\[f\\(s\\)²\\] again") as error:
        checks.check_leaky_relu_std(he_for_leaky)
    assert not re.search(HAN, str(error.value))


def test_the_passed_line_is_chinese(capsys):
    import re

    from labs.i18n import speaking

    with speaking("zh"):
        checks.check_leaky_relu_std(right_std)
        checks.check_he_normal(lambda fan_in, fan_out, rng: rng.normal(0, np.sqrt(2 / fan_in), (fan_in, fan_out)))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith("✓") and re.search(HAN, line) for line in lines)
