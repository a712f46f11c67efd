"""A fully connected network trained by back-propagation, in NumPy, written from the slides.

Notation of deck 003 for one hidden layer: input ``x`` (d values), hidden outputs
``b = f(x V + γ)`` (q values), network outputs ``ŷ = g(b W + θ)`` (l values). With more
hidden layers the hidden step repeats. ``Network.weights`` holds ``[V, ..., W]`` and
``Network.thresholds`` holds ``[γ, ..., θ]``; ``weights[k]`` has shape ``(n_in, n_out)``.

Arrays hold one sample per row, so every line below handles a whole mini-batch at once
(no Python loop over samples). The loss of a batch is the mean of the per-sample losses
``E_k``, so the learning rate means the same for every batch size, as in Keras.

Two losses, each with the output unit that belongs to it:

- ``"squared"``: sigmoid outputs, ``E_k = ½ Σ_j (ŷ_j − y_j)²`` (the slides' choice);
- ``"cross_entropy"``: softmax outputs, ``E_k = −Σ_j y_j log ŷ_j``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from labs.neurons import activation, sigmoid
from labs.validation import (
    check_array,
    check_choice,
    check_int,
    check_labels,
    check_positive,
    check_same_length,
)

HIDDEN = ("sigmoid", "tanh", "relu")
# loss -> the output activation it is paired with
LOSSES = {"squared": "sigmoid", "cross_entropy": "softmax"}


@dataclass
class Network:
    """Weights ``[V, ..., W]`` and thresholds ``[γ, ..., θ]`` of a fully connected network."""

    weights: list[np.ndarray]
    thresholds: list[np.ndarray]
    hidden: str = "sigmoid"
    loss: str = "squared"

    def __post_init__(self) -> None:
        check_choice("hidden", self.hidden, HIDDEN)
        check_choice("loss", self.loss, tuple(LOSSES))
        if len(self.weights) != len(self.thresholds) or not self.weights:
            raise ValueError(
                f"weights and thresholds must be non-empty lists of the same length; "
                f"got {len(self.weights)} and {len(self.thresholds)}."
            )
        self.weights = [check_array(f"weights[{k}]", w, ndim=2) for k, w in enumerate(self.weights)]
        self.thresholds = [
            check_array(f"thresholds[{k}]", t, shape=(w.shape[1],))
            for k, (w, t) in enumerate(zip(self.weights, self.thresholds))
        ]
        for k, w in enumerate(self.weights):
            if k and w.shape[0] != self.weights[k - 1].shape[1]:
                raise ValueError(
                    f"weights[{k}] must have {self.weights[k - 1].shape[1]} rows (the outputs of "
                    f"layer {k - 1}); got shape {w.shape}."
                )

    @property
    def sizes(self) -> list[int]:
        """Units per layer, input first: ``[d, q, ..., l]``."""
        return [self.weights[0].shape[0]] + [w.shape[1] for w in self.weights]

    @property
    def params(self) -> list[np.ndarray]:
        """The arrays training changes, in the order ``[V, γ, ..., W, θ]``."""
        return [p for pair in zip(self.weights, self.thresholds) for p in pair]

    @property
    def param_names(self) -> list[str]:
        """Names for :attr:`params`: ``V, γ, W, θ`` for one hidden layer, numbered for more."""
        if len(self.weights) == 2:
            return ["V", "γ", "W", "θ"]
        return [name for k in range(len(self.weights)) for name in (f"W{k + 1}", f"b{k + 1}")]

    def copy(self) -> Network:
        """An independent copy (changing it leaves this network alone)."""
        return Network([w.copy() for w in self.weights], [t.copy() for t in self.thresholds],
                       self.hidden, self.loss)


def init_network(sizes: list[int], *, hidden: str = "sigmoid", loss: str = "squared", seed: int = 0) -> Network:
    """Random weights (Glorot uniform, as Keras' ``Dense`` starts) and zero thresholds.

    ``sizes`` lists the units per layer, input first, e.g. ``[2, 8, 2]`` for d=2, q=8, l=2.
    """
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output size; got {sizes!r}.")
    sizes = [check_int(f"sizes[{k}]", n, minimum=1) for k, n in enumerate(sizes)]
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    weights, thresholds = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (n_in + n_out))
        weights.append(rng.uniform(-limit, limit, size=(n_in, n_out)))
        thresholds.append(np.zeros(n_out))
    return Network(weights, thresholds, hidden, loss)


def softmax(s: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum so that ``exp`` never overflows."""
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class ForwardPass:
    """What the forward pass keeps for the backward pass: the sums and outputs of every layer."""

    sums: list[np.ndarray]  # s_k = a_{k-1} @ weights[k] + thresholds[k]: α+γ, ..., β+θ
    outputs: list[np.ndarray]  # a_0 = X, a_1 = b, ..., a_L = ŷ


def forward(net: Network, X: np.ndarray) -> ForwardPass:
    """Run a batch ``X`` (one sample per row) through the network, keeping every layer's values."""
    return _forward(net, check_array("X", X, shape=(None, net.sizes[0])))


def _forward(net: Network, X: np.ndarray) -> ForwardPass:
    f, _ = activation(net.hidden)
    sums, outputs = [], [X]
    for k, (w, t) in enumerate(zip(net.weights, net.thresholds)):
        s = outputs[-1] @ w + t
        last = k == len(net.weights) - 1
        sums.append(s)
        outputs.append((sigmoid(s) if net.loss == "squared" else softmax(s)) if last else f(s))
    return ForwardPass(sums, outputs)


def predict_proba(net: Network, X: np.ndarray) -> np.ndarray:
    """The network's outputs ŷ for a batch ``X``."""
    return forward(net, X).outputs[-1]


def _check_batch(net: Network, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = check_array("X", X, shape=(None, net.sizes[0]))
    Y = check_array("Y", Y, shape=(None, net.sizes[-1]))
    check_same_length(X=X, Y=Y)
    return X, Y


def loss(net: Network, X: np.ndarray, Y: np.ndarray) -> float:
    """Mean over the batch of the per-sample loss ``E_k`` (targets ``Y`` one row per sample)."""
    X, Y = _check_batch(net, X, Y)
    run = _forward(net, X)
    if net.loss == "squared":
        per_sample = 0.5 * np.sum((run.outputs[-1] - Y) ** 2, axis=1)
    else:  # log ŷ from the sums, not log of a rounded ŷ, so it stays finite
        s = run.sums[-1] - run.sums[-1].max(axis=1, keepdims=True)
        log_y_hat = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        per_sample = -np.sum(Y * log_y_hat, axis=1)
    return float(per_sample.mean())


def output_error(net: Network, y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """The output error term ∂E_k/∂(β_j + θ_j), one row per sample."""
    if net.loss == "squared":
        return (y_hat - Y) * y_hat * (1 - y_hat)  # (ŷ − y) · g'(β + θ) with g' = ŷ(1 − ŷ)
    return y_hat - Y  # softmax + cross-entropy: g' and the 1/ŷ of log ŷ cancel


def backward(
    net: Network, X: np.ndarray, Y: np.ndarray, *, hidden_derivative: Callable | None = None
) -> list[np.ndarray]:
    """Gradients of :func:`loss` for every array in ``net.params``, by back-propagation.

    ``hidden_derivative`` replaces f' of the hidden units (to see what a wrong one does).
    """
    X, Y = _check_batch(net, X, Y)
    return _backward(net, X, Y, hidden_derivative or activation(net.hidden)[1])


def _backward(net: Network, X: np.ndarray, Y: np.ndarray, f_prime: Callable) -> list[np.ndarray]:
    run = _forward(net, X)
    m = len(Y)
    delta = output_error(net, run.outputs[-1], Y)  # error term of the output layer
    grads: list[np.ndarray] = []
    for k in reversed(range(len(net.weights))):
        grads = [run.outputs[k].T @ delta / m, delta.mean(axis=0)] + grads  # ∂E/∂weights, ∂E/∂thresholds
        if k:
            delta = (delta @ net.weights[k].T) * f_prime(run.sums[k - 1])  # error term one layer down
    return grads


def update(net: Network, X: np.ndarray, Y: np.ndarray, lr: float) -> Network:
    """One gradient-descent step on the batch ``(X, Y)``: every parameter p ← p − η ∂E/∂p."""
    X, Y = _check_batch(net, X, Y)
    new = net.copy()
    _step(new, X, Y, check_positive("lr", lr))
    return new


def _step(net: Network, X: np.ndarray, Y: np.ndarray, lr: float) -> None:
    grads = _backward(net, X, Y, activation(net.hidden)[1])
    for p, g in zip(net.params, grads):
        p -= lr * g  # in place: net.params are the network's own arrays


@dataclass
class TrainingRun:
    """The trained network, the training loss after each epoch and the time spent updating."""

    net: Network
    loss: list[float] = field(default_factory=list)
    seconds: float = 0.0
    updates: int = 0


def train(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    lr: float,
    epochs: int,
    batch_size: int | None = 1,
    seed: int = 0,
) -> TrainingRun:
    """Train by gradient descent, visiting the samples in a new random order every epoch.

    ``batch_size=1`` is the slides' stochastic (per-sample) updating, ``None`` the batch
    updating (one step per epoch on all samples), anything between is mini-batch updating.
    ``seconds`` counts only the updates, not the loss computed after each epoch.
    """
    X, Y = _check_batch(net, X, Y)
    lr = check_positive("lr", lr)
    epochs = check_int("epochs", epochs, minimum=1)
    n = len(X)
    size = n if batch_size is None else min(check_int("batch_size", batch_size, minimum=1), n)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    run = TrainingRun(net=net.copy(), loss=[loss(net, X, Y)])
    for _ in range(epochs):
        order = rng.permutation(n)
        start = time.perf_counter()
        for first in range(0, n, size):
            rows = order[first : first + size]
            _step(run.net, X[rows], Y[rows], lr)
            run.updates += 1
        run.seconds += time.perf_counter() - start
        run.loss.append(loss(run.net, X, Y))
    return run


def one_hot(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Targets as rows with a single 1: label ``c`` becomes the unit vector ``e_c``."""
    n_classes = check_int("n_classes", n_classes, minimum=1)
    y = check_labels("y", y, n_classes=n_classes)
    return np.eye(n_classes)[y]
