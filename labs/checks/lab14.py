"""Self-checks of lab 14 (recurrent networks).

The GRU step is compared with ``keras.layers.GRU`` run on the same weights, the hand-written
back-propagation through time with the gradients ``tf.GradientTape`` measures, and the chosen
recurrent gain by measuring the gradient it lets through 50 steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from labs.checks._common import _call, _passed
from labs.i18n import N_, _

GAIN_DISTANCE = 50  # steps between the last output and the state whose gradient is measured
GAIN_WINDOW = (0.25, 4.0)  # the gradient 50 steps back, relative to the last step's, must lie in here
GAIN_UNITS = 128


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _random_gru(rng: np.random.Generator, inputs: int, units: int) -> Any:
    """A Keras GRU in the deck's form (reset before the product), with random weights and biases."""
    import keras

    layer = keras.layers.GRU(units, reset_after=False, return_sequences=True)
    layer.build((None, None, inputs))
    layer.set_weights([rng.normal(scale=0.6, size=w.shape) for w in layer.get_weights()])
    return layer


def _deck_names(layer: Any) -> dict[str, np.ndarray]:
    from labs.rnn import gate_weights

    return {k: v.astype(np.float64) for k, v in gate_weights(layer).items()}


def _gru_slips(o_prev: np.ndarray, x: np.ndarray, p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What the right step and typical slips give, to name the slip in the message."""
    f = _sigmoid(x @ p["W_f"] + o_prev @ p["U_f"] + p["b_f"])
    r = _sigmoid(x @ p["W_r"] + o_prev @ p["U_r"] + p["b_r"])
    pre = x @ p["W_h"] + p["b_h"]
    cand = np.tanh(pre + (r * o_prev) @ p["U_h"])
    return {
        "right": f * o_prev + (1 - f) * cand,
        N_("the interpolation is the wrong way round: in the deck f_t multiplies the old output o_{{t-1}} and "
           "(1 - f_t) the candidate"): (1 - f) * o_prev + f * cand,
        N_("the reset gate r_t is missing: the candidate uses U_h (r_t ∘ o_{{t-1}})"):
            f * o_prev + (1 - f) * np.tanh(pre + o_prev @ p["U_h"]),
        N_("the reset gate is applied after the product, r_t ∘ (U_h o_{{t-1}}): that is Keras' reset_after=True "
           "form, not the deck's"): f * o_prev + (1 - f) * np.tanh(pre + r * (o_prev @ p["U_h"])),
        N_("the candidate goes through the sigmoid: σ_o is tanh (Keras' default activation)"):
            f * o_prev + (1 - f) * _sigmoid(pre + (r * o_prev) @ p["U_h"]),
        N_("the reset gate is used where the update gate belongs (or the other way round)"):
            r * o_prev + (1 - r) * np.tanh(pre + (f * o_prev) @ p["U_h"]),
        N_("the biases b_f, b_r, b_h are missing"):
            _gru_no_bias(o_prev, x, p),
    }


def _gru_no_bias(o_prev: np.ndarray, x: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    f = _sigmoid(x @ p["W_f"] + o_prev @ p["U_f"])
    r = _sigmoid(x @ p["W_r"] + o_prev @ p["U_r"])
    return f * o_prev + (1 - f) * np.tanh(x @ p["W_h"] + (r * o_prev) @ p["U_h"])


def _as_array(got: Any, label: str, shape: tuple[int, ...]) -> np.ndarray:
    if got is None:
        raise AssertionError(_("{label} returned None: did you forget a `return`?").format(label=label))
    try:
        array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(_("{where} must return an array of numbers; got {kind}.").format(
            where=label, kind=type(got).__name__)) from None
    if array.shape != shape:
        raise AssertionError(_("{label} must return shape {shape} (batch, units); got {got}.").format(
            label=label, shape=shape, got=array.shape))
    if not np.all(np.isfinite(array)):
        raise AssertionError(_("{label} returned NaN or inf.").format(label=label))
    return array


def check_gru_step(gru_step: Callable) -> None:
    """Exercise: ``gru_step(o_prev, x, p)``, the deck's fully gated unit, vs ``keras.layers.GRU``."""
    rng = np.random.default_rng(14)
    batch, inputs, units, steps = 5, 3, 4, 6
    layer = _random_gru(rng, inputs, units)
    p = _deck_names(layer)
    x_seq = rng.normal(size=(batch, steps, inputs))
    o_prev = rng.uniform(-0.9, 0.9, size=(batch, units))  # one step from a state that is not zero
    got = _as_array(_call(gru_step, "gru_step", o_prev.copy(), x_seq[:, 0].copy(), dict(p)), "gru_step",
                    (batch, units))
    slips = _gru_slips(o_prev, x_seq[:, 0], p)
    if not np.allclose(got, slips["right"], atol=1e-6):
        for slip, value in slips.items():
            if slip != "right" and np.allclose(got, value, atol=1e-6):
                raise AssertionError(_("one step from o_prev: {slip}.").format(slip=_(slip).format()))
        worst = np.abs(got - slips["right"]).max()
        raise AssertionError(_(
            "one step from o_prev differs from Keras' GRU (reset_after=False) by up to {worst:.3g} "
            "(outputs lie in -1..1). Use σ_g = sigmoid for f_t and r_t, tanh for the candidate, and "
            "the batch-first products x @ W and o_prev @ U.").format(worst=worst)
        )
    keras_out = np.asarray(layer(x_seq.astype(np.float32)), dtype=np.float64)
    o = np.zeros((batch, units))
    for t in range(steps):
        o = _as_array(_call(gru_step, "gru_step", o, x_seq[:, t].copy(), dict(p)), "gru_step", (batch, units))
        if not np.allclose(o, keras_out[:, t], atol=1e-5):
            raise AssertionError(_(
                "one step is right, but over a sequence the outputs drift from Keras' at step {step} "
                "(difference {difference:.2g}): does gru_step change its arguments "
                "or keep something between calls?").format(step=t + 1, difference=np.abs(o - keras_out[:, t]).max())
            )
    _passed(_("GRU step: {steps} steps match keras.layers.GRU(reset_after=False) on the same weights "
              "(largest difference {difference:.1e}).").format(
                  steps=steps, difference=np.abs(o - keras_out[:, -1]).max()))


def _random_simple_rnn(rng: np.random.Generator, inputs: int, units: int, scale: float = 0.7) -> Any:
    import keras

    cell = keras.layers.SimpleRNNCell(units)
    cell.build((None, inputs))
    cell.set_weights([rng.normal(scale=scale, size=w.shape) for w in cell.get_weights()])
    return cell


def check_bptt(bptt: Callable) -> None:
    """Exercise: ``bptt(states, R, g_last)``: ∂L/∂h_t for every t of a tanh SimpleRNN, vs tf.GradientTape."""
    from labs.rnn import state_gradients

    rng = np.random.default_rng(41)
    batch, inputs, units, steps = 3, 2, 4, 7
    cell = _random_simple_rnn(rng, inputs, units)
    R = np.asarray(cell.get_weights()[1], dtype=np.float64)
    x = rng.normal(size=(batch, steps, inputs))
    g_last = rng.normal(size=(batch, units))
    states, measured = state_gradients(cell, x, g_last)
    states, measured = states.astype(np.float64), measured.astype(np.float64)
    got = _call(bptt, "bptt", states.copy(), R.copy(), g_last.copy())
    if got is None:
        raise AssertionError(_("{label} returned None: did you forget a `return`?").format(label="bptt"))
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(_("bptt must return an array (T + 1, batch, units) of numbers, "
                               "e.g. np.stack(list).")) from None
    want_shape = states.shape
    if got.shape != want_shape:
        hint = (" " + _("It has T rows: include t = 0 (the gradient reaching h_0) as well as t = T (g_last itself).")
                if got.shape[:1] == (steps,) else "")
        raise AssertionError(_("bptt must return shape (T + 1, batch, units) = {expected}; got {shape}.").format(
            expected=want_shape, shape=got.shape) + hint)
    if not np.allclose(got[-1], g_last):
        if np.allclose(got[0], g_last):
            raise AssertionError(_("gradients[T] must be g_last and gradients[0] the one reaching h_0: your list "
                                   "is in reverse order (reverse it, or fill an array from the end)."))
        raise AssertionError(_("gradients[T] must be g_last itself: ∂L/∂h_T = g for L = Σ g ∘ h_T."))
    slips = {
        N_("R is applied the wrong way round: in Keras' row form h_{{t-1}} enters as h_{{t-1}} R, so a row "
           "gradient goes back through R's transpose"): lambda g, h_t, h_prev: (g * (1 - h_t ** 2)) @ R,
        N_("the tanh's slope is missing: going back through h_t = tanh(a_t) multiplies by tanh'(a_t) first"):
            lambda g, h_t, h_prev: g @ R.T,
        N_("the slope belongs to the later state: tanh'(a_t) = 1 - h_t², with h_t the output of the step you "
           "go back through, not h_{{t-1}}"): lambda g, h_t, h_prev: (g * (1 - h_prev ** 2)) @ R.T,
        N_("tanh's slope is 1 - h_t² (h_t squared), not 1 - h_t"): lambda g, h_t, h_prev: (g * (1 - h_t)) @ R.T,
    }
    if not np.allclose(got, measured, rtol=1e-4, atol=1e-6):
        t = steps - 1  # the first step back
        for slip, step in slips.items():
            if np.allclose(got[t], step(g_last, states[steps], states[steps - 1]), rtol=1e-4, atol=1e-6):
                raise AssertionError(_("one step back, from h_T to h_(T-1): {slip}.").format(slip=_(slip).format()))
        first = int(np.flatnonzero([not np.allclose(got[k], measured[k], rtol=1e-4, atol=1e-6)
                                    for k in range(steps + 1)])[-1])
        raise AssertionError(_(
            "the gradient at h_{first} differs from what tf.GradientTape measures (relative difference "
            "{difference:.2g}); the steps after it are right. Go back one step at a time, with the chain rule "
            "through h_t = tanh(a_t).").format(
                first=first, difference=np.abs(got[first] - measured[first]).max() / np.abs(measured[first]).max())
        )
    _passed(_("back-propagation through time: all {count} gradients match tf.GradientTape "
              "(|∂L/∂h_0| / |∂L/∂h_T| = {ratio:.2g} here).").format(
                  count=steps + 1, ratio=np.linalg.norm(got[0]) / np.linalg.norm(got[-1])))


def gain_ratio(gain: float, x: np.ndarray, seed: int, *, distance: int = GAIN_DISTANCE) -> float:
    """Measure, for a tanh SimpleRNN of ``GAIN_UNITS`` whose recurrent matrix is orthogonal times
    ``gain`` (input weights Glorot-uniform, both drawn with ``seed``), the norm of ∂(Σ h_T)/∂h_t
    ``distance`` steps before the end over its norm at the end, on the batch ``x``."""
    import keras

    from labs.rnn import step_gradient_norms

    layer = keras.layers.SimpleRNN(
        GAIN_UNITS, kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        recurrent_initializer=keras.initializers.Orthogonal(gain=float(gain), seed=seed))
    norms = step_gradient_norms(layer, x[:, -(distance + 1):], wrt="state")
    return float(norms[0] / norms[-1])


def check_recurrent_gain(gain: Any) -> None:
    """Exercise: a recurrent gain whose gradient 50 steps back stays within a factor 10 of the last step's."""
    from labs.rnn import adding_problem

    if isinstance(gain, bool) or not isinstance(gain, (int, float, np.integer, np.floating)):
        raise AssertionError(_("RECURRENT_GAIN must be a number; got {kind}.").format(kind=type(gain).__name__))
    if not np.isfinite(gain) or gain <= 0:
        raise AssertionError(_("RECURRENT_GAIN must be a positive number; got {gain}.").format(gain=gain))
    x, _targets = adding_problem(32, GAIN_DISTANCE + 1, seed=2)
    ratio = gain_ratio(gain, x, seed=0)
    low, high = GAIN_WINDOW
    if ratio < low:
        raise AssertionError(_(
            "with gain {gain:g} the gradient {distance} steps back is {ratio:.2g} times the last step's: "
            "it still vanishes (wanted {low:g} to {high:g}): a larger gain. The tanh's slope is below 1 "
            "wherever h_t is not 0, so R alone must make up for it.").format(
                gain=gain, distance=GAIN_DISTANCE, ratio=ratio, low=low, high=high)
        )
    if ratio > high:
        raise AssertionError(_(
            "with gain {gain:g} the gradient {distance} steps back is {ratio:.2g} times the last step's: "
            "it explodes (wanted {low:g} to {high:g}); a smaller gain.").format(
                gain=gain, distance=GAIN_DISTANCE, ratio=ratio, low=low, high=high)
        )
    _passed(_("gain {gain:g}: the gradient {distance} steps back is {ratio:.2g} times the last step's "
              "(within {low:g}..{high:g}).").format(gain=gain, distance=GAIN_DISTANCE, ratio=ratio, low=low, high=high))
