"""The decks' optimizers as a few lines of NumPy each, toy losses to run them on, and the
same steps taken by ``keras.optimizers`` so that the two can be compared number for number.

Every update rule has the signature ``update(w, g, state, **hyper) -> (new_w, new_state)``:
``w`` the parameters, ``g`` the gradient of the loss at ``w``, ``state`` what the rule
remembers between steps (an empty dict before the first step). :func:`run_steps` applies a
rule for a number of steps; :func:`keras_steps` applies a Keras optimizer to the same
gradients. Where the decks' formulas and Keras differ in a detail, the docstring says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from labs.validation import check_array, check_choice, check_int, check_momentum, check_positive

State = dict[str, Any]
Update = Callable[..., tuple[np.ndarray, State]]


def sgd(w: np.ndarray, g: np.ndarray, state: State, *, learning_rate: float = 0.1) -> tuple[np.ndarray, State]:
    """Plain gradient descent: w ← w − η g."""
    return w - learning_rate * g, state


def momentum(
    w: np.ndarray, g: np.ndarray, state: State, *, learning_rate: float = 0.01, momentum: float = 0.9
) -> tuple[np.ndarray, State]:
    """Deck 000: movement = −η g + λ · previous movement; w ← w + movement (= Keras' SGD momentum).

    Deck 002 writes momentum as an average, m ← βm + (1 − β)g, w ← w − ηm; that is the same
    rule with the learning rate η(1 − β) in place of η.
    """
    momentum = check_momentum("momentum", momentum)
    movement = momentum * state.get("movement", 0.0) - learning_rate * g
    return w + movement, {"movement": movement}


def adagrad(
    w: np.ndarray,
    g: np.ndarray,
    state: State,
    *,
    learning_rate: float = 0.01,
    initial_accumulator: float = 0.0,
    epsilon: float = 1e-7,
) -> tuple[np.ndarray, State]:
    """Deck 000: w ← w − η / √(Σ past g²) · g, the sum including this step's g.

    ``epsilon`` sits inside the root, as in Keras. Keras starts the sum at 0.1
    (``initial_accumulator_value``); the deck starts it at 0, our default.
    """
    sum_sq = state.get("sum_sq", initial_accumulator) + g**2
    return w - learning_rate * g / np.sqrt(sum_sq + epsilon), {"sum_sq": sum_sq}


def rmsprop(
    w: np.ndarray,
    g: np.ndarray,
    state: State,
    *,
    learning_rate: float = 0.001,
    rho: float = 0.9,
    epsilon: float = 1e-7,
) -> tuple[np.ndarray, State]:
    """Deck 002: v ← ρv + (1 − ρ)g², w ← w − η g / √(v + ε) (the deck prints '+', a typo)."""
    mean_sq = rho * state.get("mean_sq", 0.0) + (1 - rho) * g**2
    return w - learning_rate * g / np.sqrt(mean_sq + epsilon), {"mean_sq": mean_sq}


def adam(
    w: np.ndarray,
    g: np.ndarray,
    state: State,
    *,
    learning_rate: float = 0.001,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
) -> tuple[np.ndarray, State]:
    """Adam as Kingma & Ba and Keras define it: momentum's m and RMSProp's v, both bias-corrected;
    w ← w − η m̂ / (√v̂ + ε). Deck 002 divides by √(v + ε) with the uncorrected v instead.

    Keras adds ε to √v before the bias correction, which makes its ε larger by
    1/√(1 − β₂ᵗ); with ε = 1e-7 the two agree to about 1e-6 of a step.
    """
    t = state.get("t", 0) + 1
    m = beta_1 * state.get("m", 0.0) + (1 - beta_1) * g
    v = beta_2 * state.get("v", 0.0) + (1 - beta_2) * g**2
    m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), {"t": t, "m": m, "v": v}


UPDATES: dict[str, Update] = {"sgd": sgd, "momentum": momentum, "adagrad": adagrad, "rmsprop": rmsprop, "adam": adam}


KERAS_ADAGRAD_START = 0.1
"""Where Keras starts Adagrad's sum of squares (``initial_accumulator_value``); the deck starts at 0."""


def keras_optimizer(name: str, **hyper: Any) -> Any:
    """The Keras optimizer that takes the same steps as ``UPDATES[name]`` with ``hyper``.

    The course's one mapping from a name to a Keras optimizer (:func:`labs.training.make_optimizer`
    calls it): ``momentum`` is SGD with momentum 0.9 unless given; ``adagrad`` starts its sum
    of squares where :func:`adagrad` does, at the deck's 0 (``initial_accumulator``, or Keras'
    own name ``initial_accumulator_value``); ``make_optimizer`` passes Keras' 0.1 instead."""
    import keras

    check_choice("name", name, tuple(UPDATES))
    hyper = dict(hyper)
    if name == "sgd":
        return keras.optimizers.SGD(**hyper)
    if name == "momentum":
        hyper["momentum"] = check_momentum("momentum", hyper.get("momentum", 0.9))
        return keras.optimizers.SGD(**hyper)
    if name == "adagrad":
        if "initial_accumulator" in hyper and "initial_accumulator_value" in hyper:
            raise ValueError("give the Adagrad start as initial_accumulator or initial_accumulator_value, not both.")
        start = hyper.pop("initial_accumulator", hyper.pop("initial_accumulator_value", 0.0))
        start = check_positive("initial_accumulator", start, allow_zero=True)
        return keras.optimizers.Adagrad(initial_accumulator_value=start, **hyper)
    return {"rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam}[name](**hyper)


def run_steps(
    update: Update, grad: Callable[[np.ndarray], np.ndarray], w0: Any, steps: int, **hyper: Any
) -> np.ndarray:
    """Apply ``update`` for ``steps`` steps from ``w0``; the path, shape ``(steps + 1, len(w0))``."""
    w = check_array("w0", w0, ndim=1)
    steps = check_int("steps", steps, minimum=0)
    if not callable(update):
        raise TypeError(f"update must be a function (w, g, state, **hyper); got {type(update).__name__}.")
    state: State = {}
    path = [w]
    for _ in range(steps):
        w, state = update(w, np.asarray(grad(w), dtype=np.float64), state, **hyper)
        path.append(np.asarray(w, dtype=np.float64))
    return np.array(path)


def keras_steps(optimizer: Any, grad: Callable[[np.ndarray], np.ndarray], w0: Any, steps: int) -> np.ndarray:
    """The same as :func:`run_steps`, but ``optimizer`` (a Keras optimizer) takes the steps.

    The parameters are a float64 Keras variable; ``grad`` is evaluated on its current value,
    so only the update rule differs from :func:`run_steps`.
    """
    import keras

    w0 = check_array("w0", w0, ndim=1)
    steps = check_int("steps", steps, minimum=0)
    variable = keras.Variable(w0, dtype="float64", name="w")
    path = [w0]
    for _ in range(steps):
        g = np.asarray(grad(np.asarray(variable.numpy())), dtype=np.float64)
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g, dtype="float64"), variable)])
        path.append(np.asarray(variable.numpy(), dtype=np.float64))
    return np.array(path)


