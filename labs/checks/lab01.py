"""Self-checks of lab 01 (perceptron)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from labs import neurons
from labs.checks._common import _call, _passed, check_close, relative_error
from labs.i18n import N_, _


def check_perceptron_update(update: Callable) -> None:
    """Exercise: ``update(w, b, x, t, lr) -> (w_new, b_new)`` implements the perceptron rule."""
    cases = [
        (np.array([0.0, 0.0]), 0.0, np.array([1.0, 1.0]), -1.0, 0.5, N_("a misclassified -1 sample")),
        (np.array([0.5, -0.5]), -0.5, np.array([1.0, 0.0]), 1.0, 0.5, N_("a misclassified +1 sample")),
        (np.array([1.0, 1.0]), -1.5, np.array([1.0, 1.0]), 1.0, 0.5, N_("a correctly classified sample")),
        (np.array([0.2, 0.7]), 0.1, np.array([0.0, 1.0]), -1.0, 0.1, N_("a small learning rate")),
    ]
    for w, b, x, t, lr, what in cases:
        result = _call(update, "update", w.copy(), b, x, t, lr)
        if not isinstance(result, tuple) or len(result) != 2:
            raise AssertionError(_("update must return a pair (new_w, new_b)."))
        w_exp, b_exp = neurons.perceptron_update(w, b, x, t, lr)
        hint = _(
            "For {what} (w={w}, b={b}, x={x}, t={t}, lr={lr}) the rule gives "
            "z = sign(w·x + b) = {z:+.0f}, Δw = lr·(t − z)·x."
        ).format(what=_(what), w=w, b=b, x=x, t=t, lr=lr, z=neurons.sign(x @ w + b))
        check_close("new_w", result[0], w_exp, hint=hint)
        check_close("new_b", result[1], b_exp, hint=hint)
    _passed(_("perceptron update matches the rule Δw = η (t − z) x on all four cases."))


def check_sigmoid_gradient(gradient: Callable) -> None:
    """Exercise: ``gradient(w, b, X, t) -> (dE_dw, dE_db)`` for one sigmoid unit, E = ½Σ(t − z)²."""
    rng = np.random.default_rng(1)
    X, w, b = rng.normal(size=(6, 3)), rng.normal(size=3), 0.3
    t = rng.uniform(size=6)
    result = _call(gradient, "gradient", w.copy(), b, X, t)
    if not isinstance(result, tuple) or len(result) != 2:
        raise AssertionError(_("gradient must return a pair (dE_dw, dE_db)."))
    gw, gb = neurons.delta_rule_gradient(w, b, X, t, "sigmoid")
    lgw, _lgb = neurons.delta_rule_gradient(w, b, X, t, "linear")
    got = np.asarray(result[0], dtype=float)
    if got.shape == gw.shape and np.allclose(got, lgw):
        raise AssertionError(
            _("dE_dw equals the linear unit's gradient: multiply each δ by f'(s) = z(1 − z).")
        )
    check_close(
        "dE_dw", result[0], gw,
        hint=_("Use δ_k = f'(s_k)(t_k − z_k) with f'(s) = z(1 − z), and ∂E/∂w = −Σ_k δ_k x_k."),
    )
    check_close("dE_db", result[1], gb, hint=_("The bias acts as a weight on a constant input 1: ∂E/∂b = −Σ_k δ_k."))
    _passed(_("sigmoid-unit gradient is right (relative error {error:.1e}).").format(
        error=relative_error(result[0], gw)))



AND_EPOCH_LIMIT = 3  # epochs the rule may take from the student's start, the error-free one included


def _number(label: str, value: Any, *, positive: bool = False) -> float:
    if value is None:
        raise AssertionError(_("{label} is None: choose a value.").format(label=label))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AssertionError(_("{label} must be a number; got {kind}.").format(
            label=label, kind=type(value).__name__)) from None
    if not np.isfinite(number) or (positive and number <= 0):
        message = (_("{label} must be a positive finite number; got {value!r}.") if positive
                   else _("{label} must be a finite number; got {value!r}."))
        raise AssertionError(message.format(label=label, value=value))
    return number


def and_choice_outcome(lr: Any, b0: Any, w0: Any, order: Any = (0, 1, 2, 3)) -> dict[str, Any]:
    """Run the perceptron rule on AND from the start ``(w0, b0)`` with rate ``lr``, rows in ``order``.

    Returns the rows the start gets wrong (``start_errors``), whether the rule converged within
    100 epochs, the ``epochs`` it took (the error-free epoch included) and the errors per epoch.
    """
    from labs.data import truth_table

    lr = _number("lr", lr, positive=True)
    b0 = _number("b0", b0)
    if w0 is None:
        raise AssertionError(_("w0 is None: choose two starting weights."))
    w0 = np.asarray(w0, dtype=float)
    if w0.shape != (2,) or not np.all(np.isfinite(w0)):
        raise AssertionError(_("w0 must be two finite numbers, shape (2,); got shape {shape}.").format(shape=w0.shape))
    X, t = truth_table("and", bipolar=True)
    order = np.asarray(order, dtype=int)
    start_errors = int(np.sum(neurons.sign(X @ w0 + b0) != t))
    run = neurons.train_perceptron(X[order], t[order], lr=lr, w0=w0, b0=b0, max_epochs=100)
    return {"start_errors": start_errors, "converged": run.converged, "epochs": run.epochs, "errors": run.errors}


def check_and_choice(lr: Any, b0: Any, w0: Any) -> None:
    """Exercise (homework 2): a learning rate, threshold and start from which the rule learns AND fast."""
    orders = {N_("in the table's order"): (0, 1, 2, 3), N_("in reverse order"): (3, 2, 1, 0)}
    outcomes = {what: and_choice_outcome(lr, b0, w0, order) for what, order in orders.items()}
    first = next(iter(outcomes.values()))
    if first["start_errors"] == 0:
        raise AssertionError(_(
            "Your starting unit already computes AND: no row is wrong, so the rule has nothing to learn. "
            "Start from weights that get at least one row wrong and let the rule correct them."
        ))
    for what, got in outcomes.items():
        if not got["converged"]:
            raise AssertionError(_(
                "With the rows {what} the rule did not converge in 100 epochs "
                "(errors in the last epochs: {errors}). Is the threshold's sign right?"
            ).format(what=_(what), errors=got["errors"][-3:]))
        if got["epochs"] > AND_EPOCH_LIMIT:
            raise AssertionError(_(
                "With the rows {what} the rule took {epochs} epochs (errors per epoch "
                "{errors}); aim for at most {limit}, the error-free epoch included. "
                "Each mistake moves (w, b) by 2η·t·(x, 1): pick a start close to a solution and an η whose "
                "steps are big enough to cross the line, but not so big that they overshoot."
            ).format(what=_(what), epochs=got["epochs"], errors=got["errors"], limit=AND_EPOCH_LIMIT))
    worst = max(got["epochs"] for got in outcomes.values())
    _passed(_(
        "from your start ({wrong} of 4 rows wrong) the rule learned AND in at most "
        "{epochs} epochs, rows in the table's and in reverse order."
    ).format(wrong=first["start_errors"], epochs=worst))
