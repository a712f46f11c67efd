"""Single units in NumPy: activation functions, the perceptron rule and the delta rule.

These are the models of lab 01 and 02, small enough to follow line by line. Conventions
follow the slides: an input row ``x`` has ``d`` features, the bias ``b`` plays the role of
``w_0`` with ``x_0 = 1``, and a sign unit outputs +1 for ``s >= 0`` and -1 otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from labs.validation import check_array, check_choice, check_int, check_positive, check_same_length


def sign(s: np.ndarray | float) -> np.ndarray:
    """The slides' sign activation: +1 where ``s >= 0``, else -1."""
    return np.where(np.asarray(s) >= 0, 1.0, -1.0)


def sigmoid(s: np.ndarray | float) -> np.ndarray:
    """Logistic sigmoid 1 / (1 + e^-s), computed without overflow."""
    s = np.asarray(s, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -s))


# name -> (f, f'), each taking the pre-activation s
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "sign": (sign, lambda s: np.zeros_like(np.asarray(s, dtype=float))),
    "linear": (lambda s: np.asarray(s, dtype=float), lambda s: np.ones_like(np.asarray(s, dtype=float))),
    "sigmoid": (sigmoid, lambda s: sigmoid(s) * (1 - sigmoid(s))),
    "tanh": (np.tanh, lambda s: 1 - np.tanh(s) ** 2),
    "relu": (lambda s: np.maximum(s, 0.0), lambda s: (np.asarray(s) > 0).astype(float)),
    "leaky_relu": (
        lambda s: np.where(np.asarray(s) > 0, s, 0.01 * np.asarray(s)),
        lambda s: np.where(np.asarray(s) > 0, 1.0, 0.01),
    ),
    "elu": (
        lambda s: np.where(np.asarray(s) > 0, s, np.expm1(np.minimum(s, 0))),
        lambda s: np.where(np.asarray(s) > 0, 1.0, np.exp(np.minimum(s, 0))),
    ),
}


def activation(name: str) -> tuple[Callable, Callable]:
    """Return ``(f, f_prime)`` for an activation in :data:`ACTIVATIONS`."""
    check_choice("name", name, tuple(ACTIVATIONS))
    return ACTIVATIONS[name]


def perceptron_update(
    w: np.ndarray, b: float, x: np.ndarray, t: float, lr: float
) -> tuple[np.ndarray, float]:
    """One Rosenblatt step on sample ``(x, t)``: Δw = η (t − z) x, Δb = η (t − z)."""
    z = sign(x @ w + b)
    return w + lr * (t - z) * x, b + lr * (t - z)


@dataclass
class PerceptronRun:
    """What :func:`train_perceptron` did, epoch by epoch."""

    w: np.ndarray
    b: float
    converged: bool
    epochs: int
    errors: list[int] = field(default_factory=list)
    weights: list[np.ndarray] = field(default_factory=list)
    cycle_start: int | None = None

    @property
    def cycled(self) -> bool:
        """True when the weights came back to an earlier state: the rule will loop forever."""
        return self.cycle_start is not None


