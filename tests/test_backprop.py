"""The NumPy back-propagation network: shapes, gradients, updates, training and input checks."""

import numpy as np
import pytest

from labs import backprop as bp
from labs.gradcheck import numerical_gradient


def _batch(seed=0, m=6, d=3, classes=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, d)), bp.one_hot(rng.integers(0, classes, m), classes)


def test_init_network_shapes_and_names():
    net = bp.init_network([3, 4, 2], seed=1)
    assert net.sizes == [3, 4, 2]
    assert [p.shape for p in net.params] == [(3, 4), (4,), (4, 2), (2,)]
    assert net.param_names == ["V", "γ", "W", "θ"]
    deep = bp.init_network([3, 5, 4, 2])
    assert deep.param_names == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert np.array_equal(bp.init_network([3, 4, 2], seed=1).weights[0], net.weights[0])


def test_forward_outputs_by_loss():
    X, _ = _batch()
    squared = bp.forward(bp.init_network([3, 4, 2], loss="squared"), X)
    assert [a.shape for a in squared.outputs] == [(6, 3), (6, 4), (6, 2)]
    assert np.all((squared.outputs[-1] > 0) & (squared.outputs[-1] < 1))
    softmax = bp.predict_proba(bp.init_network([3, 4, 2], loss="cross_entropy"), X)
    np.testing.assert_allclose(softmax.sum(axis=1), 1.0)


def test_softmax_is_stable():
    out = bp.softmax(np.array([[1000.0, 0.0], [-1000.0, 0.0]]))
    np.testing.assert_allclose(out, [[1.0, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize("hidden", bp.HIDDEN)
@pytest.mark.parametrize("loss", sorted(bp.LOSSES))
@pytest.mark.parametrize("sizes", [[3, 4, 2], [3, 5, 4, 2]])
def test_backward_matches_finite_differences(hidden, loss, sizes):
    X, Y = _batch(seed=2)
    net = bp.init_network(sizes, hidden=hidden, loss=loss, seed=3)
    analytic = bp.backward(net, X, Y)
    numeric = numerical_gradient(lambda: bp.loss(net, X, Y), net.params)
    for a, n in zip(analytic, numeric):
        np.testing.assert_allclose(a, n, rtol=1e-5, atol=1e-9)


def test_backward_with_wrong_hidden_derivative_differs_only_below():
    X, Y = _batch()
    net = bp.init_network([3, 4, 2])
    right = bp.backward(net, X, Y)
    wrong = bp.backward(net, X, Y, hidden_derivative=np.ones_like)
    assert not np.allclose(right[0], wrong[0])
    np.testing.assert_allclose(right[2], wrong[2])


def test_cross_entropy_loss_is_finite_when_saturated():
    net = bp.Network([np.array([[500.0, -500.0]])], [np.zeros(2)], "sigmoid", "cross_entropy")
    value = bp.loss(net, np.array([[1.0]]), np.array([[0.0, 1.0]]))
    assert value == pytest.approx(1000.0)


def test_update_is_one_gradient_step_and_leaves_input_alone():
    X, Y = _batch()
    net = bp.init_network([3, 4, 2])
    before = [p.copy() for p in net.params]
    after = bp.update(net, X, Y, lr=0.3)
    for p, b, g, a in zip(net.params, before, bp.backward(net, X, Y), after.params):
        np.testing.assert_array_equal(p, b)
        np.testing.assert_allclose(a, b - 0.3 * g)
    assert bp.loss(after, X, Y) < bp.loss(net, X, Y)


@pytest.mark.parametrize("batch_size, updates", [(1, 40), (5, 8), (8, 6), (None, 2)])
def test_train_counts_updates_and_lowers_the_loss(batch_size, updates):
    X, Y = _batch(m=20)
    net = bp.init_network([3, 6, 2], loss="cross_entropy")
    run = bp.train(net, X, Y, lr=0.5, epochs=2, batch_size=batch_size)
    assert run.updates == updates and len(run.loss) == 3
    assert run.loss[-1] < run.loss[0] and run.seconds > 0
    np.testing.assert_array_equal(net.weights[0], bp.init_network([3, 6, 2]).weights[0])  # untouched


def test_train_is_reproducible():
    X, Y = _batch(m=20)
    net = bp.init_network([3, 6, 2])
    a = bp.train(net, X, Y, lr=0.5, epochs=3, batch_size=4, seed=5)
    b = bp.train(net, X, Y, lr=0.5, epochs=3, batch_size=4, seed=5)
    assert a.loss == b.loss


def test_one_hot():
    np.testing.assert_array_equal(bp.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="labels in 0..2"):
        bp.one_hot(np.array([3]), 3)


def test_network_validation():
    with pytest.raises(ValueError, match="hidden must be one of"):
        bp.init_network([2, 3, 1], hidden="softplus")
    with pytest.raises(ValueError, match="loss must be one of"):
        bp.init_network([2, 3, 1], loss="hinge")
    with pytest.raises(ValueError, match="at least an input and an output"):
        bp.init_network([2])
    with pytest.raises(TypeError, match=r"sizes\[1\] must be an integer"):
        bp.init_network([2, 2.5, 1])
    with pytest.raises(ValueError, match="same length"):
        bp.Network([np.ones((2, 3))], [], "sigmoid", "squared")
    with pytest.raises(ValueError, match=r"weights\[1\] must have 3 rows"):
        bp.Network([np.ones((2, 3)), np.ones((4, 1))], [np.zeros(3), np.zeros(1)])
    with pytest.raises(ValueError, match=r"thresholds\[0\] must have shape"):
        bp.Network([np.ones((2, 3))], [np.zeros(2)])


def test_batch_validation():
    net = bp.init_network([3, 4, 2])
    X, Y = _batch()
    with pytest.raises(ValueError, match="X must have shape"):
        bp.forward(net, X[:, :2])
    with pytest.raises(ValueError, match="Y must have shape"):
        bp.loss(net, X, Y[:, :1])
    with pytest.raises(ValueError, match="same number of rows"):
        bp.backward(net, X, Y[:3])
    with pytest.raises(ValueError, match="lr must be a positive"):
        bp.update(net, X, Y, lr=0)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        bp.train(net, X, Y, lr=0.1, epochs=1, batch_size=0)
    with pytest.raises(TypeError, match="epochs must be an integer"):
        bp.train(net, X, Y, lr=0.1, epochs=1.5)
