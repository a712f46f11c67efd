"""Self-checks of lab 08 (optimizers)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labs.checks._common import (
    BOWL,
    RULE_START,
    RULE_STEPS,
    _call,
    _case_with,
    _check_rule_steps,
    _expected,
    _passed,
)
from labs.i18n import _


def _adagrad_update_cases() -> list[dict]:
    """Where the Adagrad check starts on the elongated bowl, and its learning rate; the second case
    starts so near the minimum (gradients about 1e-4) that ε's place, inside or outside the root,
    changes the steps."""
    return [{"w": np.array(RULE_START), "state": np.zeros(2), "lr": 0.5, "steps": RULE_STEPS, "bowl": BOWL},
            {"w": np.array(RULE_START) * 1e-4, "state": np.zeros(2), "lr": 1e-4, "steps": RULE_STEPS, "bowl": BOWL}]


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
    trajectory = _trajectory("adagrad_update", _adagrad_update_cases()[:1], lr=lr)
    variants = {
        "no root": (lambda w, g, s: (w - lr * g / (s + g**2 + eps), s + g**2),
                    _("you divide by Σg² itself; Adagrad divides by its square root √(Σg²).")),
        "old sum": (lambda w, g, s: (w - lr * g / np.sqrt(s + eps), s + g**2),
                    _("the sum must include this step's g² before you divide (add first, then divide).")),
        "no memory": (lambda w, g, s: (w - lr * g / np.sqrt(g**2 + eps), s + g**2),
                      _("you divide by this step's |g| only; Adagrad divides by the root of the sum of ALL past g².")),
        "plain": (lambda w, g, s: (w - lr * g, s + g**2),
                  _("that is plain gradient descent; divide the step by √(Σ past g²).")),
        "sign": (lambda w, g, s: (w + lr * g / np.sqrt(s + g**2 + eps), s + g**2),
                 _("the step goes uphill: subtract η g / √(Σg²), don't add it.")),
    }
    diff = _check_rule_steps(
        "update", lambda w, g, s: update(w, g, s, lr), trajectory, "sum_sq", variants,
        optimizers.keras_optimizer("adagrad", learning_rate=lr),
    )
    tiny = _adagrad_update_cases()[1]
    tiny_lr = tiny["lr"]
    outside = {"ε outside": (lambda w, g, s: (w - tiny_lr * g / (np.sqrt(s + g**2) + eps), s + g**2),
                             _("ε belongs inside the root, as in Keras: divide by √(Σg² + ε), not √(Σg²) + ε "
                               "(the two differ where the gradients are as small as here)."))}
    _check_rule_steps(
        "update", lambda w, g, s: update(w, g, s, tiny_lr),
        (_expected("lab08.adagrad_update.case1.w"), _expected("lab08.adagrad_update.case1.state")),
        "sum_sq", outside, optimizers.keras_optimizer("adagrad", learning_rate=tiny_lr),
    )
    _passed(_("your Adagrad takes the same {steps} steps as keras.optimizers.Adagrad"
              "(initial_accumulator_value=0) (largest difference {difference:.1e} of the parameters' size).").format(
                  steps=RULE_STEPS, difference=diff))


def check_momentum_update(update: Callable, learning_rate: float = 0.02, momentum: float = 0.9) -> None:
    """Exercise: ``update(w, g, movement, lr, momentum) -> (new_w, new_movement)`` is Keras' SGD momentum."""
    from labs import optimizers

    lr, lam = learning_rate, momentum
    trajectory = _trajectory("momentum_update", _momentum_update_cases(), lr=lr, momentum=lam)
    variants = {
        "plain": (lambda w, g, v: (w - lr * g, lam * v - lr * g),
                  _("that is plain gradient descent; add the momentum term λ·(previous movement).")),
        "sign": (lambda w, g, v: (w + lam * v + lr * g, lam * v + lr * g),
                 _("the gradient term has the wrong sign: movement = λ·movement − η·g (downhill).")),
        "minus": (lambda w, g, v: (w - (lam * v - lr * g), lam * v - lr * g),
                  _("you subtract the movement; with movement = λ·movement − η·g, the new w is w + movement.")),
        "no lr": (lambda w, g, v: (w + lam * v - g, lam * v - g),
                  _("the gradient must be scaled by the learning rate η inside the movement.")),
    }
    diff = _check_rule_steps(
        "update", lambda w, g, v: update(w, g, v, lr, lam), trajectory, "movement", variants,
        optimizers.keras_optimizer("momentum", learning_rate=lr, momentum=lam),
    )
    _passed(_("your momentum rule takes the same {steps} steps as keras.optimizers.SGD"
              "(momentum={momentum}) (largest difference {difference:.1e} of the parameters' size).").format(
                  steps=RULE_STEPS, momentum=lam, difference=diff))



