"""Feedback students can read: one page per student and lab, from the grader's results.

``python -m labs grade SUBMISSIONS --feedback DIR``, or ``python -m labs feedback results.csv
--out DIR`` from a grading CSV written earlier, writes ``DIR/<student>/<lab>.html`` and its twin
``DIR/<student>/<lab>.json``. Each says, per exercise: the points, what the public check said
(the same message the student's notebook shows), the referee's verdict in words ("wrong on 3
of 18 hidden cases …", parts earned), and notes (a deleted or edited check cell, an answer found
by its place, a reach into the grading machinery flagged for review, a kernel that died), then
what grading did beyond the notebook's own checks.

The pages are made from the grading CSV's rows alone (:func:`labs.course.grading.csv_rows`),
which hold the referee's messages and never a hidden test's inputs, expected values, source or
seed: those stay in the grader's process and in the masters. Every text is HTML-escaped, and
the page is self-contained (inline style, no script, no link to anything), so it opens offline
and from an LMS's file store. The HTML says nothing the JSON does not.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from labs.checks.readiness import GRADING_STEPS

_STATUS_WORDS = {
    "passed": "full points", "partial": "part of the points", "failed": "not passed", "timeout": "ran out of time",
    "kernel died": "the kernel died", "not run": "not reached", "missing": "no answer found",
}
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass
class ExerciseFeedback:
    """What one exercise's grading says to the student."""

    number: int
    points: float
    max_points: float
    status: str
    public_check: str = ""
    verdict: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class LabFeedback:
    """One student's page for one lab."""

    student: str
    lab: str
    points: float
    max_points: float
    notes: list[str] = field(default_factory=list)
    exercises: list[ExerciseFeedback] = field(default_factory=list)
    grading: tuple[str, ...] = GRADING_STEPS


def _split_message(message: str) -> tuple[str, str, list[str]]:
    """An exercise's CSV message as (public check, verdict, notes)."""
    public, verdict, notes = [], [], []
    for piece in (p.strip() for p in message.split(" | ")):
        if not piece:
            continue
        if piece.startswith(("hidden tests:", "graded by the public check alone", "the answer uses ")):
            verdict.append(piece)
        elif piece.startswith(("answer cell:", "check:")):
            public.append(piece)
        else:
            notes.append(piece)
    return "; ".join(public), "; ".join(verdict), notes


def _number(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return 0.0


def _unescape(value: str) -> str:
    """Undo :func:`labs.course.grading.spreadsheet_safe` on a value read back from the CSV."""
    return value[1:] if value.startswith("'") and value[1:2] in ("=", "+", "-", "@", "\t", "\r") else value


def read_rows(path: str | Path) -> list[dict[str, str]]:
    """The rows of a grading CSV (``python -m labs grade``'s output), its escaping undone."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    needed = {"student", "notebook", "exercise", "points", "max_points", "status", "message"}
    if rows and not needed <= set(rows[0]):
        raise ValueError(f"{path} is not a grading CSV: it lacks the columns {', '.join(sorted(needed - set(rows[0])))}.")
    return [{k: _unescape(v or "") for k, v in row.items()} for row in rows]


def lab_feedback(rows: Iterable[dict[str, object]]) -> list[LabFeedback]:
    """Group grading rows (one per exercise, then a ``total`` row) into one page per student and lab."""
    pages: dict[tuple[str, str], LabFeedback] = {}
    for row in rows:
        student, lab = str(row["student"]), str(row["notebook"]) or "unknown lab"
        page = pages.setdefault((student, lab), LabFeedback(student, lab, 0.0, 0.0))
        message = str(row.get("message", ""))
        if str(row["exercise"]) == "total":
            page.points, page.max_points = _number(str(row["points"])), _number(str(row["max_points"]))
            page.notes = [n.strip() for n in message.split("; ") if n.strip()]
            continue
        public, verdict, notes = _split_message(message)
        page.exercises.append(ExerciseFeedback(int(_number(str(row["exercise"]))), _number(str(row["points"])),
                                               _number(str(row["max_points"])), str(row["status"]), public,
                                               verdict, notes))
    return list(pages.values())


def _public_words(exercise: ExerciseFeedback) -> str:
    if exercise.public_check:
        return exercise.public_check
    if exercise.status in ("missing", "not run", "kernel died"):
        return "not run"
    return "ran without an error"


_STYLE = """body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.passed{color:#176117}.partial{color:#8a5a00}.other{color:#9b1c1c}small{color:#555}"""


def to_html(page: LabFeedback) -> str:
    """The page as one self-contained HTML document (every text escaped)."""
    e = html.escape
    rows = []
    for x in page.exercises:
        css = x.status if x.status in ("passed", "partial") else "other"
        notes = "".join(f"<li>{e(n)}</li>" for n in x.notes)
        rows.append(
            f"<tr><td>{x.number}</td><td class=\"{css}\">{x.points:g} / {x.max_points:g}<br>"
            f"<small>{e(_STATUS_WORDS.get(x.status, x.status))}</small></td>"
            f"<td>{e(_public_words(x))}</td><td>{e(x.verdict) or '—'}</td>"
            f"<td>{'<ul>' + notes + '</ul>' if notes else '—'}</td></tr>")
    notes = "".join(f"<li>{e(n)}</li>" for n in page.notes)
    steps = "".join(f"<li>{e(s)}</li>" for s in page.grading)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{e(page.lab)}: feedback for {e(page.student)}</title><style>{_STYLE}</style></head>
<body><h1>{e(page.lab)}</h1>
<p>Feedback for <strong>{e(page.student)}</strong>: <strong>{page.points:g} of {page.max_points:g} points</strong>.</p>
{'<h2>About this submission</h2><ul>' + notes + '</ul>' if notes else ''}
<h2>Exercises</h2>
<table><tr><th>#</th><th>points</th><th>public check (as in your notebook)</th><th>hidden tests</th><th>notes</th></tr>
{''.join(rows)}</table>
<h2>How this was graded</h2><ul>{steps}</ul>
</body></html>
"""


def _safe(name: str) -> str:
    return _SAFE.sub("_", name) or "_"


def write_feedback(rows: Iterable[dict[str, object]], out_dir: str | Path) -> list[Path]:
    """Write ``out_dir/<student>/<lab>.html`` and ``.json`` for every student and lab; return the HTML files."""
    out_dir = Path(out_dir)
    written = []
    for page in lab_feedback(rows):
        folder = out_dir / _safe(page.student)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{_safe(page.lab)}.html"
        target.write_text(to_html(page), encoding="utf-8")
        target.with_suffix(".json").write_text(json.dumps(asdict(page), indent=1, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        written.append(target)
    return written


def run_command(sources: list[Path], out_dir: Path) -> int:
    """``python -m labs feedback CSV... --out DIR``: pages from grading CSVs already written."""
    rows = [row for source in sources for row in read_rows(source)]
    written = write_feedback(rows, out_dir)
    print(f"wrote {len(written)} feedback pages (HTML and JSON) under {out_dir}")
    return 0
