"""Source listings a student may open: :func:`show_source`.

A lab sometimes shows the code of a helper it uses (the optimizer steps of lab 08, the
backward pass of lab 03). Printed in full, a listing pushes the lesson off the page; shown by
:func:`show_source` it is one line ("Source of labs.optimizers.adam") that opens on a click, in
Jupyter, Colab and the HTML pages alike (an HTML ``<details>`` element).
"""

from __future__ import annotations

import html
import inspect
from typing import Any


def _name(obj: Any) -> str:
    module = getattr(obj, "__module__", None) or ""
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__name__
    return f"{module}.{qualname}" if module else qualname


def show_source(*objects: Any, open: bool = False) -> None:  # noqa: A002 - the HTML attribute's name
    """Show the source of each function, method or class in ``objects`` as a collapsed listing
    (``open=True`` shows it unfolded). Outside a notebook the source is printed."""
    if not objects:
        raise ValueError("show_source needs at least one function, method or class to show.")
    parts = []
    for obj in objects:
        try:
            source = inspect.getsource(obj)
        except (TypeError, OSError) as error:
            raise TypeError(f"show_source cannot find the source of {obj!r}: pass a function, method or class "
                            f"defined in a Python file ({error}).") from None
        parts.append((_name(obj), inspect.cleandoc("\n" + source) if source.startswith(" ") else source))
    from labs.tables import _in_notebook

    if not _in_notebook():
        for name, source in parts:
            print(f"# Source of {name}\n{source}")
        return
    from IPython.display import HTML, display

    blocks = "".join(
        f"<details{' open' if open else ''}><summary>Source of <code>{html.escape(name)}</code></summary>"
        f"<pre>{html.escape(source)}</pre></details>"
        for name, source in parts
    )
    display(HTML(blocks))
