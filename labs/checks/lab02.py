"""Self-checks of lab 02 (XOR)."""

from __future__ import annotations

from typing import Any

import numpy as np

from labs import neurons
from labs.checks._common import _passed
from labs.i18n import _


def forward_sign_network(W1: Any, b1: Any, w2: Any, b2: Any, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hidden outputs and final output of a 2-layer network of sign units."""
    hidden = neurons.sign(X @ np.asarray(W1, dtype=float) + np.asarray(b1, dtype=float))
    return hidden, neurons.sign(hidden @ np.asarray(w2, dtype=float) + float(b2))


def check_xor_network(W1: Any, b1: Any, w2: Any, b2: Any) -> None:
    """Exercise: hand-set weights of a 2-2-1 sign network that computes XOR (targets ±1)."""
    from labs.data import truth_table

    shapes = {"W1": ((2, 2), W1), "b1": ((2,), b1), "w2": ((2,), w2), "b2": ((), b2)}
    for label, (shape, value) in shapes.items():
        if value is None:
            raise AssertionError(_("{label} is None: fill in the weights.").format(label=label))
        if np.shape(value) != shape:
            raise AssertionError(_("{label} must have shape {shape}; got {got}.").format(
                label=label, shape=shape, got=np.shape(value)))
    X, t = truth_table("xor", bipolar=True)
    hidden, out = forward_sign_network(W1, b1, w2, b2, X)
    wrong = [
        _("x={x} gives {out:+.0f} (hidden {hidden}), expected {target:+.0f}").format(
            x=X[k].astype(int).tolist(), out=out[k], hidden=hidden[k].astype(int).tolist(), target=t[k])
        for k in range(4)
        if out[k] != t[k]
    ]
    if wrong:
        raise AssertionError(_(
            "Not XOR yet: {wrong}. Hint: let one hidden unit compute OR and the "
            "other NAND; the output unit then computes AND of the two."
        ).format(wrong=_("; ").join(wrong)))
    _passed(_("your 2-2-1 sign network computes XOR on all four inputs."))


def check_separating_line(H: Any, t: Any, w: Any, b: Any) -> None:
    """Exercise: a line ``w·h + b = 0`` that puts every hidden point ``h`` on its target's side."""
    H = np.asarray(H, dtype=float)
    t = np.asarray(t, dtype=float)
    if H.ndim != 2 or H.shape[1] != 2:
        raise AssertionError(_("H must have shape (n, 2); got {shape}.").format(shape=H.shape))
    if np.shape(w) != (2,):
        raise AssertionError(_("w must have shape (2,); got {shape}.").format(shape=np.shape(w)))
    side = neurons.sign(H @ np.asarray(w, dtype=float) + float(b))
    wrong = np.flatnonzero(side != np.sign(t))
    if wrong.size:
        k = int(wrong[0])
        raise AssertionError(_(
            "{wrong} of {n} points are on the wrong side, e.g. h={h} "
            "has w·h + b = {value:+.3g} but target {target:+.0f}."
        ).format(wrong=wrong.size, n=len(t), h=H[k].round(3).tolist(),
                 value=H[k] @ np.asarray(w, float) + float(b), target=t[k]))
    _passed(_("the line separates the two classes in the hidden space: XOR became linearly separable."))



XOR_DESIGN_UPDATES = 300  # full-batch updates each start gets
XOR_DESIGN_STARTS = 20  # random starts the public check tries
XOR_DESIGN_SOLVED = 0.9  # share of starts that must solve XOR
XOR_DESIGN_MAX_HIDDEN = 4


def xor_design_outcome(hidden: Any, lr: Any, seeds: Any) -> dict[str, Any]:
    """Train the 2-``hidden``-1 sigmoid net on XOR from each seed; rows wrong after the last update."""
    from labs.data import truth_table

    if isinstance(hidden, bool) or not isinstance(hidden, (int, np.integer)):
        raise AssertionError(_("hidden must be a whole number of units; got {hidden!r}.").format(hidden=hidden))
    if not 2 <= int(hidden) <= XOR_DESIGN_MAX_HIDDEN:
        raise AssertionError(_("hidden must be between 2 and {most}; got {hidden}.").format(
            most=XOR_DESIGN_MAX_HIDDEN, hidden=hidden))
    try:
        lr = float(lr)
    except (TypeError, ValueError):
        raise AssertionError(_("lr must be a number; got {kind}.").format(kind=type(lr).__name__)) from None
    if not np.isfinite(lr) or not 0 < lr <= 100:
        raise AssertionError(_("lr must be a positive number up to 100; got {lr}.").format(lr=lr))
    X, t = truth_table("xor")
    errors = [
        neurons.train_small_net(X, t, hidden=int(hidden), lr=lr, updates=XOR_DESIGN_UPDATES, seed=int(s)).errors
        for s in seeds
    ]
    return {"errors": errors, "solved": float(np.mean(np.asarray(errors) == 0))}


def check_xor_design(hidden: Any, lr: Any) -> None:
    """Exercise: a hidden width and learning rate with which almost every random start solves XOR."""
    got = xor_design_outcome(hidden, lr, range(XOR_DESIGN_STARTS))
    solved = round(got["solved"] * XOR_DESIGN_STARTS)
    measured = _("hidden={hidden}, η={lr:g}: {solved} of {starts} random starts solved XOR "
                 "within {updates} updates").format(hidden=hidden, lr=float(lr), solved=solved,
                                                    starts=XOR_DESIGN_STARTS, updates=XOR_DESIGN_UPDATES)
    if got["solved"] < XOR_DESIGN_SOLVED:
        stuck = sorted(e for e in got["errors"] if e)
        raise AssertionError(_(
            "{measured}; {needed} are needed (the others end with "
            "{stuck} rows wrong). Which starts got stuck in section 4, and why? Think about what an extra "
            "hidden unit gives the network, and whether your steps are too short to get anywhere in "
            "{updates} updates or so long that they jump about."
        ).format(measured=measured, needed=round(XOR_DESIGN_SOLVED * XOR_DESIGN_STARTS), stuck=stuck,
                 updates=XOR_DESIGN_UPDATES))
    _passed(_("{measured}.").format(measured=measured))
