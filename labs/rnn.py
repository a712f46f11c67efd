"""Recurrent networks: a task with a dependency of any length, Keras' gate weights by name,
and back-propagation through time measured step by step with ``tf.GradientTape``.

- :func:`adding_problem` makes the adding problem of Hochreiter & Schmidhuber (1997): a long
  sequence of random numbers, two of them marked, and the target is the sum of the two
  marked numbers; the first mark lies in the first half, so the network must remember it
  for about half the sequence or more.
- :func:`build_recurrent` is one recurrent layer (SimpleRNN, GRU or LSTM) and a linear output.
- :func:`gate_weights` splits the kernels Keras concatenates into one matrix per gate, named
  as deck 002 names them, so that a step written from the deck's equations can use them.
- :func:`state_gradients` and :func:`step_gradient_norms` run a Keras cell one step at a time
  under a ``tf.GradientTape`` and return the gradient of the last output with respect to the
  hidden state (or the input) at every earlier step: the vanishing gradient, step by step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from labs.validation import check_array, check_choice, check_int

KINDS = ("SimpleRNN", "GRU", "LSTM")
ADDING_BASELINE_MSE = 1 / 6  # always answering 1, the mean of the sum: Var(u1 + u2) = 2 · 1/12
WRT = ("state", "input")


def adding_problem(n: int, length: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sequences of the adding problem, each ``length`` steps of two features.

    Feature 0 is a number drawn from U(0, 1) at every step; feature 1 is 1 at two steps and
    0 elsewhere. One marked step lies in the first half of the sequence, the other in the
    second half; the target is the sum of the two marked numbers. Returns ``x`` of shape
    ``(n, length, 2)`` and ``y`` of shape ``(n,)``, both float32. Predicting the mean, 1,
    for every sequence has a mean squared error of :data:`ADDING_BASELINE_MSE` = 1/6.
    """
    n = check_int("n", n, minimum=1)
    length = check_int("length", length, minimum=2)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, length))
    marks = np.zeros((n, length))
    half = length // 2
    rows = np.arange(n)
    marks[rows, rng.integers(0, half, size=n)] = 1.0
    marks[rows, rng.integers(half, length, size=n)] = 1.0
    x = np.stack([values, marks], axis=-1).astype(np.float32)
    y = (values * marks).sum(axis=1).astype(np.float32)
    return x, y


def _layer_class(kind: str) -> Any:
    import keras

    names = {k.lower(): k for k in KINDS}
    key = kind.lower() if isinstance(kind, str) else kind
    check_choice("kind", key, tuple(names))
    return getattr(keras.layers, names[key])


def build_recurrent(kind: str, units: int, length: int | None, features: int, *, outputs: int = 1,
                    output_activation: str | None = None, **layer_options: Any) -> Any:
    """``Input(length, features)`` → one ``kind`` layer (SimpleRNN, GRU, LSTM) of ``units``
    → ``Dense(outputs)``. ``length`` may be None (sequences of any length); ``layer_options``
    go to the recurrent layer (e.g. ``reset_after=False`` for a GRU)."""
    import keras

    units = check_int("units", units, minimum=1)
    features = check_int("features", features, minimum=1)
    outputs = check_int("outputs", outputs, minimum=1)
    if length is not None:
        length = check_int("length", length, minimum=1)
    layer = _layer_class(kind)(units, name=kind.lower(), **layer_options)
    return keras.Sequential(
        [keras.Input(shape=(length, features)), layer, keras.layers.Dense(outputs, activation=output_activation)],
        name=f"{kind.lower()}{units}",
    )


def _cell(layer_or_cell: Any) -> Any:
    cell = getattr(layer_or_cell, "cell", layer_or_cell)
    if not hasattr(cell, "state_size"):
        raise TypeError(f"expected a Keras recurrent layer or cell; got {type(layer_or_cell).__name__}.")
    return cell


