"""Dropout by hand (the slides' rule) next to Keras' inverted dropout, and dropout as an ensemble.

The slides' rule: during training each unit is kept with probability ``keep_prob`` (p) and
dropped otherwise; at test time nothing is dropped and the outgoing weights are multiplied
by p. Keras does the scaling at training time instead ("inverted dropout"): the kept units
are divided by p, and the test-time network is used as trained. Either way, the input the
next layer receives at test time equals what it receives *on average* during training.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# check_keep_prob lives in labs.validation; labs.regularization.check_keep_prob still works
from labs.validation import check_array, check_int, check_keep_prob


def dropout_mask(shape: tuple[int, ...], keep_prob: float, rng: np.random.Generator) -> np.ndarray:
    """A 0/1 array of ``shape``: each entry is 1 (unit kept) with probability ``keep_prob``."""
    keep_prob = check_keep_prob(keep_prob)
    return (rng.random(shape) < keep_prob).astype(np.float64)


def hand_dropout(a: Any, keep_prob: float, rng: np.random.Generator) -> np.ndarray:
    """The slides' training-time dropout: each activation kept with probability p, no rescaling."""
    a = check_array("a", a)
    return a * dropout_mask(a.shape, keep_prob, rng)


def scale_for_test(weights: Any, keep_prob: float) -> np.ndarray:
    """The slides' test-time rule: weights leaving a dropout layer are multiplied by p."""
    return check_array("weights", weights) * check_keep_prob(keep_prob)


def inverted_dropout(a: Any, keep_prob: float, rng: np.random.Generator) -> np.ndarray:
    """Keras' training-time dropout: kept activations divided by p, so nothing changes at test."""
    return hand_dropout(a, keep_prob, rng) / check_keep_prob(keep_prob)


@dataclass(frozen=True)
class MaskAverage:
    """The mean over many dropout masks of a layer's output, beside what the test-time net gives."""

    mean: np.ndarray
    standard_error: np.ndarray
    test_time: np.ndarray
    masks: int

    @property
    def max_z(self) -> float:
        """Largest |mean − test-time value| in standard errors (≲ 4 when they agree in expectation)."""
        return float(np.max(np.abs(self.mean - self.test_time) / np.maximum(self.standard_error, 1e-12)))

    @property
    def relative_gap(self) -> float:
        """Largest |mean − test-time value| relative to the largest |test-time value|."""
        return float(np.max(np.abs(self.mean - self.test_time)) / max(np.max(np.abs(self.test_time)), 1e-12))


def average_over_masks(
    train_outputs: Callable[[int], np.ndarray], test_time: Any, masks: int = 10_000
) -> MaskAverage:
    """Average ``train_outputs(masks)`` (one row per sampled mask) and compare with ``test_time``."""
    masks = check_int("masks", masks, minimum=2)
    samples = np.asarray(train_outputs(masks), dtype=np.float64)
    test_time = np.asarray(test_time, dtype=np.float64)
    if samples.shape != (masks, *test_time.shape):
        raise ValueError(
            f"train_outputs(masks) must return shape {(masks, *test_time.shape)} (one row per mask); "
            f"got {samples.shape}."
        )
    return MaskAverage(samples.mean(axis=0), samples.std(axis=0, ddof=1) / np.sqrt(masks), test_time, masks)


def ensemble_predict(model: Any, x: Any, members: int, *, batch_size: int = 1000) -> np.ndarray:
    """Average the predictions of ``members`` sub-networks of ``model``, each with its own
    dropout masks (the model called with ``training=True``).

    Only the dropout layers act as in training: batch normalisation keeps using (and leaves
    untouched) its moving statistics, since a sub-network differs from the full network only
    in the units it drops."""
    import keras

    members = check_int("members", members, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    x = np.asarray(x, dtype=np.float32)
    # Keras' BatchNormalization runs in inference mode while its layer is not trainable.
    norms = [layer for layer in _all_layers(model) if isinstance(layer, keras.layers.BatchNormalization)]
    trainable = [layer.trainable for layer in norms]
    total = 0.0
    try:
        for layer in norms:
            layer.trainable = False
        for _ in range(members):
            parts = [keras.ops.convert_to_numpy(model(x[i:i + batch_size], training=True))
                     for i in range(0, len(x), batch_size)]
            total = total + np.concatenate(parts)
    finally:
        for layer, was in zip(norms, trainable):
            layer.trainable = was
    return total / members


def _all_layers(model: Any) -> list[Any]:
    """Every layer of ``model``, inside nested models too."""
    found = []
    for layer in getattr(model, "layers", []):
        found.append(layer)
        found += _all_layers(layer)
    return found
