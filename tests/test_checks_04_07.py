"""The self-checks of labs 04-07 accept right answers and explain typical wrong ones."""

import keras
import numpy as np
import pytest

from labs import checks


def _mlp(*units, activations=("sigmoid", "sigmoid", "softmax"), inputs=784, use_bias=True):
    layers = [keras.Input(shape=(inputs,))]
    layers += [keras.layers.Dense(u, activation=a, use_bias=use_bias) for u, a in zip(units, activations)]
    return keras.Sequential(layers)


def test_mlp_architecture_accepts_both_styles(capsys):
    checks.check_mlp_architecture(_mlp(500, 500, 10))
    slides_style = keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(500), keras.layers.Activation("sigmoid"),
        keras.layers.Dense(500), keras.layers.Activation("sigmoid"),
        keras.layers.Dense(10), keras.layers.Activation("softmax"),
    ])
    checks.check_mlp_architecture(slides_style)
    assert capsys.readouterr().out.count("✓") == 2
    checks.check_mlp_architecture(_mlp(3, 2, activations=("relu", "softmax"), inputs=4), "4-3-2", activation="relu")


@pytest.mark.parametrize("model, message", [
    (None, "model is None"),
    ("784-500-500-10", "must be a Keras model"),
    (_mlp(500, 10, activations=("sigmoid", "softmax")), "has 2 Dense layers; 784-500-500-10 needs 3"),
    (_mlp(500, 500, 10, inputs=28), "input has 28 values; expected 784"),
    (_mlp(500, 300, 10), "hidden layer 2 has 300 units; expected 500"),
    (_mlp(500, 500, 10, activations=("relu", "sigmoid", "softmax")), "hidden layer 1 uses the 'relu'"),
    (_mlp(500, 500, 10, activations=("sigmoid", "sigmoid", "sigmoid")), "output layer uses the 'sigmoid'.*add up to 1"),
    (_mlp(500, 500, 10, use_bias=False), "647,000 parameters; 784-500-500-10 has 648,010"),
])
def test_mlp_architecture_messages(model, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_mlp_architecture(model)


def test_mlp_architecture_without_input():
    unbuilt = keras.Sequential([keras.layers.Dense(500, activation="sigmoid"),
                                keras.layers.Dense(500, activation="sigmoid"),
                                keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(AssertionError, match="keras.Input"):
        checks.check_mlp_architecture(unbuilt)


def _confusion(y_true, y_pred, n_classes):
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def test_confusion_matrix_check(capsys):
    checks.check_confusion_matrix(_confusion)
    assert "✓" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="transposed"):
        checks.check_confusion_matrix(lambda t, p, n: _confusion(t, p, n).T)
    with pytest.raises(AssertionError, match=r"shape \(4, 4\); got \(3, 3\)"):
        checks.check_confusion_matrix(lambda t, p, n: _confusion(t, p, max(t.max(), p.max()) + 1))
    with pytest.raises(AssertionError, match="add up to 14"):
        checks.check_confusion_matrix(lambda t, p, n: 2 * _confusion(t, p, n))
    with pytest.raises(AssertionError, match="forget a `return`"):
        checks.check_confusion_matrix(lambda t, p, n: None)
    with pytest.raises(AssertionError, match=r"entry \[0, 0\]"):
        checks.check_confusion_matrix(lambda t, p, n: _confusion(t, (p + 1) % 3, n))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_ce_gradient_check():
    checks.check_ce_gradient(lambda z, t: _softmax(z) - t)
    with pytest.raises(AssertionError, match="opposite sign"):
        checks.check_ce_gradient(lambda z, t: t - _softmax(z))
    with pytest.raises(AssertionError, match="you returned z − t"):
        checks.check_ce_gradient(lambda z, t: z - t)
    with pytest.raises(AssertionError, match="shape"):
        checks.check_ce_gradient(lambda z, t: (_softmax(z) - t).sum(axis=0))


def _se_gradient(z, t):
    y = _softmax(z)
    error = y - t
    return 2 * y * (error - np.sum(error * y, axis=1, keepdims=True))


def test_se_gradient_check():
    checks.check_se_gradient(_se_gradient)
    with pytest.raises(AssertionError, match="with respect to y"):
        checks.check_se_gradient(lambda z, t: 2 * (_softmax(z) - t))
    with pytest.raises(AssertionError, match="only the diagonal"):
        checks.check_se_gradient(lambda z, t: 2 * (_softmax(z) - t) * _softmax(z) * (1 - _softmax(z)))
    with pytest.raises(AssertionError, match="not written yet"):
        checks.check_se_gradient(lambda z, t: (_ for _ in ()).throw(NotImplementedError()))


def test_stored_loss_gradients_match_gradient_tape():
    """The values the checks compare with are the true gradients, found without the master."""
    import tensorflow as tf

    from labs.checks._common import _expected
    from labs.checks.lab05 import _gradient_cases

    [(z_case, t_case)] = _gradient_cases()
    z, t = tf.constant(z_case), tf.constant(t_case)
    for name, loss_of in (("se_gradient", lambda y: tf.reduce_sum((y - t) ** 2)),
                          ("ce_gradient", lambda y: -tf.reduce_sum(t * tf.math.log(y)))):
        with tf.GradientTape() as tape:
            tape.watch(z)
            loss = loss_of(tf.nn.softmax(z))
        np.testing.assert_allclose(_expected(f"lab05.{name}.case0"), tape.gradient(loss, z), atol=1e-12)


def test_updates_per_epoch_check():
    checks.check_updates_per_epoch(lambda n, b: -(-n // b))
    with pytest.raises(AssertionError, match="round up, not down"):
        checks.check_updates_per_epoch(lambda n, b: n // b)
    with pytest.raises(AssertionError, match=r"updates_per_epoch\(4000, 100\) gave 400000"):
        checks.check_updates_per_epoch(lambda n, b: n * b)
    with pytest.raises(AssertionError, match="forget a `return`"):
        checks.check_updates_per_epoch(lambda n, b: None)


def _batches(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def test_minibatch_indices_check(capsys):
    checks.check_minibatch_indices(_batches)
    assert "✓" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="original order"):
        checks.check_minibatch_indices(lambda n, b, rng: [np.arange(n)[i:i + b] for i in range(0, n, b)])
    with pytest.raises(AssertionError, match="should give 7 batches; got 6"):
        checks.check_minibatch_indices(lambda n, b, rng: _batches(n, b, rng)[: n // b])
    with pytest.raises(AssertionError, match="every sample exactly once"):
        checks.check_minibatch_indices(lambda n, b, rng: [rng.integers(0, n, len(x)) for x in _batches(n, b, rng)])
    with pytest.raises(AssertionError, match="batch sizes are"):
        checks.check_minibatch_indices(lambda n, b, rng: np.array_split(rng.permutation(n), -(-n // b)))


def test_activations_check():
    def leaky(z, alpha):
        return np.where(z > 0, z, alpha * z)

    def elu(z, alpha):
        return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))

    checks.check_activations(leaky, elu)
    with pytest.raises(AssertionError, match=r"leaky_relu\(-3\) with α=0.2 gave 0"):
        checks.check_activations(lambda z, a: np.maximum(z, 0), elu)
    with pytest.raises(AssertionError, match=r"α·\(e\^z − 1\)"):
        checks.check_activations(leaky, lambda z, a: np.where(z > 0, z, np.exp(z)))
    with pytest.raises(AssertionError, match="equal z for z > 0"):
        checks.check_activations(lambda z, a: a * z, elu)
    with pytest.raises(AssertionError, match="element-wise"):
        checks.check_activations(lambda z, a: leaky(z, a).sum(), elu)


def test_chain_gradient_check():
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    checks.check_chain_gradient(lambda w, z: np.prod(w * sigmoid(z) * (1 - sigmoid(z))))
    with pytest.raises(AssertionError, match="left out the weights"):
        checks.check_chain_gradient(lambda w, z: np.prod(sigmoid(z) * (1 - sigmoid(z))))
    with pytest.raises(AssertionError, match="σ'"):
        checks.check_chain_gradient(lambda w, z: np.prod(w * sigmoid(z)))
    with pytest.raises(AssertionError, match="multiplies"):
        checks.check_chain_gradient(lambda w, z: np.sum(w * sigmoid(z) * (1 - sigmoid(z))))
    with pytest.raises(AssertionError, match="one number"):
        checks.check_chain_gradient(lambda w, z: w * sigmoid(z) * (1 - sigmoid(z)))
