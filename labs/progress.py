"""One line of progress for long work, updated in place in a notebook.

In Jupyter or Colab the line is a display that each step rewrites, so a run of nine trainings
leaves one line on the page ("9 runs trained in 45 s") instead of nine. Outside a notebook it
prints nothing until :meth:`Progress.done`, which prints the last line.
"""

from __future__ import annotations

import time
from typing import Any


def _notebook_display() -> Any:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    return display


class Progress:
    """``progress = Progress(total, "run")``; ``progress.step("relu, seed 1")`` before each
    piece of work; ``progress.done("9 runs trained")`` at the end (adds the seconds taken)."""

    def __init__(self, total: int, what: str = "step"):
        self.total, self.what, self.count = total, what, 0
        self.start = time.perf_counter()
        self._display = _notebook_display()
        self._handle = None

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start

    def _show(self, text: str) -> None:
        if self._display is None:
            return
        from IPython.display import Pretty

        if self._handle is None:
            self._handle = self._display(Pretty(text), display_id=True)
        else:
            self._handle.update(Pretty(text))

    def step(self, detail: str = "") -> None:
        self.count += 1
        suffix = f": {detail}" if detail else ""
        self._show(f"{self.what} {self.count} of {self.total}{suffix} ({self.seconds:.0f} s so far)")

    def done(self, summary: str) -> None:
        line = f"{summary} in {self.seconds:.0f} s"
        if self._display is None:
            print(line, flush=True)
        else:
            self._show(line)
