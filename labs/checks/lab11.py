"""Self-checks of lab 11 (why deep)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labs.checks._common import _call, _expected, _passed
from labs.i18n import _


def _parameter_count_cases() -> list[list[int]]:
    """Layer sizes, input first: the XOR net, the slides' MNIST net, Seide et al.'s 5 × 2k net, no hidden layer."""
    return [[2, 2, 1], [784, 500, 500, 10], [429, 2048, 2048, 9304], [4, 3]]


def _shallow_width_cases() -> list[tuple[int, int, int]]:
    """(parameters, inputs, outputs) of deeper networks, to be matched by one hidden layer: chosen so that
    leaving out a bias, or rounding down instead of to the closest width, gives another whole number."""
    from labs.models import mlp_parameters, mlp_spec

    return [(mlp_parameters("784-50-50-50-10"), 784, 10),
            (mlp_parameters("784-300-300-10"), 784, 10),
            (mlp_parameters("10-20-20-5"), 10, 5),
            (mlp_parameters(mlp_spec(5, 2048, inputs=429, outputs=9304)), 429, 9304),
            (mlp_parameters("784-500-500-10"), 784, 10),
            (mlp_parameters("784-100-100-100-10"), 784, 10),
            (mlp_parameters("64-30-30-10"), 64, 10),
            (mlp_parameters("20-40-40-3"), 20, 3)]


def check_parameter_count(count: Callable) -> None:
    """Exercise: ``count(sizes)`` gives the number of weights and biases of a dense network."""
    for case, sizes in enumerate(_parameter_count_cases()):
        got = _call(count, "count", list(sizes))
        want = int(_expected(f"lab11.parameter_count.case{case}"))
        if got is None:
            raise AssertionError(_("{name} returned None: did you forget a `return`?").format(name="count"))
        weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        if got == weights:
            raise AssertionError(_("For {sizes} you counted {got}: only the weights. Each unit of every layer "
                                   "after the input also has a bias.").format(sizes=sizes, got=got))
        if got == want + sizes[0]:
            raise AssertionError(_("For {sizes} you counted {got}: the input layer has no biases "
                                   "(it only holds the inputs).").format(sizes=sizes, got=got))
        if got != want:
            raise AssertionError(_("For {sizes} you counted {got}; expected {expected}. A layer of n_out units fed "
                                   "by n_in units has n_in·n_out weights and n_out biases.").format(
                                       sizes=sizes, got=got, expected=want))
    _passed(_("parameter counts are right (784-500-500-10 has 648,010)."))


def check_shallow_width(width: Callable) -> None:
    """Exercise: ``width(parameters, inputs, outputs)`` is the one-hidden-layer width with that many parameters."""
    for case, (parameters, n_in, n_out) in enumerate(_shallow_width_cases()):
        got = _call(width, "width", parameters, n_in, n_out)
        want = int(_expected(f"lab11.shallow_width.case{case}"))
        if got is None:
            raise AssertionError(_("{name} returned None: did you forget a `return`?").format(name="width"))
        try:
            got_int = int(round(float(got)))
        except (TypeError, ValueError):
            raise AssertionError(_("width must return a number; got {kind}.").format(kind=type(got).__name__)) from None
        if got_int != want:
            slips = {  # what a count that forgets one kind of bias gives, rounded
                _("You left out the hidden biases: each hidden unit has one."): (parameters - n_out) / (n_in + n_out),
                _("You left out the output layer's biases: each output unit has one too."):
                    parameters / (n_in + 1 + n_out),
            }
            hint = next((" " + message for message, slip in slips.items() if got_int == round(slip)), None)
            if hint is None:
                hint = (_(" Your count looks right but not the rounding: give the whole width whose parameter count "
                          "is closest (round, not floor or ceil).") if abs(got_int - want) == 1 else
                        _(" Count the parameters of a one-hidden-layer net of w units as exercise 1 does, and "
                          "solve for w."))
            raise AssertionError(_("For {parameters:,} parameters, {inputs} inputs and {outputs} outputs you gave "
                                   "width {got}; expected {expected}.{hint}").format(
                                       parameters=parameters, inputs=n_in, outputs=n_out, got=got_int, expected=want,
                                       hint=hint))
    _passed(_("one-hidden-layer widths are right: 5 × 2k in Seide et al.'s net has as many parameters as 1 × 3772."))


def _sawtooth(x: np.ndarray, depth: int) -> np.ndarray:
    """``depth`` stacked tents: a triangle wave with 2**(depth - 1) teeth of height 1 on [0, 1]."""
    return 1.0 - np.abs(np.mod(2.0**depth * x, 2.0) - 1.0)


def _one_layer_output(answer: object, depth: int, x: np.ndarray) -> tuple[np.ndarray, int]:
    """The student's network on ``x`` and its number of units, after checking the answer's form."""
    if answer is None:
        raise AssertionError(_("{name} returned None: did you forget a `return`?").format(name="one_layer_sawtooth"))
    if not isinstance(answer, (tuple, list)) or len(answer) != 4:
        raise AssertionError(_("return the four parts (w, b, v, c): three arrays with one entry per hidden unit "
                               "and the output bias c."))
    try:
        w, b, v = (np.asarray(a, dtype=np.float64).ravel() for a in answer[:3])
        c = float(np.asarray(answer[3], dtype=np.float64))
    except (TypeError, ValueError):
        raise AssertionError(_("w, b and v must be arrays of numbers and c one number.")) from None
    if not len(w) == len(b) == len(v):
        raise AssertionError(_("w, b and v need one entry per hidden unit; yours have {w}, {b} and "
                               "{v} entries (depth {depth}).").format(w=len(w), b=len(b), v=len(v), depth=depth))
    return np.maximum(0.0, np.outer(x, w) + b) @ v + c, int(np.count_nonzero(v))


def check_one_layer_sawtooth(build: Callable) -> None:
    """Exercise: ``build(depth)`` gives (w, b, v, c) of one hidden ReLU layer equal to ``depth`` tents on [0, 1]."""
    x = np.linspace(0.0, 1.0, 2**10 + 1)
    x = np.sort(np.concatenate([x, (x[:-1] + x[1:]) / 2]))
    for depth in (1, 2, 3, 5):
        got, units = _one_layer_output(_call(build, "one_layer_sawtooth", depth), depth, x)
        want = _sawtooth(x, depth)
        wrong = np.abs(got - want) > 1e-6
        if wrong.any():
            first = float(x[np.argmax(wrong)])
            if np.allclose(got - want, (got - want)[0], atol=1e-6):
                hint = _(" The shape is right and the whole curve is shifted: look at the output bias c.")
            elif np.allclose(got, -want, atol=1e-6):
                hint = _(" Your curve is upside down: the first piece rises.")
            elif first == 0.0:
                hint = _(" At x = 0 the sawtooth is 0.")
            else:
                pieces = 2**depth
                hint = _(" The sawtooth of depth {depth} has {pieces} straight pieces of width 1/{pieces}; a unit "
                         "relu(w·x + b) bends at x = −b/w and changes the slope there by v·|w|.").format(
                             depth=depth, pieces=pieces)
            raise AssertionError(_("for depth {depth} your network first differs from the sawtooth at x = "
                                   "{first:.4g} (by {most:.3g} at most).{hint}").format(
                                       depth=depth, first=first, most=float(np.max(np.abs(got - want))), hint=hint))
        if units > 2**depth:
            raise AssertionError(_("for depth {depth} your network is right, with {units} hidden units; it can be "
                                   "done with {needed} (one per bend, and one for the first piece's slope).").format(
                                       depth=depth, units=units, needed=2**depth))
    _passed(_("one hidden layer computes the sawtooth: {units} units for 5 stacked tents, which use 10.").format(
        units=2**5))
