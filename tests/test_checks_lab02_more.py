"""Lab 02's design exercise and the small NumPy network it trains."""

import numpy as np
import pytest

from labs import checks, neurons
from labs.checks import lab02
from labs.data import truth_table


def test_a_wide_enough_net_with_a_good_rate_passes(capsys):
    checks.check_xor_design(4, 5.0)
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize(("hidden", "lr"), [(2, 2.0), (2, 5.0), (3, 0.5)])
def test_too_narrow_or_too_slow_fails_with_the_count(hidden, lr):
    with pytest.raises(AssertionError, match=r"of 20 random starts solved XOR"):
        checks.check_xor_design(hidden, lr)


@pytest.mark.parametrize(("hidden", "lr", "message"), [
    (5, 1.0, "between 2 and 4"),
    (2.5, 1.0, "whole number"),
    (True, 1.0, "whole number"),
    (3, None, "lr must be a number"),
    (3, -1.0, "positive"),
    (3, float("nan"), "positive"),
])
def test_bad_values_are_named(hidden, lr, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_xor_design(hidden, lr)


def test_outcome_is_deterministic_per_seed():
    a = lab02.xor_design_outcome(3, 5.0, [7, 8, 9])
    assert a == lab02.xor_design_outcome(3, 5.0, [7, 8, 9])
    assert 0.0 <= a["solved"] <= 1.0 and len(a["errors"]) == 3


def test_one_small_step_lowers_the_loss():
    # a small step of train_small_net goes downhill on the mean cross-entropy
    X, t = truth_table("xor")
    lr = 1e-3
    before, after = neurons.train_small_net(X, t, hidden=3, lr=lr, updates=1, seed=4).loss
    assert after < before


def test_small_net_learns_xor_and_or():
    X, t = truth_table("or")
    assert neurons.train_small_net(X, t, hidden=2, lr=2.0, updates=300, seed=0).errors == 0
    X, t = truth_table("xor")
    run = neurons.train_small_net(X, t, hidden=4, lr=5.0, updates=300, seed=0)
    assert run.errors == 0 and len(run.loss) == 301 and run.loss[-1] < run.loss[0]


def test_perceptron_path_ends_where_train_perceptron_does():
    X, t = truth_table("and", bipolar=True)
    path = neurons.perceptron_path(X, t, lr=0.5, epochs=6)
    run = neurons.train_perceptron(X, t, lr=0.5, max_epochs=100)
    assert path.shape == (25, 3)
    np.testing.assert_array_equal(path[4::4], np.array(run.weights))


def test_a_wrong_xor_network_is_explained_in_chinese_and_still_in_english():
    import re

    from labs.i18n import speaking

    zeros = (np.zeros((2, 2)), np.zeros(2), np.zeros(2), 0.0)
    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_xor_network(*zeros)
    assert re.search(r"[\u4e00-\u9fff]", str(error.value)) and "还不是异或" in str(error.value)
    with speaking("en"), pytest.raises(AssertionError, match="Not XOR yet"):
        checks.check_xor_network(*zeros)


def test_the_passed_line_is_chinese(capsys):
    from labs.i18n import speaking

    with speaking("zh"):
        checks.check_xor_network(np.array([[1.0, -1.0], [1.0, -1.0]]), np.array([-0.5, 1.5]),
                                 np.array([1.0, 1.0]), -1.0)
    out = capsys.readouterr().out
    assert out.startswith("✓") and "异或" in out
