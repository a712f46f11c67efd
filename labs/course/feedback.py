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

Each page is written in the language of its CSV rows (the ``language`` column: the edition the
submission was made from; a CSV written before that column, in the instructor's ``LABS_LANG``).
The JSON's keys stay English; its sentences are in the page's language.
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
from labs.course.referee import HIDDEN_TESTS, _, prefixes, verdicts_in
from labs.i18n import N_, check_language, language

_STATUS_WORDS = {
    "passed": N_("full points"), "partial": N_("part of the points"), "failed": N_("not passed"),
    "timeout": N_("ran out of time"), "kernel died": N_("the kernel died"), "not run": N_("not reached"),
    "missing": N_("no answer found"),
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
    language: str = "en"  # the language the page is written in: the submission's (the CSV's language column)


def _split_message(message: str) -> tuple[str, str, list[str]]:
    """An exercise's CSV message as (public check, verdict, notes)."""
    from labs.course.grading import ANSWER_CELL, CHECK, PUBLIC_ONLY, USES_TWIN

    verdicts = prefixes(HIDDEN_TESTS) + prefixes(PUBLIC_ONLY) + prefixes(USES_TWIN)
    checks = prefixes(ANSWER_CELL) + prefixes(CHECK)
    public, verdict, notes = [], [], []
    for piece in (p.strip() for p in message.split(" | ")):
        if not piece:
            continue
        if piece.startswith(verdicts):
            verdict.append(piece)
        elif piece.startswith(checks):
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
        raise ValueError(_("{path} is not a grading CSV: it lacks the columns {columns}.").format(
            path=path, columns=", ".join(sorted(needed - set(rows[0])))))
    return [{k: _unescape(v or "") for k, v in row.items()} for row in rows]


def lab_feedback(rows: Iterable[dict[str, object]]) -> list[LabFeedback]:
    """Group grading rows (one per exercise, then a ``total`` row) into one page per student and lab,
    each in its row's ``language`` (a CSV written before that column: the instructor's)."""
    pages: dict[tuple[str, str], LabFeedback] = {}
    for row in rows:
        student, lab = str(row["student"]), str(row["notebook"]) or "unknown lab"
        page = pages.setdefault((student, lab), LabFeedback(student, lab, 0.0, 0.0, language=_language(row)))
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


def _language(row: dict[str, object]) -> str:
    try:
        return check_language(str(row.get("language") or language()))
    except ValueError:
        return language()


def _public_words(exercise: ExerciseFeedback) -> str:
    if exercise.public_check:
        return exercise.public_check
    if exercise.status in ("missing", "not run", "kernel died"):
        return _("not run")
    return _("ran without an error")


_STYLE = """body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.passed{color:#176117}.partial{color:#8a5a00}.other{color:#9b1c1c}small{color:#555}"""


def to_html(page: LabFeedback) -> str:
    """The page as one self-contained HTML document (every text escaped), in the page's language."""
    with verdicts_in(page.language):
        return _to_html(page)


def _to_html(page: LabFeedback) -> str:
    e = html.escape
    rows = []
    for x in page.exercises:
        css = x.status if x.status in ("passed", "partial") else "other"
        notes = "".join(f"<li>{e(n)}</li>" for n in x.notes)
        rows.append(
            f"<tr><td>{x.number}</td><td class=\"{css}\">{x.points:g} / {x.max_points:g}<br>"
            f"<small>{e(_(_STATUS_WORDS[x.status]) if x.status in _STATUS_WORDS else x.status)}</small></td>"
            f"<td>{e(_public_words(x))}</td><td>{e(x.verdict) or '—'}</td>"
            f"<td>{'<ul>' + notes + '</ul>' if notes else '—'}</td></tr>")
    notes = "".join(f"<li>{e(n)}</li>" for n in page.notes)
    steps = "".join(f"<li>{e(_(s))}</li>" for s in page.grading)
    student, lab = f"<strong>{e(page.student)}</strong>", e(page.lab)
    score = "<strong>" + e(_("{points:g} of {max_points:g} points").format(points=page.points,
                                                                            max_points=page.max_points)) + "</strong>"
    about_title, exercises_title, graded_title = _("About this submission"), _("Exercises"), _("How this was graded")
    title = _("{lab}: feedback for {student}").format(lab=page.lab, student=page.student)
    intro = _("Feedback for {student}: {score}.").format(student=student, score=score)
    about = f"<h2>{e(about_title)}</h2><ul>{notes}</ul>" if notes else ""
    head = "".join(f"<th>{e(label)}</th>" for label in (
        "#", _("points"), _("public check (as in your notebook)"), _("hidden tests"), _("notes")))
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if page.language == 'zh' else page.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{e(title)}</title><style>{_STYLE}</style></head>
<body><h1>{lab}</h1>
<p>{intro}</p>
{about}
<h2>{e(exercises_title)}</h2>
<table><tr>{head}</tr>
{''.join(rows)}</table>
<h2>{e(graded_title)}</h2><ul>{steps}</ul>
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
        with verdicts_in(page.language):  # the JSON's sentences in the page's language, its keys in English
            data = {**asdict(page), "grading": [_(step) for step in page.grading]}
            for exercise in data["exercises"]:
                exercise["status_words"] = (_(_STATUS_WORDS[exercise["status"]]) if exercise["status"] in _STATUS_WORDS
                                            else exercise["status"])
        target.with_suffix(".json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        written.append(target)
    return written


def run_command(sources: list[Path], out_dir: Path) -> int:
    """``python -m labs feedback CSV... --out DIR``: pages from grading CSVs already written."""
    rows = [row for source in sources for row in read_rows(source)]
    written = write_feedback(rows, out_dir)
    print(_("wrote {pages} feedback pages (HTML and JSON) under {folder}").format(pages=len(written), folder=out_dir))
    return 0