def train_perceptron(
    X: np.ndarray,
    t: np.ndarray,
    *,
    lr: float = 0.5,
    w0: np.ndarray | None = None,
    b0: float = 0.0,
    max_epochs: int = 100,
    update: Callable = perceptron_update,
    stop_on_cycle: bool = True,
) -> PerceptronRun:
    """Train a sign unit with the perceptron rule, visiting the samples in order each epoch.

    ``t`` holds bipolar targets (-1/+1). Stops when an epoch makes no error (converged),
    when the weights at the end of an epoch repeat an earlier epoch's (a cycle: with a fixed
    sample order the rule will never get out), or after ``max_epochs``. ``errors[e]`` is the
    number of samples misclassified *during* epoch ``e``; ``weights[e]`` is ``[b, w...]``
    at the end of it. ``update`` lets you plug in your own version of the rule.
    """
    X = check_array("X", X, ndim=2)
    t = check_array("t", t, ndim=1)
    check_same_length(X=X, t=t)
    if not np.all(np.isin(t, (-1.0, 1.0))):
        raise ValueError("t must hold bipolar targets -1 or +1; use truth_table(..., bipolar=True).")
    lr = check_positive("lr", lr)
    max_epochs = check_int("max_epochs", max_epochs, minimum=1)
    w = np.zeros(X.shape[1]) if w0 is None else check_array("w0", w0, shape=(X.shape[1],)).copy()
    b = float(b0)
    run = PerceptronRun(w=w, b=b, converged=False, epochs=0)
    seen: dict[bytes, int] = {np.r_[b, w].tobytes(): 0}
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_k, t_k in zip(X, t):
            if sign(x_k @ w + b) != t_k:
                mistakes += 1
            w, b = update(w, b, x_k, t_k, lr)
            w = np.asarray(w, dtype=np.float64)
            b = float(b)
        run.errors.append(mistakes)
        run.weights.append(np.r_[b, w])
        run.epochs = epoch
        if mistakes == 0:
            run.converged = True
            break
        state = np.r_[b, w].tobytes()
        if state in seen and stop_on_cycle:
            run.cycle_start = seen[state]
            break
        seen[state] = epoch
    run.w, run.b = w, b
    return run


@dataclass
class DeltaRuleRun:
    """Loss and weights after each epoch of :func:`train_delta_rule`."""

    w: np.ndarray
    b: float
    loss: list[float]
    updates_per_epoch: int
    diverged: bool = False


def delta_rule_loss(w: np.ndarray, b: float, X: np.ndarray, t: np.ndarray, unit: str) -> float:
    """E = ½ Σ_k (t_k − z_k)², the slides' squared error, for a ``linear`` or ``sigmoid`` unit."""
    f, _ = activation(unit)
    return float(0.5 * np.sum((t - f(X @ w + b)) ** 2))


def delta_rule_gradient(
    w: np.ndarray, b: float, X: np.ndarray, t: np.ndarray, unit: str
) -> tuple[np.ndarray, float]:
    """(∂E/∂w, ∂E/∂b) with δ_k = f'(s_k)(t_k − z_k): ∂E/∂w = −Σ_k δ_k x_k."""
    f, f_prime = activation(unit)
    s = X @ w + b
    delta = f_prime(s) * (t - f(s))
    return -(X.T @ delta), -float(np.sum(delta))


def train_delta_rule(
    X: np.ndarray,
    t: np.ndarray,
    *,
    unit: str = "sigmoid",
    lr: float = 0.1,
    epochs: int = 100,
    mode: str = "batch",
    seed: int = 0,
) -> DeltaRuleRun:
    """Train one unit by gradient descent on E, updating per sample or once per epoch.

    ``mode="stochastic"`` updates after every sample (in a shuffled order each epoch),
    ``mode="batch"`` sums Δw over all samples and updates once per epoch. Training stops
    early, with ``diverged=True``, once the loss grows past a million times its start.
    """
    X = check_array("X", X, ndim=2)
    t = check_array("t", t, ndim=1)
    n = check_same_length(X=X, t=t)
    check_choice("unit", unit, ("linear", "sigmoid"))
    check_choice("mode", mode, ("stochastic", "batch"))
    lr = check_positive("lr", lr)
    epochs = check_int("epochs", epochs, minimum=1)
    rng = np.random.default_rng(seed)
    w, b = np.zeros(X.shape[1]), 0.0
    losses = [delta_rule_loss(w, b, X, t, unit)]
    diverged = False
    for _ in range(epochs):
        if mode == "batch":
            gw, gb = delta_rule_gradient(w, b, X, t, unit)
            w, b = w - lr * gw, b - lr * gb
        else:
            for k in rng.permutation(n):
                gw, gb = delta_rule_gradient(w, b, X[k : k + 1], t[k : k + 1], unit)
                w, b = w - lr * gw, b - lr * gb
        with np.errstate(over="ignore", invalid="ignore"):
            losses.append(delta_rule_loss(w, b, X, t, unit))
        if not np.isfinite(losses[-1]) or losses[-1] > 1e6 * max(losses[0], 1e-12):
            diverged = True
            break
    return DeltaRuleRun(
        w=w, b=b, loss=losses, updates_per_epoch=n if mode == "stochastic" else 1, diverged=diverged
    )


