"""Dropout by hand and Keras' inverted dropout agree in expectation; the helpers check their inputs."""

import keras
import numpy as np
import pytest

from labs import regularization as R
from labs.data import add_noise

KEEP = 0.5


def test_mask_keeps_about_keep_prob():
    mask = R.dropout_mask((200, 500), 0.8, np.random.default_rng(0))
    assert set(np.unique(mask)) == {0.0, 1.0}
    assert mask.mean() == pytest.approx(0.8, abs=0.005)


def test_hand_and_inverted_dropout_share_the_mask():
    a = np.arange(1.0, 11.0)
    hand = R.hand_dropout(a, KEEP, np.random.default_rng(1))
    inverted = R.inverted_dropout(a, KEEP, np.random.default_rng(1))
    np.testing.assert_allclose(inverted, hand / KEEP)
    assert set(np.flatnonzero(hand)) == set(np.flatnonzero(inverted))
    np.testing.assert_allclose(R.scale_for_test(np.ones((2, 2)), KEEP), 0.5 * np.ones((2, 2)))


def test_hand_and_keras_dropout_agree_in_expectation():
    """Averaged over 20,000 masks, each output is within 4.5 standard errors (and 2 %) of the
    test-time value: hand dropout vs weights × p, Keras' dropout vs the weights as trained."""
    rng = np.random.default_rng(0)
    a, W = rng.uniform(0, 1, size=30), rng.normal(size=(30, 4))
    masks = 20_000
    hand = R.average_over_masks(
        lambda n: R.hand_dropout(np.tile(a, (n, 1)), KEEP, rng) @ W, a @ R.scale_for_test(W, KEEP), masks)
    layer = keras.layers.Dropout(1 - KEEP, seed=0)
    ours = R.average_over_masks(
        lambda n: keras.ops.convert_to_numpy(layer(np.tile(a, (n, 1)).astype("float32"), training=True)) @ W,
        a @ W, masks)
    for result in (hand, ours):
        assert result.max_z < 4.5
        assert result.relative_gap < 0.02
    assert np.allclose(ours.mean * KEEP, hand.mean, atol=6 * np.max(ours.standard_error))


def test_a_wrong_test_rule_is_caught():
    rng = np.random.default_rng(0)
    a, W = rng.uniform(0, 1, size=30), rng.normal(size=(30, 4))
    unscaled = R.average_over_masks(lambda n: R.hand_dropout(np.tile(a, (n, 1)), KEEP, rng) @ W, a @ W, 5000)
    assert unscaled.max_z > 10 and unscaled.relative_gap > 0.2


def test_average_over_masks_checks_the_shape():
    with pytest.raises(ValueError, match="must return shape"):
        R.average_over_masks(lambda n: np.zeros((n, 3)), np.zeros(4), 10)
    with pytest.raises(ValueError, match="masks must be >= 2"):
        R.average_over_masks(lambda n: np.zeros((n, 4)), np.zeros(4), 1)


@pytest.mark.parametrize("bad", [0.0, 1.5, -0.2])
def test_keep_prob_is_checked(bad):
    with pytest.raises(ValueError, match=r"keep_prob must be the probability of keeping a unit in \(0, 1\]"):
        R.hand_dropout(np.ones(3), bad, np.random.default_rng(0))


def test_keep_prob_type_is_checked():
    with pytest.raises(TypeError, match="keep_prob must be a number"):
        R.scale_for_test(np.ones(3), "half")


def test_ensemble_predict_averages_sub_networks():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(3, activation="softmax")])
    x = np.random.default_rng(0).normal(size=(7, 6)).astype("float32")
    one, many = R.ensemble_predict(model, x, 1), R.ensemble_predict(model, x, 200)
    scaled = model.predict(x, verbose=0)
    assert many.shape == (7, 3) and np.allclose(many.sum(axis=1), 1, atol=1e-5)
    assert np.abs(many - scaled).mean() < np.abs(one - scaled).mean()
    with pytest.raises(ValueError, match="members must be >= 1"):
        R.ensemble_predict(model, x, 0)


def test_add_noise():
    x = np.full((3, 4), 0.5, dtype=np.float32)
    noisy = add_noise(x, 0.1, seed=1)
    assert noisy.dtype == np.float32 and noisy.shape == x.shape
    assert 0 <= noisy.min() and noisy.max() <= 1 and not np.allclose(noisy, x)
    np.testing.assert_array_equal(noisy, add_noise(x, 0.1, seed=1))
    np.testing.assert_array_equal(add_noise(x, 0.0), x)
    assert add_noise(x, 5.0, clip=None).max() > 1
    with pytest.raises(ValueError, match="std must be a finite number >= 0"):
        add_noise(x, -1.0)


def test_ensemble_predict_leaves_batch_norm_statistics_alone():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16), keras.layers.BatchNormalization(),
                              keras.layers.Activation("relu"), keras.layers.Dropout(0.5),
                              keras.layers.Dense(3, activation="softmax")])
    x = np.random.default_rng(0).normal(loc=3.0, size=(50, 6)).astype("float32")
    norm = model.layers[1]
    before = [v.copy() for v in norm.get_weights()]
    R.ensemble_predict(model, x, 5)
    for kept, now in zip(before, norm.get_weights()):
        np.testing.assert_array_equal(kept, now)
    assert norm.trainable
    # without dropout every sub-network is the network itself, normalised by its moving statistics
    no_dropout = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16), keras.layers.BatchNormalization(),
                                   keras.layers.Dense(3, activation="softmax")])
    np.testing.assert_allclose(R.ensemble_predict(no_dropout, x, 2), no_dropout.predict(x, verbose=0), atol=1e-6)
