"""Lab 07's checks beyond the shared tests: ELU's and leaky ReLU's α, and the 16-layer design choice."""

import numpy as np
import pytest

from labs import checks
from labs.checks import lab07


def _leaky(z, alpha):
    return np.where(z > 0, z, alpha * z)


def _elu(z, alpha):
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def test_an_elu_that_ignores_alpha_fails():
    with pytest.raises(AssertionError, match="use its argument `alpha`"):
        checks.check_activations(_leaky, lambda z, alpha: _elu(z, 1.0))


def test_a_leaky_relu_that_ignores_alpha_fails():
    with pytest.raises(AssertionError, match="use its argument `alpha`"):
        checks.check_activations(lambda z, alpha: _leaky(z, 0.2), _elu)


def test_right_activations_pass(capsys):
    checks.check_activations(_leaky, _elu)
    assert capsys.readouterr().out.startswith("✓")


@pytest.fixture(scope="module")
def digits():
    from labs.claims import training_data
    from labs.profiles import profile

    return training_data(profile("fast"), source="sample")


@pytest.mark.parametrize("bad, message", [
    (lambda: ["tanh"], "must return a dict"),
    (lambda: {"activation": "tanh", "learning_rate": 1.0}, "may choose only"),
    (lambda: {"activation": 3}, "must be a Keras name"),
])
def test_deep_net_settings_are_validated(bad, message):
    with pytest.raises(AssertionError, match=message):
        lab07._deep_net_settings(bad)


def test_deep_net_stub_says_not_written_yet():
    def stub():
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not written yet"):
        checks.check_deep_net(stub, np.zeros((2, 784)), np.zeros((2, 10)))


@pytest.mark.slow
def test_deep_net_check_measures_the_choice(digits, capsys):
    x, y = digits
    checks.check_deep_net(lambda: {"activation": "tanh"}, x, y)
    assert "trains: training accuracy" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"reaches a training accuracy of 0\.1\d\d .* needs 0.4"):
        checks.check_deep_net(lambda: {"activation": "sigmoid"}, x, y)


def test_activations_check_speaks_chinese(capsys):
    import re

    from labs.i18n import speaking

    def elu_ignoring_alpha(z, alpha):
        return _elu(z, 1.0)

    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_activations(_leaky, elu_ignoring_alpha)
    assert re.search(r"[\u4e00-\u9fff]", str(error.value)) and "`alpha`" in str(error.value)
    with speaking("en"), pytest.raises(AssertionError, match="use its argument `alpha`"):
        checks.check_activations(_leaky, elu_ignoring_alpha)
    with speaking("zh"):
        checks.check_activations(_leaky, _elu)
    out = capsys.readouterr().out
    assert out.startswith("✓") and re.search(r"[\u4e00-\u9fff]", out)