# --- toy losses ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToyLoss:
    """A loss of a few parameters with its gradient, for watching optimizers move."""

    name: str
    loss: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    minimum: np.ndarray

    def __call__(self, w: Any) -> np.ndarray:
        return self.loss(np.asarray(w, dtype=np.float64))


def elongated_bowl(a: float = 1.0, b: float = 10.0) -> ToyLoss:
    """L(w) = ½(a w₁² + b w₂²): a valley steep across (curvature ``b``) and shallow along (``a``).

    Plain gradient descent converges for η < 2 / max(a, b) and diverges above.
    """
    a, b = check_positive("a", a), check_positive("b", b)
    scale = np.array([a, b])

    def loss(w: np.ndarray) -> np.ndarray:
        return 0.5 * (a * w[..., 0] ** 2 + b * w[..., 1] ** 2)

    return ToyLoss(f"bowl {a:g}:{b:g}", loss, lambda w: scale * np.asarray(w, dtype=np.float64), np.zeros(2))


def bumpy_slope(slope: float = 0.1, dip: float = 0.6, width: float = 0.5, at: float = 0.0) -> ToyLoss:
    """A 1-D loss going downhill to a wall at w = 5 with a shallow dip (local minimum) near ``at``:
    L(w) = ½·slope·(w − 5)² − dip·exp(−(w − at)² / (2 width²)) ."""
    slope, dip, width = check_positive("slope", slope), check_positive("dip", dip), check_positive("width", width)

    def bump(w: np.ndarray) -> np.ndarray:
        return np.exp(-((w - at) ** 2) / (2 * width**2))

    def loss(w: np.ndarray) -> np.ndarray:
        return 0.5 * slope * (w[..., 0] - 5.0) ** 2 - dip * bump(w[..., 0])

    def grad(w: np.ndarray) -> np.ndarray:
        w = np.asarray(w, dtype=np.float64)
        return slope * (w - 5.0) + dip * (w - at) / width**2 * bump(w)

    return ToyLoss("bumpy slope", loss, grad, np.array([5.0]))


def trajectories(
    loss: ToyLoss, w0: Any, steps: int, rules: Mapping[str, tuple[str | Update, Mapping[str, Any]]]
) -> dict[str, np.ndarray]:
    """Paths of several rules from the same start: ``{label: (rule or its name, hyper)}``."""
    paths = {}
    for label, (rule, hyper) in rules.items():
        update = UPDATES[check_choice(f"rules[{label!r}]", rule, tuple(UPDATES))] if isinstance(rule, str) else rule
        paths[label] = run_steps(update, loss.grad, w0, steps, **hyper)
    return paths
