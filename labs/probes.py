"""The kernel's side of grading: hidden tests hand the referee raw results, never a verdict.

A master notebook's check cell ends with a hidden test (between nbgrader's ``### BEGIN HIDDEN
TESTS`` and ``### END HIDDEN TESTS``, stripped from the students' release). It draws fresh
inputs with :func:`rng`, runs the student's answer on them and hands what came out to
:func:`record`::

    ### BEGIN HIDDEN TESTS
    cases = labs.probes.rng("perceptron_update")
    ...
    labs.probes.record("perceptron_update", {"w": new_ws, "b": new_bs}, rtol=1e-6)
    ### END HIDDEN TESTS

When ``python -m labs grade`` runs, :data:`SEED_VARIABLE` holds a seed drawn afresh for that
grading run and :data:`DIR_VARIABLE` a folder for the records. The grader runs the same hidden
test on the master's own solution in a clean kernel with the same seed; its referee (in
:mod:`labs.course.referee`, a process that never runs student code) compares the two records
with the judge and tolerance of the *master's* record. Nothing here decides a grade, and a
record the student's code forges gains nothing without the right values.

Outside grading (Jupyter, Colab, the test suite) the seed is 0 and :func:`record` only checks
that the values can be recorded, so a master's hidden tests run in every execution.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

DIR_VARIABLE = "LABS_PROBE_DIR"
SEED_VARIABLE = "LABS_PROBE_SEED"
EXERCISE_VARIABLE = "LABS_PROBE_EXERCISE"  # set by the grader's own line before each hidden test
JUDGES = ("close", "equal", "at_least", "at_most", "same_distribution")
MAX_VALUES = 2_000_000  # numbers one record may hold (about 16 MB)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def rng(name: str) -> np.random.Generator:
    """The generator for the hidden cases of exercise ``name``: seeded by the grading run."""
    _check_name("name", name)
    seed = int(os.environ.get(SEED_VARIABLE) or 0)
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def record(name: str, values: Mapping[str, Any] | Callable[[], Mapping[str, Any]], *, judge: str = "close",
           **options: float) -> None:
    """Hand ``values`` (name -> numbers, arrays, strings, or lists/tuples of them) to the referee.

    ``values`` may be a function of no arguments that makes them: when it raises, nothing is
    recorded and the hidden test goes on, so the other parts of an exercise worth partial
    credit (a record each) are still judged.

    ``judge`` says how the referee compares them with the master's: ``close`` (``rtol``,
    ``atol``), ``equal``, ``at_least`` / ``at_most`` (a ``threshold`` in ``options``) or
    ``same_distribution`` (a two-sample Kolmogorov–Smirnov test at ``alpha``). The referee reads
    judge and options from the master's record only.
    """
    _check_name("name", name)
    if judge not in JUDGES:
        raise ValueError(f"judge must be one of {', '.join(JUDGES)}; got {judge!r}.")
    if callable(values) and not isinstance(values, Mapping):
        try:
            values = values()
        except Exception:  # the student's code failed on this part: the referee finds no record
            return
    if not isinstance(values, Mapping) or not values:
        raise TypeError(f"values must be a non-empty dict of name -> array; got {type(values).__name__}.")
    arrays: dict[str, np.ndarray] = {}
    cases: dict[str, int] = {}  # key -> hidden cases along its first axis (a list of results stacked)
    for key, value in values.items():
        _check_name("values key", key)
        _flatten(key, value, arrays, cases)
    size = sum(a.size for a in arrays.values())
    if size > MAX_VALUES:
        raise ValueError(f"record {name!r} holds {size:,} numbers; at most {MAX_VALUES:,} can be recorded.")
    folder = os.environ.get(DIR_VARIABLE)
    if not folder:
        return
    exercise = os.environ.get(EXERCISE_VARIABLE, "0")
    target = Path(folder) / (exercise if exercise.isdigit() else "0")
    target.mkdir(parents=True, exist_ok=True)
    np.savez(target / f"{name}.npz", **arrays)
    options = {k: float(v) for k, v in options.items()}
    (target / f"{name}.json").write_text(json.dumps({"judge": judge, "options": options, "cases": cases}),
                                         encoding="utf-8")


def _check_name(what: str, name: Any) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{what} must be a short identifier (letters, digits, _); got {name!r}.")


def _flatten(key: str, value: Any, out: dict[str, np.ndarray], cases: dict[str, int]) -> None:
    """Plain arrays only: nested lists and tuples of different shapes become ``key.0``, ``key.1``…"""
    if isinstance(value, (list, tuple)):
        try:
            array = np.asarray(value)
        except ValueError:  # ragged
            array = None
        if array is None or array.dtype == object:
            for i, item in enumerate(value):
                _flatten(f"{key}.{i}", item, out, cases)
            return
    else:
        array = np.asarray(value)
    if array.dtype == object or array.dtype.kind not in "biufcUSb":
        raise TypeError(f"{key} must be numbers or strings; got {type(value).__name__} ({array.dtype}).")
    out[key] = array
    if isinstance(value, (list, tuple)) and array.ndim:
        cases[key] = len(value)
