"""One way to show a table in every lab: :func:`show`.

pandas prints floats with six decimals, float32 artefacts (``33.439999``), truncated text
(``cross-entrop…``) and raw dicts. :func:`show` formats a copy of the table for reading:

- a column whose numbers are all whole is shown as integers (``20``, ``1,000``);
- any other number column gets one number of decimals, chosen so that a value of its
  median size keeps ``digits`` significant digits (``0.953``, ``2.31``, ``118``);
- a value below 0.001 (a relative error of ``2.5e-8``), or one that would keep fewer than two
  significant digits, is written in scientific notation instead, with ``digits`` significant digits;
- ``NaN`` and infinities are written out (``NaN``, ``inf``, ``-inf``), booleans as ``yes``/``no``;
- dicts, lists and tuples become short ``key: value`` / comma-separated text, formatted the same way;
- row and column labels that are numbers are written as short as they can be (``0.1``, ``1e-5``);
- text is never cut.

:func:`format_table` returns the formatted copy (strings) and is what the tests check.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from labs.validation import check_int

DEFAULT_DIGITS = 3
TINY = 1e-3  # below this a value is written in scientific notation


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _special(value: float) -> str | None:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return None


def _scientific(value: float, digits: int) -> str:
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return f"{mantissa}e{int(exponent)}"


def _decimals(values: list[float], digits: int) -> int:
    finite = [abs(v) for v in values if math.isfinite(v) and v != 0]
    if not finite:
        return 0
    typical = sorted(finite)[len(finite) // 2]  # the median size, so one large value does not cost the rest digits
    return max(0, digits - 1 - math.floor(math.log10(typical)))


def format_number(value: Any, decimals: int, digits: int = DEFAULT_DIGITS, whole: bool = False) -> str:
    """One number as :func:`show` writes it, given its column's ``decimals``."""
    value = float(value)
    special = _special(value)
    if special:
        return special
    if whole:
        return f"{int(round(value)):,}"
    if value == 0 and decimals > digits:  # a zero among tiny values: no string of zeros
        return "0"
    if value != 0 and (abs(value) < TINY or abs(value) < 10 ** (1 - decimals)):
        return _scientific(value, digits)  # tiny, or fewer than two significant digits would show
    return f"{value:,.{decimals}f}"


def _whole(values: list[float]) -> bool:
    finite = [v for v in values if math.isfinite(v)]
    return bool(finite) and all(float(v).is_integer() and abs(v) < 1e15 for v in finite)


def _format_value(value: Any, digits: int) -> str:
    """A value outside a number column (inside a dict or list, or a mixed column)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if _is_number(value):
        number = float(value)
        return format_number(number, _decimals([number], digits), digits, whole=_whole([number]))
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {_format_value(item, digits)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_format_value(item, digits) for item in value)
        return f"({inner})" if isinstance(value, tuple) else inner
    if value is None:
        return ""
    try:
        import numpy as np

        if isinstance(value, np.ndarray):
            return _format_value(value.tolist(), digits)
        if isinstance(value, np.bool_):
            return _format_value(bool(value), digits)
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    return str(value)


def format_column(values: list[Any], digits: int = DEFAULT_DIGITS) -> list[str]:
    """Format one column (or index) as text, numbers sharing one number of decimals."""
    digits = check_int("digits", digits, minimum=1)
    numeric = [v for v in values if _is_number(v) or _is_numpy_number(v)]
    if values and len(numeric) == len(values):
        floats = [float(v) for v in values]
        whole = _whole(floats)
        decimals = _decimals(floats, digits)
        return [format_number(v, decimals, digits, whole=whole) for v in floats]
    return [_format_value(v, digits) for v in values]


def _is_numpy_number(value: Any) -> bool:
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        return False
    return isinstance(value, np.number) and not isinstance(value, np.bool_)


def format_table(table: Any, digits: int = DEFAULT_DIGITS) -> Any:
    """A copy of ``table`` (a pandas DataFrame or Series) with every cell and index value as text."""
    import pandas as pd

    digits = check_int("digits", digits, minimum=1)
    if isinstance(table, pd.Series):
        table = table.to_frame()
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame or Series; got {type(table).__name__}.")
    shown = pd.DataFrame(
        {column: format_column(table[column].tolist(), digits) for column in table.columns},
        columns=table.columns,
    )
    shown.index = _format_index(table.index, digits)
    shown.columns = _format_index(table.columns, digits)
    return shown


def format_label(value: Any, digits: int = DEFAULT_DIGITS) -> str:
    """A row or column label: numbers as short as they can be (``0.1``, ``0.01``, ``1e-5``)."""
    if (_is_number(value) or _is_numpy_number(value)) and not isinstance(value, bool):
        number = float(value)
        special = _special(number)
        if special:
            return special
        if number.is_integer():
            return f"{int(number):,}"
        text = f"{number:.{digits}g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}e{int(exponent)}"
        return text
    return _format_value(value, digits)


def _format_index(index: Any, digits: int) -> Any:
    import pandas as pd

    if isinstance(index, pd.MultiIndex):
        levels = [[format_label(v, digits) for v in index.get_level_values(i)] for i in range(index.nlevels)]
        return pd.MultiIndex.from_arrays(levels, names=index.names)
    if isinstance(index, pd.RangeIndex):
        return index
    return pd.Index([format_label(v, digits) for v in index], name=index.name)


def show(table: Any, *, digits: int = DEFAULT_DIGITS, caption: str | None = None) -> None:
    """Show ``table`` formatted for reading (see the module docstring), with an optional caption.

    In a notebook the table is displayed as HTML, with no column cut; elsewhere it is printed.
    Returns nothing, so a cell ending with ``labs.show(...)`` shows the table once.
    """
    import pandas as pd

    if caption is not None and not isinstance(caption, str):
        raise TypeError(f"caption must be text; got {type(caption).__name__}.")
    shown = format_table(table, digits)
    with pd.option_context("display.max_colwidth", None, "display.max_columns", None,
                           "display.max_rows", None, "display.width", None):
        if _in_notebook():
            from IPython.display import display

            display(shown)
        else:
            print(shown.to_string())
    if caption:
        print(caption)


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
