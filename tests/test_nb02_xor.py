"""Lab 02's claims: the perceptron never solves XOR, the 2-2-1 network does."""

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def r(executed):
    return executed("02_xor")[1]


def test_perceptron_never_reaches_zero_errors(r):
    assert r["xor_perceptron_converged"] is False
    assert r["xor_perceptron_min_errors"] > 0
    assert r["xor_perceptron_long_min_errors"] > 0
    assert r["xor_perceptron_cycled"] is True


def test_perceptron_weights_go_round_a_loop_of_one_epoch(r):
    assert r["claim_xor_weights_go_round_holds"] is True


def test_two_two_one_network_reaches_zero_errors(r):
    assert r["xor_mlp_final_errors"] == 0
    assert 1 <= r["xor_mlp_solved_seeds"] <= r["xor_mlp_seeds_tried"]
    assert r["claim_net_solves_within_ten_epochs_holds"] is True
    assert r["xor_mlp_first_solved_epoch"] <= 10


def test_hidden_space_puts_the_mixed_rows_together(r):
    assert r["claim_mixed_rows_close_holds"] is True


def test_the_plain_two_two_one_net_needs_the_design_exercise(r):
    # exercise 3 asks for 18 of 20 starts; the 2-2-1 baseline shown above it must fall short
    assert r["claim_some_two_two_one_starts_stuck_holds"] is True
    assert r["xor_baseline_solved"] < 18
