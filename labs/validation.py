"""Input checks shared by every public function (scikit-learn ``check_array`` style).

Each helper raises a ``ValueError`` or ``TypeError`` that names the argument, what was
expected and what was given, so that a student reads the fix straight from the message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``, else raise a ``ValueError``."""
    choices = tuple(choices)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}.")
    return value


def check_int(name: str, value: Any, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int, checking its type and lower bound."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__} {value!r}.")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}.")
    return int(value)


def check_positive(name: str, value: Any, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, checking that it is a positive (or, with ``allow_zero``,
    non-negative) finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number; got {type(value).__name__} {value!r}.")
    if allow_zero and np.isfinite(value) and value == 0:
        return 0.0
    if not np.isfinite(value) or value <= 0:
        wanted = "a finite number >= 0" if allow_zero else "a positive finite number"
        raise ValueError(f"{name} must be {wanted}; got {value}.")
    return float(value)


def check_array(
    name: str,
    value: Any,
    *,
    ndim: int | None = None,
    shape: tuple[int | None, ...] | None = None,
    dtype: Any = np.float64,
) -> np.ndarray:
    """Convert ``value`` to a finite numeric array of the expected rank and shape.

    ``shape`` may use ``None`` for a dimension of any size, e.g. ``(None, 2)``.
    """
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be a numeric array; got {type(value).__name__} that NumPy "
            f"cannot convert ({error})."
        ) from None
    if shape is not None:
        ndim = len(shape)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-D array; got shape {array.shape} ({array.ndim}-D)."
        )
    if shape is not None:
        for axis, (want, got) in enumerate(zip(shape, array.shape)):
            if want is not None and want != got:
                wanted = tuple("any" if s is None else s for s in shape)
                raise ValueError(
                    f"{name} must have shape {wanted}; got {array.shape} "
                    f"(axis {axis} is {got}, expected {want})."
                )
    if np.issubdtype(array.dtype, np.floating) and not np.all(np.isfinite(array)):
        bad = int(np.sum(~np.isfinite(array)))
        raise ValueError(f"{name} must hold finite numbers; got {bad} NaN or infinite value(s). Clean the data first.")
    return array


def check_labels(name: str, value: Any, *, n_classes: int | None = None) -> np.ndarray:
    """Check a 1-D array of integer class labels in ``[0, n_classes)``."""
    labels = np.asarray(value)
    if labels.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels; got shape {labels.shape}.")
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        whole = np.equal(np.mod(labels, 1), 0)
        if not np.all(whole):
            raise ValueError(f"{name} must hold whole-number class labels; got {labels.dtype} values such as "
                             f"{labels[~whole].ravel()[0]!r}.")
        labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(f"{name} must hold labels >= 0; found {labels.min()}.")
    if n_classes is not None and labels.size and labels.max() >= n_classes:
        raise ValueError(
            f"{name} must hold labels in 0..{n_classes - 1}; found {labels.max()}."
        )
    return labels


def check_same_length(**arrays: Any) -> int:
    """Check that every named array has the same number of rows; return that number."""
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"These arrays must have the same number of rows: {described}.")
    return next(iter(lengths.values()))


def check_number(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a real number (not a bool, not NaN), else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number; got {type(value).__name__} {value!r}.")
    if np.isnan(value):
        raise ValueError(f"{name} must be a number; got NaN.")
    return float(value)


def check_in_range(
    name: str,
    value: Any,
    low: float,
    high: float,
    *,
    include_low: bool = True,
    include_high: bool = False,
    what: str = "a number",
    hint: str = "",
) -> float:
    """Return ``value`` as a float if it lies in the interval from ``low`` to ``high`` (each end
    included or not), else raise a ``ValueError`` that shows the interval and the value."""
    number = check_number(name, value)
    above = number >= low if include_low else number > low
    below = number <= high if include_high else number < high
    if not (above and below):
        interval = f"{'[' if include_low else '('}{low:g}, {high:g}{']' if include_high else ')'}"
        raise ValueError(f"{name} must be {what} in {interval}; got {value!r}.{' ' + hint if hint else ''}")
    return number


def check_keep_prob(keep_prob: Any) -> float:
    """Return ``keep_prob`` (the probability of keeping a unit) as a float in (0, 1]."""
    return check_in_range(
        "keep_prob", keep_prob, 0.0, 1.0, include_low=False, include_high=True,
        what="the probability of keeping a unit",
        hint="(Keras' Dropout(rate) takes the fraction dropped: keep_prob = 1 − rate.)",
    )


def check_momentum(name: str, momentum: Any) -> float:
    """Return a momentum (or moving-average) coefficient as a float in [0, 1)."""
    return check_in_range(name, momentum, 0.0, 1.0, what="a momentum coefficient",
                          hint="(At 1 or more the steps never die away.)")


def check_activation(name: str, activation: Any) -> Any:
    """Return ``activation`` if Keras knows it (a name or a function), else raise a
    ``ValueError`` naming the argument."""
    import keras

    if not (isinstance(activation, str) or callable(activation) or activation is None):
        raise TypeError(f"{name} must be an activation's name (e.g. 'relu') or a function; "
                        f"got {type(activation).__name__} {activation!r}.")
    try:
        keras.activations.get(activation)
    except ValueError:
        raise ValueError(f"{name} must be a Keras activation (e.g. 'sigmoid', 'relu'); got {activation!r}.") from None
    return activation
