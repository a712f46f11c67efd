"""Numbers a notebook claims, recorded so that tests and the course runner can check them.

A notebook calls ``labs.record("name", value)`` for each result its prose relies on. When
the environment variable ``LABS_RESULTS`` names a JSON file, every record is also written
there; the test suite and ``python -m labs run`` read it back.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

_RECORDED: dict[str, Any] = {}


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(
        f"value must be a number, string, bool, list or dict (JSON-friendly); "
        f"got {type(value).__name__}."
    )


def record(name: str, value: Any) -> None:
    """Record one measured result under ``name`` (for the course's tests); returns nothing, so
    a cell that ends with it shows no stray value."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a non-empty string; got {name!r}.")
    _RECORDED[name] = _plain(value)
    target = os.environ.get("LABS_RESULTS")
    if target:
        path = Path(target)
        stored = read_results(path) if path.exists() else {}
        stored[name] = _RECORDED[name]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2, sort_keys=True), encoding="utf-8")


def recorded() -> dict[str, Any]:
    """Everything recorded in this process so far."""
    return dict(_RECORDED)


def read_results(path: str | os.PathLike) -> dict[str, Any]:
    """Read a results file written through ``LABS_RESULTS``."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
