"""Self-checks of lab 08 (optimizers)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labs.checks._common import (
    BOWL,
    RULE_START,
    RULE_STEPS,
    _case_with,
    _check_rule_steps,
    _expected,
    _passed,
)


def _adagrad_update_cases() -> list[dict]:
    """Where the Adagrad check starts on the elongated bowl, and its learning rate."""
    return [{"w": np.array(RULE_START), "state": np.zeros(2), "lr": 0.5, "steps": RULE_STEPS, "bowl": BOWL}]


def _momentum_update_cases() -> list[dict]:
    """Where the momentum check starts on the elongated bowl, its learning rate and momentum."""
    return [{"w": np.array(RULE_START), "state": np.zeros(2), "lr": 0.02, "momentum": 0.9, "steps": RULE_STEPS,
             "bowl": BOWL}]


def _trajectory(exercise: str, cases: list[dict], **settings: float) -> tuple[np.ndarray, np.ndarray]:
    """The master's weights and state after 0 … RULE_STEPS steps, for the case with these settings."""
    i = _case_with(exercise, cases, **settings)
    return _expected(f"lab08.{exercise}.case{i}.w"), _expected(f"lab08.{exercise}.case{i}.state")


def check_adagrad_update(update: Callable, learning_rate: float = 0.5) -> None:
    """Exercise: ``update(w, g, sum_sq, lr) -> (new_w, new_sum_sq)`` is Adagrad, as in Keras."""
    from labs import optimizers

    lr, eps = learning_rate, 1e-7
    trajectory = _trajectory("adagrad_update", _adagrad_update_cases(), lr=lr)
    variants = {
        "no root": (lambda w, g, s: (w - lr * g / (s + g**2 + eps), s + g**2),
                    "you divide by Σg² itself; Adagrad divides by its square root √(Σg²)."),
        "old sum": (lambda w, g, s: (w - lr * g / np.sqrt(s + eps), s + g**2),
                    "the sum must include this step's g² before you divide (add first, then divide)."),
        "no memory": (lambda w, g, s: (w - lr * g / np.sqrt(g**2 + eps), s + g**2),
                      "you divide by this step's |g| only; Adagrad divides by the root of the sum of ALL past g²."),
        "plain": (lambda w, g, s: (w - lr * g, s + g**2),
                  "that is plain gradient descent; divide the step by √(Σ past g²)."),
        "sign": (lambda w, g, s: (w + lr * g / np.sqrt(s + g**2 + eps), s + g**2),
                 "the step goes uphill: subtract η g / √(Σg²), don't add it."),
    }
    diff = _check_rule_steps(
        "update", lambda w, g, s: update(w, g, s, lr), trajectory, "sum_sq", variants,
        optimizers.keras_optimizer("adagrad", learning_rate=lr),
    )
    _passed(f"your Adagrad takes the same {RULE_STEPS} steps as keras.optimizers.Adagrad"
            f"(initial_accumulator_value=0) (largest difference {diff:.1e} of the parameters' size).")


def check_momentum_update(update: Callable, learning_rate: float = 0.02, momentum: float = 0.9) -> None:
    """Exercise: ``update(w, g, movement, lr, momentum) -> (new_w, new_movement)`` is Keras' SGD momentum."""
    from labs import optimizers

    lr, lam = learning_rate, momentum
    trajectory = _trajectory("momentum_update", _momentum_update_cases(), lr=lr, momentum=lam)
    variants = {
        "plain": (lambda w, g, v: (w - lr * g, lam * v - lr * g),
                  "that is plain gradient descent; add the momentum term λ·(previous movement)."),
        "sign": (lambda w, g, v: (w + lam * v + lr * g, lam * v + lr * g),
                 "the gradient term has the wrong sign: movement = λ·movement − η·g (downhill)."),
        "minus": (lambda w, g, v: (w - (lam * v - lr * g), lam * v - lr * g),
                  "you subtract the movement; with movement = λ·movement − η·g, the new w is w + movement."),
        "no lr": (lambda w, g, v: (w + lam * v - g, lam * v - g),
                  "the gradient must be scaled by the learning rate η inside the movement."),
    }
    diff = _check_rule_steps(
        "update", lambda w, g, v: update(w, g, v, lr, lam), trajectory, "movement", variants,
        optimizers.keras_optimizer("momentum", learning_rate=lr, momentum=lam),
    )
    _passed(f"your momentum rule takes the same {RULE_STEPS} steps as keras.optimizers.SGD"
            f"(momentum={lam}) (largest difference {diff:.1e} of the parameters' size).")