MOMENTUM_VALLEY = (0.1, 10.0)
"""Curvatures of lab 08's long valley L(w) = ½(0.1 w₁² + 10 w₂²), where the momentum exercise runs."""
MOMENTUM_START = (-4.0, 1.5)
MOMENTUM_STEPS = 40
MOMENTUM_TARGET = 1e-3
"""The loss the chosen (η, λ) must reach within ``MOMENTUM_STEPS`` steps (it starts at about 12)."""


def _momentum_settings(choose: Callable) -> tuple[float, float]:
    settings = _call(choose, "momentum_settings")
    if not isinstance(settings, (tuple, list)) or len(settings) != 2:
        raise AssertionError(_("momentum_settings must return a pair (learning_rate, momentum); got {settings!r}.").format(
            settings=settings))
    try:
        lr, lam = (float(v) for v in settings)
    except (TypeError, ValueError):
        raise AssertionError(_("learning_rate and momentum must be numbers; got {settings!r}.").format(
            settings=settings)) from None
    if not (np.isfinite(lr) and lr > 0):
        raise AssertionError(_("the learning rate must be a positive number; got {lr}.").format(lr=lr))
    if not 0 <= lam < 1:
        raise AssertionError(_("the momentum λ must be in [0, 1) (λ ≥ 1 never forgets a step); got {momentum}.").format(
            momentum=lam))
    return lr, lam


def measure_momentum(choose: Callable, starts: tuple | list | None = None) -> float:
    """Run ``labs.optimizers.momentum`` with the pair ``choose()`` returns for ``MOMENTUM_STEPS``
    steps on the long valley from each start (the lab's start by default); the largest final loss."""
    from labs import optimizers

    lr, lam = _momentum_settings(choose)
    valley = optimizers.elongated_bowl(*MOMENTUM_VALLEY)
    worst = 0.0
    for start in starts if starts is not None else [MOMENTUM_START]:
        with np.errstate(all="ignore"):
            path = optimizers.run_steps(optimizers.momentum, valley.grad, np.asarray(start, dtype=float),
                                        MOMENTUM_STEPS, learning_rate=lr, momentum=lam)
            loss = float(valley(path[-1]))
        worst = max(worst, loss if np.isfinite(loss) else float("inf"))
    return worst


def check_momentum_settings(choose: Callable) -> None:
    """Exercise: ``choose() -> (learning_rate, momentum)`` brings the long valley's loss below
    ``MOMENTUM_TARGET`` within ``MOMENTUM_STEPS`` steps of gradient descent with momentum."""
    from labs import optimizers

    lr, lam = _momentum_settings(choose)
    loss = measure_momentum(choose)
    valley = optimizers.elongated_bowl(*MOMENTUM_VALLEY)
    start_loss = float(valley(np.array(MOMENTUM_START)))
    if not loss <= MOMENTUM_TARGET:
        if not loss < start_loss:
            raise AssertionError(
                _("with η = {lr:g}, λ = {momentum:g} the loss ends at {loss:.3g}, above its start ({start:.3g}): the "
                  "steps across the valley grow. Look at what one step does to w₂ (curvature 10) with and without "
                  "momentum.").format(lr=lr, momentum=lam, loss=loss, start=start_loss))
        raise AssertionError(
            _("with η = {lr:g}, λ = {momentum:g} the loss ends at {loss:.3g} after {steps} steps; it needs "
              "{target:g}. Which direction is still far from 0 — w₁ (curvature 0.1) or w₂ (curvature 10)? "
              "Too slow along the floor wants longer memory or larger steps; a swing across the valley that dies "
              "slowly wants the opposite.").format(lr=lr, momentum=lam, loss=loss, steps=MOMENTUM_STEPS,
                                                   target=MOMENTUM_TARGET))
    _passed(_("with η = {lr:g}, λ = {momentum:g} the loss falls from {start:.3g} to {loss:.2g} in {steps} "
              "steps (needed {target:g}).").format(lr=lr, momentum=lam, start=start_loss, loss=loss,
                                                   steps=MOMENTUM_STEPS, target=MOMENTUM_TARGET))
