"""Recurrent helpers: the adding problem, gate weights by the deck's names, per-step gradients."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from labs import plots, rnn


def test_adding_problem_marks_one_step_in_each_half():
    x, y = rnn.adding_problem(200, 20, seed=3)
    assert x.shape == (200, 20, 2) and y.shape == (200,) and x.dtype == np.float32
    marks = x[:, :, 1]
    assert np.all(marks.sum(axis=1) == 2)
    assert np.all(marks[:, :10].sum(axis=1) == 1) and np.all(marks[:, 10:].sum(axis=1) == 1)
    np.testing.assert_allclose(y, (x[:, :, 0] * marks).sum(axis=1), rtol=1e-6)
    assert 0 <= x[:, :, 0].min() and x[:, :, 0].max() <= 1
    again, _ = rnn.adding_problem(200, 20, seed=3)
    other, _ = rnn.adding_problem(200, 20, seed=4)
    assert np.array_equal(x, again) and not np.array_equal(x, other)


def test_adding_baseline_is_the_variance_of_the_target():
    _, y = rnn.adding_problem(20000, 10, seed=0)
    assert np.mean((y - 1) ** 2) == pytest.approx(rnn.ADDING_BASELINE_MSE, rel=0.05)


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0, "length": 5}, "n must be >= 1"),
    ({"n": 3, "length": 1}, "length must be >= 2"),
    ({"n": 3, "length": 5.0}, "length must be an integer"),
])
def test_adding_problem_validates(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        rnn.adding_problem(**kwargs)


@pytest.mark.parametrize("kind, params", [("SimpleRNN", 4 * (2 + 4) + 4), ("gru", 3 * (4 * (2 + 4) + 8)),
                                          ("LSTM", 4 * (4 * (2 + 4) + 4))])
def test_build_recurrent(kind, params):
    model = rnn.build_recurrent(kind, 4, 7, 2)
    assert model.output_shape == (None, 1)
    assert model.layers[0].count_params() == params
    assert model.count_params() == params + 5
    with pytest.raises(ValueError, match="kind must be one of"):
        rnn.build_recurrent("Transformer", 4, 7, 2)


def _random(layer, inputs, seed=0):
    layer.build((None, None, inputs))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(scale=0.5, size=w.shape) for w in layer.get_weights()])
    return layer


def test_gate_weights_name_keras_blocks_by_the_deck():
    gru = _random(keras.layers.GRU(3, reset_after=False), 2)
    kernel, recurrent, bias = gru.get_weights()
    p = rnn.gate_weights(gru)
    assert sorted(p) == sorted(f"{m}_{g}" for m in "WUb" for g in "frh")
    np.testing.assert_array_equal(p["W_f"], kernel[:, :3])  # Keras' z is the deck's update gate f
    np.testing.assert_array_equal(p["U_h"], recurrent[:, 6:])
    np.testing.assert_array_equal(p["b_r"], bias[3:6])
    after = rnn.gate_weights(_random(keras.layers.GRU(3), 2))
    assert {"b_rf", "b_rr", "b_rh"} <= set(after)
    lstm = _random(keras.layers.LSTM(3), 2)
    p = rnn.gate_weights(lstm)
    kernel = lstm.get_weights()[0]
    np.testing.assert_array_equal(p["W_r"], kernel[:, :3])  # Keras' input gate i is the deck's r
    np.testing.assert_array_equal(p["W_f"], kernel[:, 3:6])
    np.testing.assert_array_equal(p["W_c"], kernel[:, 6:9])
    np.testing.assert_array_equal(p["W_o"], kernel[:, 9:])
    simple = rnn.gate_weights(_random(keras.layers.SimpleRNN(3), 2))
    assert sorted(simple) == ["U", "W", "b"]


def test_gate_weights_needs_a_built_recurrent_layer():
    with pytest.raises(ValueError, match="not built"):
        rnn.gate_weights(keras.layers.GRU(3))
    with pytest.raises(TypeError, match="recurrent layer or cell"):
        rnn.gate_weights(keras.layers.Dense(3))


def _tape_gradients(layer, x):
    """∂(Σ h_T)/∂x from the whole Keras layer, for comparison."""
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(layer(x))
    return tape.gradient(total, x).numpy()


@pytest.mark.parametrize("make", [lambda: keras.layers.SimpleRNN(4), lambda: keras.layers.GRU(4),
                                  lambda: keras.layers.LSTM(4)])
def test_input_gradients_match_the_whole_layer(make):
    layer = _random(make(), 2, seed=1)
    x = np.random.default_rng(2).normal(size=(3, 6, 2)).astype("float32")
    whole = _tape_gradients(layer, x)
    norms = rnn.step_gradient_norms(layer, x, wrt="input")
    np.testing.assert_allclose(norms, np.linalg.norm(whole, axis=-1).mean(axis=0), rtol=1e-4)


def test_state_gradients_follow_the_chain_rule():
    cell = _random(keras.layers.SimpleRNN(3), 2, seed=4).cell
    x = np.random.default_rng(5).normal(size=(2, 5, 2)).astype("float32")
    g = np.random.default_rng(6).normal(size=(2, 3)).astype("float32")
    states, grads = rnn.state_gradients(cell, x, g)
    assert states.shape == grads.shape == (6, 2, 3)
    np.testing.assert_array_equal(states[0], 0)
    np.testing.assert_allclose(grads[-1], g)
    R = cell.get_weights()[1]
    for t in range(5, 0, -1):  # one step back through h_t = tanh(x_t W + h_{t-1} R + b)
        np.testing.assert_allclose(grads[t - 1], (grads[t] * (1 - states[t] ** 2)) @ R.T, rtol=1e-4, atol=1e-6)
    keras_states = np.asarray(keras.layers.RNN(cell, return_sequences=True)(x))
    np.testing.assert_allclose(states[1:], keras_states.transpose(1, 0, 2), atol=1e-6)
    with pytest.raises(ValueError, match="output_weights must have shape"):
        rnn.state_gradients(cell, x, np.ones((3, 3)))


def test_step_gradient_norms_vanish_and_explode_with_the_gain():
    x, _ = rnn.adding_problem(8, 40, seed=0)
    ratios = {}
    for gain in (0.5, 3.0):
        layer = keras.layers.SimpleRNN(16, recurrent_initializer=keras.initializers.Orthogonal(gain=gain, seed=0))
        norms = rnn.step_gradient_norms(layer, x, wrt="state")
        assert norms.shape == (40,)
        assert norms[-1] == pytest.approx(4.0)  # ∂(Σ h_T)/∂h_T is all ones: norm √16
        ratios[gain] = norms[0] / norms[-1]
    assert ratios[0.5] < 1e-6 and ratios[3.0] > 1e3
    with pytest.raises(ValueError, match="wrt must be one of"):
        rnn.step_gradient_norms(layer, x, wrt="weights")
    with pytest.raises(ValueError, match="x must be a 3-D array"):
        rnn.step_gradient_norms(layer, x[0])


def test_plot_step_gradients_puts_the_last_step_first():
    ax = plots.plot_step_gradients({"a": [1e-3, 1e-2, 1.0], "b": [0.0, 1.0, 2.0]}, title="t")
    a, b, zero = ax.get_lines()
    np.testing.assert_allclose(a.get_ydata(), [1.0, 1e-2, 1e-3])
    assert np.isnan(b.get_ydata()[-1])  # a zero cannot be drawn on a log axis ...
    assert zero.get_label() == "0 (off the log scale)" and list(zero.get_xdata()) == [2]  # ... so it is marked
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="non-empty dict"):
        plots.plot_step_gradients({})


@pytest.mark.parametrize("kind", ["elman", "jordan"])
def test_plot_unrolled(kind):
    ax = plots.plot_unrolled(kind, 3)
    labels = [t.get_text() for t in ax.texts]
    assert "$s_{3}$" in labels and "$x_{1}$" in labels and f"${'s' if kind == 'elman' else 'o'}_0$" in labels
    with pytest.raises(ValueError, match="kind must be one of"):
        plots.plot_unrolled("hopfield")