def perceptron_path(
    X: np.ndarray,
    t: np.ndarray,
    *,
    lr: float = 0.5,
    w0: np.ndarray | None = None,
    b0: float = 0.0,
    epochs: int = 5,
) -> np.ndarray:
    """``[b, w...]`` at the start and after every single update of the perceptron rule.

    Visits the rows of ``X`` in order, ``epochs`` times, without stopping; row ``e·n + k`` of
    the result is the state after sample ``k`` of epoch ``e`` (row 0 is the start). This is
    what :func:`train_perceptron` does between the end-of-epoch states it keeps.
    """
    X = check_array("X", X, ndim=2)
    t = check_array("t", t, ndim=1)
    check_same_length(X=X, t=t)
    lr = check_positive("lr", lr)
    epochs = check_int("epochs", epochs, minimum=1)
    w = np.zeros(X.shape[1]) if w0 is None else check_array("w0", w0, shape=(X.shape[1],)).copy()
    b = float(b0)
    path = [np.r_[b, w]]
    for _ in range(epochs):
        for x_k, t_k in zip(X, t):
            w, b = perceptron_update(w, b, x_k, t_k, lr)
            path.append(np.r_[b, w])
    return np.array(path)


@dataclass
class SmallNetRun:
    """Outcome of :func:`train_small_net`: outputs, misclassified rows and loss after training."""

    outputs: np.ndarray
    errors: int
    loss: list[float]


def train_small_net(
    X: np.ndarray,
    t: np.ndarray,
    *,
    hidden: int = 2,
    lr: float = 2.0,
    updates: int = 300,
    seed: int = 0,
) -> SmallNetRun:
    """A d-``hidden``-1 sigmoid network trained by full-batch gradient descent in NumPy.

    The same set-up as lab 02's Keras network: Glorot-uniform starting weights (drawn from
    ``seed``), zero biases, mean binary cross-entropy, every update on all rows. ``t`` holds
    0/1 targets; ``errors`` counts rows with the output on the wrong side of 0.5 after the
    last update and ``loss[u]`` is the loss before update ``u`` (and after the last one).
    """
    X = check_array("X", X, ndim=2)
    t = check_array("t", t, ndim=1)
    n = check_same_length(X=X, t=t)
    hidden = check_int("hidden", hidden, minimum=1)
    lr = check_positive("lr", lr)
    updates = check_int("updates", updates, minimum=0)
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    W1 = rng.uniform(-1, 1, size=(d, hidden)) * np.sqrt(6 / (d + hidden))
    w2 = rng.uniform(-1, 1, size=hidden) * np.sqrt(6 / (hidden + 1))
    b1, b2 = np.zeros(hidden), 0.0
    losses = []
    for step in range(updates + 1):
        h = sigmoid(X @ W1 + b1)
        z = sigmoid(h @ w2 + b2)
        eps = 1e-12
        losses.append(float(-np.mean(t * np.log(z + eps) + (1 - t) * np.log(1 - z + eps))))
        if step == updates:
            break
        d_out = (z - t) / n                      # ∂E/∂(output sum) for the mean cross-entropy
        d_hidden = np.outer(d_out, w2) * h * (1 - h)
        w2, b2 = w2 - lr * (h.T @ d_out), b2 - lr * float(d_out.sum())
        W1, b1 = W1 - lr * (X.T @ d_hidden), b1 - lr * d_hidden.sum(axis=0)
    return SmallNetRun(outputs=z, errors=int(np.sum((z >= 0.5) != (t >= 0.5))), loss=losses)
