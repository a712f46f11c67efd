"""Lab 02's claims: the perceptron never solves XOR, the 2-2-1 network does."""

import pytest

pytestmark = pytest.mark.notebook


def test_perceptron_never_reaches_zero_errors(executed):
    _, r = executed("02_xor")
    assert r["xor_perceptron_converged"] is False
    assert r["xor_perceptron_min_errors"] > 0
    assert r["xor_perceptron_long_min_errors"] > 0
    assert r["xor_perceptron_cycled"] is True


def test_two_two_one_network_reaches_zero_errors(executed):
    _, r = executed("02_xor")
    assert r["xor_mlp_final_errors"] == 0
    assert 1 <= r["xor_mlp_solved_seeds"] <= r["xor_mlp_seeds_tried"]
