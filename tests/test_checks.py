"""The self-checks accept right answers and explain wrong ones."""

import numpy as np
import pytest

from labs import checks, neurons


def test_check_close_messages():
    checks.check_close("x", [1.0, 2.0], [1.0, 2.0])
    with pytest.raises(AssertionError, match="shape"):
        checks.check_close("x", [1.0], [1.0, 2.0])
    with pytest.raises(AssertionError, match="opposite sign"):
        checks.check_close("x", [-1.0, -2.0], [1.0, 2.0])
    with pytest.raises(AssertionError, match=r"at index \(1,\)"):
        checks.check_close("x", [1.0, 2.5], [1.0, 2.0])
    with pytest.raises(AssertionError, match="forget a `return`"):
        checks.check_close("x", None, [1.0])
    with pytest.raises(AssertionError, match="NaN"):
        checks.check_close("x", [np.nan], [1.0])


def test_relative_error():
    assert checks.relative_error([1.0], [1.0]) == 0
    assert checks.relative_error([1.0], [3.0]) == pytest.approx(0.5)


def test_perceptron_update_check(capsys):
    checks.check_perceptron_update(neurons.perceptron_update)
    assert "✓" in capsys.readouterr().out

    def forgets_bias(w, b, x, t, lr):
        z = neurons.sign(x @ w + b)
        return w + lr * (t - z) * x, b

    with pytest.raises(AssertionError, match="new_b"):
        checks.check_perceptron_update(forgets_bias)

    def not_written(w, b, x, t, lr):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not written yet"):
        checks.check_perceptron_update(not_written)

    with pytest.raises(AssertionError, match="pair"):
        checks.check_perceptron_update(lambda w, b, x, t, lr: w)


def test_sigmoid_gradient_check():
    checks.check_sigmoid_gradient(lambda w, b, X, t: neurons.delta_rule_gradient(w, b, X, t, "sigmoid"))
    with pytest.raises(AssertionError, match="linear unit"):
        checks.check_sigmoid_gradient(lambda w, b, X, t: neurons.delta_rule_gradient(w, b, X, t, "linear"))

    def flipped(w, b, X, t):
        gw, gb = neurons.delta_rule_gradient(w, b, X, t, "sigmoid")
        return -gw, -gb

    with pytest.raises(AssertionError, match="opposite sign"):
        checks.check_sigmoid_gradient(flipped)


def test_xor_network_check():
    W1 = np.array([[1.0, -1.0], [1.0, -1.0]])
    b1 = np.array([-0.5, 1.5])
    checks.check_xor_network(W1, b1, np.array([1.0, 1.0]), -1.5)
    with pytest.raises(AssertionError, match="Not XOR yet"):
        checks.check_xor_network(W1, b1, np.array([1.0, 1.0]), 0.5)
    with pytest.raises(AssertionError, match="W1 must have shape"):
        checks.check_xor_network(np.ones(2), b1, np.ones(2), 0.0)
    with pytest.raises(AssertionError, match="None"):
        checks.check_xor_network(None, b1, np.ones(2), 0.0)


def test_separating_line_check():
    H = np.array([[0.1, 0.1], [0.9, 0.1], [0.1, 0.9], [0.9, 0.9]])
    t = np.array([-1, 1, 1, 1])
    checks.check_separating_line(H, t, np.array([1.0, 1.0]), -0.5)
    with pytest.raises(AssertionError, match="wrong side"):
        checks.check_separating_line(H, t, np.array([1.0, 1.0]), -1.5)


# --- lab 12 ---------------------------------------------------------------------------------


def xavier_right(fan_in, fan_out, rng):
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def he_right(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def test_xavier_check_accepts_the_formula(capsys):
    checks.check_xavier_uniform(xavier_right)
    assert "✓ Xavier-uniform" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda fi, fo, rng: rng.uniform(-np.sqrt(3 / fi), np.sqrt(3 / fi), size=(fi, fo)), "LeCun"),
    (lambda fi, fo, rng: rng.uniform(-np.sqrt(2 / (fi + fo)), np.sqrt(2 / (fi + fo)), size=(fi, fo)),
     "variance used as the limit"),
    (lambda fi, fo, rng: rng.normal(0, np.sqrt(2 / (fi + fo)), size=(fi, fo)), "normal distribution"),
    (lambda fi, fo, rng: xavier_right(fi, fo, rng).T, "transposed"),
    (lambda fi, fo, rng: xavier_right(fi, fo, rng) + 0.01, "mean 0"),
    (lambda fi, fo, rng: xavier_right(fi, fo, np.random.default_rng()), "rng"),
    (lambda fi, fo, rng: None, "forget a `return`"),
])
def test_xavier_check_names_the_slip(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_xavier_uniform(wrong)


def test_he_check_accepts_the_formula(capsys):
    checks.check_he_normal(he_right)
    assert "✓ He-normal" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda fi, fo, rng: rng.normal(0, np.sqrt(1 / fi), size=(fi, fo)), "factor 2"),
    (lambda fi, fo, rng: rng.normal(0, np.sqrt(2 / fo), size=(fi, fo)), "divides by fan_in"),
    (lambda fi, fo, rng: rng.normal(0, 2 / fi, size=(fi, fo)), "standard deviation"),
    (lambda fi, fo, rng: rng.normal(0, np.sqrt(2 / (fi + fo)), size=(fi, fo)), "Xavier"),
    (lambda fi, fo, rng: rng.uniform(-np.sqrt(6 / fi), np.sqrt(6 / fi), size=(fi, fo)), "uniform distribution"),
    (lambda fi, fo, rng: he_right(fi, fo, rng)[:, :10], r"shape \(fan_in, fan_out\)"),
])
def test_he_check_names_the_slip(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_he_normal(wrong)


def test_initialiser_not_written():
    def stub(fan_in, fan_out, rng):
        raise NotImplementedError

    with pytest.raises(AssertionError, match="not written yet"):
        checks.check_he_normal(stub)


def _block(shortcut="right", inner_act=True, act_on_add=True, fixed_relu=False):
    import keras

    def block(x, width, activation="relu"):
        act = "relu" if fixed_relu else activation
        f = keras.layers.Dense(width, activation=act if inner_act else None)(x)
        f = keras.layers.Dense(width)(f)
        s = x if x.shape[-1] == width else keras.layers.Dense(width, use_bias=False)(x)
        if shortcut == "none":
            return keras.layers.Activation(act)(f)
        if shortcut == "identity-always":
            s = x
        if not act_on_add:
            return keras.layers.Add()([keras.layers.Activation(act)(f), s])
        return keras.layers.Activation(act)(keras.layers.Add()([f, s]))

    return block


def test_residual_block_check_accepts_a_right_block(capsys):
    checks.check_residual_block(_block())
    assert "✓ residual block" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (_block(shortcut="none"), "shortcut is missing"),
    (_block(act_on_add=False), "add the shortcut first"),
    (_block(inner_act=False), "no activation between"),
    (_block(shortcut="identity-always"), "projected"),
    (_block(fixed_relu=True), "activation` argument"),
])
def test_residual_block_check_names_the_slip(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_residual_block(wrong)


def test_residual_block_check_counts_layers():
    import keras

    def projection_always(x, width, activation="relu"):
        f = keras.layers.Dense(width)(keras.layers.Dense(width, activation=activation)(x))
        s = keras.layers.Dense(width, use_bias=False)(x)
        return keras.layers.Activation(activation)(keras.layers.Add()([f, s]))

    with pytest.raises(AssertionError, match="the shortcut is x itself"):
        checks.check_residual_block(projection_always)