def gate_weights(layer_or_cell: Any) -> dict[str, np.ndarray]:
    """The weights of a built Keras SimpleRNN, GRU or LSTM, one matrix per gate, in deck 002's names.

    Keras computes ``x @ kernel + h @ recurrent_kernel + bias`` with row vectors (batch first),
    so the deck's ``W_f x_t`` is ``x @ W_f`` with ``W_f`` of shape ``(inputs, units)`` and
    ``U_f o_{t-1}`` is ``o_prev @ U_f`` with ``U_f`` of shape ``(units, units)``.

    - SimpleRNN: ``W`` (input), ``U`` (recurrent), ``b``.
    - GRU: Keras' gates z, r, h are the deck's f (update), r (reset) and the candidate h:
      ``W_f, U_f, b_f, W_r, U_r, b_r, W_h, U_h, b_h``. With ``reset_after=True`` (Keras'
      default) the bias has a second row, for the recurrent side: ``b_rf, b_rr, b_rh``.
    - LSTM: Keras' gates i, f, c, o are the deck's r (input control), f (forget), c (cell) and
      the output control: ``W_r, U_r, b_r, W_f, U_f, b_f, W_c, U_c, b_c, W_o, U_o, b_o``
      (the deck writes the cell's bias as b_h).
    """
    import keras

    cell = _cell(layer_or_cell)
    if not cell.built:
        raise ValueError("the layer is not built yet: call it on an input (or build the model) first.")
    values = [np.asarray(w) for w in cell.get_weights()]
    kernel, recurrent = values[0], values[1]
    bias = values[2] if len(values) > 2 else None
    if isinstance(cell, keras.layers.SimpleRNNCell):
        out = {"W": kernel, "U": recurrent}
        if bias is not None:
            out["b"] = bias
        return out
    if isinstance(cell, keras.layers.GRUCell):
        gates = ("f", "r", "h")
    elif isinstance(cell, keras.layers.LSTMCell):
        gates = ("r", "f", "c", "o")
    else:
        raise TypeError(f"gate_weights knows SimpleRNN, GRU and LSTM cells; got {type(cell).__name__}.")
    units = recurrent.shape[0]
    out = {}
    for i, gate in enumerate(gates):
        part = slice(i * units, (i + 1) * units)
        out[f"W_{gate}"] = kernel[:, part]
        out[f"U_{gate}"] = recurrent[:, part]
        if bias is not None:
            if bias.ndim == 2:  # GRU with reset_after: input-side and recurrent-side biases
                out[f"b_{gate}"] = bias[0, part]
                out[f"b_r{gate}"] = bias[1, part]
            else:
                out[f"b_{gate}"] = bias[part]
    return out


def _run_cell(cell: Any, x: np.ndarray, wrt: str, output_weights: Any = None) -> tuple[list[Any], list[Any]]:
    """Run ``cell`` over ``x`` eagerly under a tape from a zero state; return the outputs
    h_0..h_T and the gradients of Σ g ∘ h_T (g = ``output_weights``, default all ones) with
    respect to each h_t (``wrt="state"``, t = 0..T) or each input x_t (``wrt="input"``, t = 1..T)."""
    import tensorflow as tf

    x = tf.convert_to_tensor(x)
    batch = int(x.shape[0])
    if not cell.built:
        cell.build((batch, int(x.shape[2])))
    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    with tf.GradientTape() as tape:
        tape.watch(x)
        states = [tf.zeros((batch, int(size))) for size in sizes]
        tape.watch(states)  # a constant is not on the tape unless watched: ∂L/∂h_0 needs it
        hidden, inputs = [states[0]], []
        for t in range(int(x.shape[1])):
            inputs.append(x[:, t, :])
            output, states = cell(inputs[-1], states)
            states = list(states) if isinstance(states, (list, tuple)) else [states]
            hidden.append(output)
        weights = tf.ones_like(hidden[-1]) if output_weights is None else tf.constant(output_weights, tf.float32)
        target = tf.reduce_sum(weights * hidden[-1])
    sources = hidden if wrt == "state" else inputs
    grads = [tf.zeros_like(s) if g is None else g for s, g in zip(sources, tape.gradient(target, sources))]
    return hidden, grads


def state_gradients(layer_or_cell: Any, x: Any, output_weights: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Back-propagation through time, measured: run a Keras recurrent cell over ``x`` (shape
    ``(batch, steps, features)``) from a zero state and return ``(states, gradients)``, both of
    shape ``(steps + 1, batch, units)``: ``states[t]`` is the output h_t (``states[0]`` = h_0 = 0)
    and ``gradients[t]`` = ∂L/∂h_t for L = Σ g ∘ h_T, where g = ``output_weights`` (shape
    ``(batch, units)``, default all ones: the sum of the last output's units), so that
    ``gradients[T]`` is g itself."""
    x = check_array("x", x, ndim=3, dtype=np.float32)
    cell = _cell(layer_or_cell)
    if output_weights is not None:
        units = int(cell.state_size[0] if isinstance(cell.state_size, (list, tuple)) else cell.state_size)
        output_weights = check_array("output_weights", output_weights, shape=(x.shape[0], units), dtype=np.float32)
    hidden, grads = _run_cell(cell, x, "state", output_weights)
    return np.stack([np.asarray(h) for h in hidden]), np.stack([np.asarray(g) for g in grads])


def step_gradient_norms(layer_or_cell: Any, x: Any, *, wrt: str = "input") -> np.ndarray:
    """How strongly the last output depends on each earlier step: for t = 1..T, the norm of
    ∂(Σ h_T)/∂x_t (``wrt="input"``) or ∂(Σ h_T)/∂h_t (``wrt="state"``), averaged over the batch
    ``x`` of shape ``(batch, steps, features)``. Entry ``T - 1 - d`` is ``d`` steps from the end."""
    x = check_array("x", x, ndim=3, dtype=np.float32)
    wrt = check_choice("wrt", wrt, WRT)
    _, grads = _run_cell(_cell(layer_or_cell), x, wrt)
    if wrt == "state":
        grads = grads[1:]
    return np.array([float(np.mean(np.linalg.norm(np.asarray(g), axis=-1))) for g in grads])
