"""Shared assertion helpers of the self-checks: each failure says what is wrong."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from labs.gradcheck import relative_error
from labs.i18n import _

RULE_STEPS = 10
EXPECTED_FILE = Path(__file__).with_name("expected.npz")


@functools.cache
def _expected_values() -> dict[str, np.ndarray]:
    with np.load(EXPECTED_FILE, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def _expected(key: str) -> np.ndarray:
    """The expected value stored for one of a check's fixed cases (made from the masters' solutions)."""
    values = _expected_values()
    if key not in values:
        raise KeyError(_("{file} holds no expected value {key!r}: the course's author has to run "
                         "`python -m labs expected` after changing a check's cases.").format(
                             file=EXPECTED_FILE.name, key=key))
    return values[key]


def _case_with(exercise: str, cases: list[dict], **settings: Any) -> int:
    """Index of the fixed case whose settings (learning rate, …) are ``settings``."""
    for i, case in enumerate(cases):
        if all(case[name] == value for name, value in settings.items()):
            return i
    stored = [{name: case[name] for name in settings} for case in cases]
    raise ValueError(_("the check of {exercise} has expected values for {stored} only; got {settings}. "
                       "Add a case and run `python -m labs expected` to check other settings.").format(
                           exercise=exercise, stored=stored, settings=settings))


def _passed(message: str) -> None:
    print(f"✓ {message}")


def check_close(
    name: str, got: Any, expected: Any, *, rtol: float = 1e-6, atol: float = 1e-8, hint: str = ""
) -> None:
    """Check that ``got`` matches ``expected`` (shape, sign, values) with a specific message."""
    if got is None:
        raise AssertionError(_("{name} is None: did you forget a `return`?").format(name=name))
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(_("{name} must be numbers; got {kind}.").format(name=name, kind=type(got).__name__)) from None
    want = np.asarray(expected, dtype=np.float64)
    if got_arr.shape != want.shape:
        raise AssertionError(_("{name} has shape {shape}; expected {expected}. {hint}").format(
            name=name, shape=got_arr.shape, expected=want.shape, hint=hint).strip())
    if np.any(~np.isfinite(got_arr)):
        raise AssertionError(_("{name} contains NaN or inf. {hint}").format(name=name, hint=hint).strip())
    if np.allclose(got_arr, want, rtol=rtol, atol=atol):
        return
    if np.any(want != 0) and np.allclose(got_arr, -want, rtol=rtol, atol=atol):
        raise AssertionError(_("{name} has the right size but the opposite sign. {hint}").format(
            name=name, hint=hint).strip())
    flat = np.abs(got_arr - want).ravel()
    worst = int(flat.argmax())
    index = tuple(int(i) for i in np.unravel_index(worst, want.shape)) if want.shape else ()
    raise AssertionError(
        _("{name} differs from the expected value: at index {index} you have {got:.6g}, expected "
          "{expected:.6g} (relative error {error:.2e}). {hint}").format(
            name=name, index=index, got=got_arr[index], expected=want[index],
            error=relative_error(got_arr, want), hint=hint).strip()
    )


def _call(fn: Callable, label: str, *args: Any) -> Any:
    if not callable(fn):
        raise AssertionError(_("{label} must be a function; got {kind}.").format(label=label, kind=type(fn).__name__))
    try:
        return fn(*args)
    except NotImplementedError:
        raise AssertionError(_("{label} is not written yet: replace the `raise NotImplementedError`.").format(
            label=label)) from None


def _same(got: Any, want: np.ndarray) -> bool:
    """True when ``got`` is numbers of ``want``'s shape and equal to it within 1e-6 (relative)."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(want) and bool(np.allclose(got, want, rtol=1e-6))


BOWL = (1.0, 10.0)  # the elongated bowl the update rules are stepped on
RULE_START = (-4.0, 1.5)


def _check_rule_steps(
    label: str,
    student: Callable,
    trajectory: tuple[np.ndarray, np.ndarray],
    state_name: str,
    variants: dict[str, tuple[Callable, str]],
    keras_optimizer: Any,
) -> float:
    """Step a student's update rule along the master's ``trajectory`` (weights and state after
    0 … ``RULE_STEPS`` steps on the elongated bowl), then run it for ``RULE_STEPS`` steps against
    ``keras_optimizer``; return the largest relative difference."""
    from labs import optimizers

    bowl = optimizers.elongated_bowl(*BOWL)
    weights, states = (np.asarray(a, dtype=np.float64) for a in trajectory)
    w0, state0 = weights[0], states[0]
    for step in range(1, RULE_STEPS + 1):
        w, state = weights[step - 1], states[step - 1]
        g = bowl.grad(w)
        result = _call(student, label, w.copy(), g.copy(), state.copy())
        if not isinstance(result, tuple) or len(result) != 2:
            raise AssertionError(_("{label} must return a pair (new_w, new_{state}).").format(
                label=label, state=state_name))
        want_w, want_state = weights[step], states[step]
        where = _("At step {step} (w={w}, g={g}, {state}={value})").format(
            step=step, w=np.round(w, 4), g=np.round(g, 4), state=state_name, value=np.round(state, 4))
        if not _same(result[0], want_w):
            for variant, message in variants.values():
                wrong_w, wrong_state = variant(w, g, state)
                if _same(result[0], wrong_w) and _same(result[1], wrong_state):
                    raise AssertionError(_("{where} new_w = {value}: {message}").format(
                        where=where, value=np.round(result[0], 6), message=message))
        check_close(_("new_w at step {step}").format(step=step), result[0], want_w, rtol=1e-6, hint=_("{where}.").format(where=where))
        check_close(_("new_{state} at step {step}").format(state=state_name, step=step), result[1], want_state,
                    rtol=1e-6, hint=where + _(": return the updated {state}, not the old one.").format(state=state_name))

    def as_rule(w, g, memory):
        new_w, new_state = student(w, g, memory.get(state_name, state0.copy()))
        return np.asarray(new_w, dtype=np.float64), {state_name: np.asarray(new_state, dtype=np.float64)}

    ours = optimizers.run_steps(as_rule, bowl.grad, w0, RULE_STEPS)
    theirs = optimizers.keras_steps(keras_optimizer, bowl.grad, w0, RULE_STEPS)
    difference = float(np.max(np.abs(ours - theirs)) / np.max(np.abs(ours)))
    if difference > 1e-4:
        raise AssertionError(
            _("Step by step your rule matches, but over {steps} steps it differs from Keras by "
              "{difference:.1e} of the parameters' size (expected < 1e-4): does it keep state between calls?").format(
                steps=RULE_STEPS, difference=difference)
        )
    return difference
