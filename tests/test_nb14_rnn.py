"""Lab 14's claims: the deck's recurrent units are Keras' layers, the gradient vanishes (or
explodes) step by step, and gated cells learn the long dependency a SimpleRNN does not."""

import math

import pytest

pytestmark = pytest.mark.notebook

STEM = "14_rnn"


@pytest.fixture(scope="module")
def r(executed):
    return executed(STEM)[1]


def test_hand_written_steps_match_keras(r):
    assert r["elman_vs_keras"] < 1e-5
    assert r["gru_vs_keras"]["reset_after=False"] < 1e-5
    assert r["lstm_vs_keras"] < 1e-5
    assert r["mgu_vs_tied_gru"] < 1e-5


def test_the_deck_is_not_keras_default_gru(r):
    assert r["gru_vs_keras"]["reset_after=True"] > 1e-2


def test_parameter_counts(r):
    p = r["parameters"]
    block = 16 * (2 + 16) + 16
    assert p["SimpleRNN (Elman)"] == block
    assert p["minimal gated unit (2 blocks)"] == 2 * block
    assert p["GRU, reset_after=False (deck)"] == 3 * block
    assert p["GRU, reset_after=True (Keras' default)"] == 3 * block + 3 * 16
    assert p["LSTM"] == 4 * block


def test_simple_rnn_gradient_falls_with_distance(r):
    norms = r["rnn_grad_norms"]
    for gain in ("gain 0.5", "gain 1"):
        back = norms[gain][::-1]  # back[d]: d steps before the last output
        samples = back[:51:10]  # further back, gain 0.5 underflows float32 to 0
        assert all(a > b for a, b in zip(samples, samples[1:])), gain
        assert back[50] < 0.3 * back[0], gain
    assert norms["gain 0.5"][-51] < 1e-10 * norms["gain 0.5"][-1]
    factor = r["rnn_grad_factor"]
    assert factor["gain 0.5"] < 0.6
    assert 0.9 < factor["gain 1"] < 1.0  # "a few per cent per step"


def test_simple_rnn_gradient_explodes_with_large_recurrent_weights(r):
    norms, factor = r["rnn_grad_norms"], r["rnn_grad_factor"]
    assert factor["gain 1.5"] > 1 and factor["gain 3"] > 1.2
    assert norms["gain 3"][-51] > 1e5 * norms["gain 3"][-1]  # "a factor of millions over 50 steps" (>1e5)
    assert norms["gain 3"][-51] > norms["gain 1.5"][-51] > norms["gain 1"][-51] > norms["gain 0.5"][-51]


def test_gated_cells_beat_simple_rnn_at_the_longest_dependency(r):
    mse, worst = r["adding_mse"], r["adding_mse_worst_seed"]
    baseline = r["adding_baseline"]
    assert baseline == pytest.approx(1 / 6)
    longest = max(mse["SimpleRNN"], key=int)
    shortest = min(mse["SimpleRNN"], key=int)
    assert mse["SimpleRNN"][longest] > 0.9 * baseline  # no better than answering 1
    for cell in ("GRU", "LSTM"):
        assert mse[cell][longest] < mse["SimpleRNN"][longest] / 10, cell  # "more than ten times smaller"
        assert worst[cell][longest] < baseline / 5, cell  # "even their worst seed stays below a fifth"
    for cell in ("SimpleRNN", "GRU", "LSTM"):  # everyone learns the shortest
        assert worst[cell][shortest] < baseline / 5, cell
    assert max(mse["GRU"][shortest], mse["LSTM"][shortest]) < mse["SimpleRNN"][shortest]


def test_trained_gated_cells_still_depend_on_the_first_half(r):
    reach = r["trained_first_half_over_second_half"]
    assert reach["SimpleRNN"] < 0.01  # "orders of magnitude smaller" than on the last steps
    for cell in ("GRU", "LSTM"):
        assert reach[cell] > 0.1 and reach[cell] > 30 * reach["SimpleRNN"], cell
        assert math.isfinite(reach[cell])
