"""A gradebook from grading CSVs: one wide table, and the files Canvas and Moodle import.

``python -m labs gradebook results_01.csv results_02.csv … --out grades/ [--roster roster.csv]``
reads the ``total`` row of every student and lab in the grading CSVs (``python -m labs grade``'s
output), in the order given: a later CSV's score for a student and lab replaces an earlier one,
so re-grading one lab (or one student's lab) and passing its CSV last changes that lab's column
alone. It writes three files:

``gradebook.csv`` — the instructor's table: ``student``, the roster's columns, one column per
lab (points), ``total``, ``max_total``, and ``flags`` (labs whose grading flagged something). The
second row, ``points possible``, holds each lab's maximum. A lab a student has no grade for is
left empty (not 0).

``canvas.csv`` — Canvas's Gradebook import (Grades > Import): the columns ``Student``, ``ID``,
``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per lab; the second row says
``Points Possible`` under ``Student`` and each lab's maximum under its column, as in Canvas's own
export. Canvas matches a row to a student by ``ID`` (Canvas's user id), else ``SIS User ID``, else
``SIS Login ID``; ``Student`` (the name) and ``Section`` are for the reader. A lab column whose
header is not an existing assignment's becomes a new assignment of that name and those points;
to fill an existing assignment name its column as Canvas's export does, ``Lab 1 (123456)`` with
the assignment's id, through ``--title 01_perceptron="Lab 1 (123456)"``. An empty cell changes
nothing in Canvas.

``moodle.csv`` — Moodle's CSV grade import (Grades > Import > CSV file): the identifier columns
``Email address``, ``ID number`` and ``Username`` (those the roster gives), then one column per
lab. On Moodle's import page the instructor maps *Map from* (one of these columns) to *Map to*
(``useremail``, ``useridnumber`` or ``username``), and each lab column to its grade item; the
points must fit the grade item's maximum. A column left at *Ignore* is not imported, and an
empty cell leaves the grade alone.

**Who is who.** The grader knows a student by the name of their submission folder (or file).
The LMS knows them by its own ids, so the identifiers must match the LMS's exactly (Moodle's
e-mail match is case-sensitive). Give a roster CSV (``--roster``) with a ``student`` column
holding the folder names and any of ``name``, ``canvas_id``, ``sis_user_id``, ``sis_login_id``,
``section``, ``email``, ``idnumber``, ``username``: Canvas's own export (Grades > Export) gives
``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID`` and ``Section`` to copy from, and Moodle's
participants page the e-mail addresses. Without a roster the folder name is used as the SIS
Login ID and the Moodle username, which is right when students hand in under their LMS login (a
JupyterHub user name, say). Students graded but missing from the roster are left out of the LMS
files and named on the command line; the wide table keeps them.

Every cell is written through :func:`labs.course.grading.spreadsheet_safe`, so a name that starts
with ``=``, ``+``, ``-`` or ``@`` opens as text, not as a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from labs.course.feedback import read_rows
from labs.course.grading import spreadsheet_safe
from labs.i18n import _

ROSTER_COLUMNS = ("name", "canvas_id", "sis_user_id", "sis_login_id", "section", "email", "idnumber", "username")
CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_IDENTITY = {"email": "Email address", "idnumber": "ID number", "username": "Username"}


@dataclass
class Gradebook:
    """Points per student and lab, the labs' maxima, and what grading flagged."""

    points: dict[str, dict[str, float]] = field(default_factory=dict)  # student -> lab -> points
    maxima: dict[str, float] = field(default_factory=dict)  # lab -> points possible
    flags: dict[str, dict[str, str]] = field(default_factory=dict)  # student -> lab -> flag

    @property
    def labs(self) -> list[str]:
        return sorted(self.maxima)

    @property
    def students(self) -> list[str]:
        return sorted(self.points)

    def add(self, rows: Iterable[dict[str, str]]) -> None:
        """Take the ``total`` rows of one grading CSV; they replace earlier scores of the same student and lab."""
        for row in rows:
            if row.get("exercise") != "total" or not row.get("notebook"):
                continue  # a notebook the grader could not place in a lab has no column
            student, lab = row["student"], row["notebook"]
            self.points.setdefault(student, {})[lab] = float(row["points"])
            self.maxima[lab] = float(row["max_points"])
            self.flags.setdefault(student, {})[lab] = row.get("message", "") if row.get("status") == "flagged" else ""


def read_gradebook(sources: Iterable[str | Path]) -> Gradebook:
    """The gradebook of grading CSVs, later ones winning for the same student and lab."""
    book = Gradebook()
    for source in sources:
        book.add(read_rows(source))
    return book


def read_roster(path: str | Path) -> dict[str, dict[str, str]]:
    """Folder name -> LMS identifiers, from a CSV with a ``student`` column (see the module's text)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    header = {h.strip().lower() for h in (rows[0].keys() if rows else [])}
    if "student" not in header:
        raise ValueError(_("--roster {path} needs a 'student' column (the submission folder names); "
                           "it has {columns}.").format(path=path, columns=", ".join(sorted(header)) or _("no columns")))
    unknown = header - {"student", *ROSTER_COLUMNS}
    if unknown:
        raise ValueError(_("--roster {path}: unknown columns {unknown}; use student and any of {columns}.").format(
            path=path, unknown=", ".join(sorted(unknown)), columns=", ".join(ROSTER_COLUMNS)))
    roster = {}
    for row in rows:
        clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if clean["student"] in roster:
            raise ValueError(_("--roster {path}: student {student!r} appears twice.").format(
                path=path, student=clean["student"]))
        roster[clean["student"]] = clean
    return roster


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _write(path: Path, header: list[str], rows: Iterable[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([spreadsheet_safe(h) for h in header])
        writer.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    return path


def write_wide(book: Gradebook, path: Path, roster: dict[str, dict[str, str]] | None = None) -> Path:
    """The instructor's table: a row per student, a column per lab, the total."""
    extra = [c for c in ROSTER_COLUMNS if roster and any(r.get(c) for r in roster.values())]
    labs = book.labs
    rows: list[list[object]] = [["points possible", *[""] * len(extra), *[_number(book.maxima[lab]) for lab in labs],
                                 _number(sum(book.maxima.values())), "", ""]]
    for student in book.students:
        scores = book.points[student]
        who = (roster or {}).get(student, {})
        flagged = "; ".join(f"{lab}: {text}" for lab, text in sorted(book.flags[student].items()) if text)
        rows.append([student, *[who.get(c, "") for c in extra], *[_number(scores.get(lab)) for lab in labs],
                     _number(sum(scores.values())), _number(sum(book.maxima[lab] for lab in scores)), flagged])
    return _write(path, ["student", *extra, *labs, "total", "max_total", "flags"], rows)


def _lms_students(book: Gradebook, roster: dict[str, dict[str, str]] | None) -> tuple[list[tuple[str, dict]], list[str]]:
    """(student, identifiers) of those the LMS files can name, and the students left out."""
    if roster is None:
        return [(s, {"name": s, "sis_login_id": s, "username": s}) for s in book.students], []
    return ([(s, roster[s]) for s in book.students if s in roster], [s for s in book.students if s not in roster])


def write_canvas(book: Gradebook, path: Path, roster: dict[str, dict[str, str]] | None = None,
                 titles: dict[str, str] | None = None) -> Path:
    """Canvas's Gradebook import CSV (columns: see the module's text)."""
    labs, titles = book.labs, titles or {}
    rows: list[list[object]] = [["Points Possible", "", "", "", "", *[_number(book.maxima[lab]) for lab in labs]]]
    for student, who in _lms_students(book, roster)[0]:
        rows.append([who.get("name") or student, who.get("canvas_id", ""), who.get("sis_user_id", ""),
                     who.get("sis_login_id", ""), who.get("section", ""),
                     *[_number(book.points[student].get(lab)) for lab in labs]])
    return _write(path, [*CANVAS_IDENTITY, *[titles.get(lab, lab) for lab in labs]], rows)


def write_moodle(book: Gradebook, path: Path, roster: dict[str, dict[str, str]] | None = None,
                 titles: dict[str, str] | None = None) -> Path:
    """Moodle's CSV grade import: identifier columns, then a column per lab (see the module's text)."""
    labs, titles = book.labs, titles or {}
    students = _lms_students(book, roster)[0]
    ids = [key for key in MOODLE_IDENTITY if any(who.get(key) for _, who in students)] or ["username"]
    rows = [[*[who.get(key, "") for key in ids], *[_number(book.points[student].get(lab)) for lab in labs]]
            for student, who in students]
    return _write(path, [*[MOODLE_IDENTITY[key] for key in ids], *[titles.get(lab, lab) for lab in labs]], rows)


def run_command(sources: list[Path], out_dir: Path, roster_path: Path | None = None,
                titles: list[str] | None = None) -> int:
    """``python -m labs gradebook CSV... --out DIR [--roster R] [--title LAB=TITLE ...]``."""
    book = read_gradebook(sources)
    if not book.maxima:
        raise ValueError(_("no graded lab in {sources}: are these python -m labs grade CSVs?").format(
            sources=", ".join(map(str, sources))))
    roster = read_roster(roster_path) if roster_path else None
    named = {}
    for item in titles or []:
        lab, sep, title = item.partition("=")
        matches = [stem for stem in book.labs if stem == lab or stem.startswith(lab + "_")]
        if not sep or not title or len(matches) != 1:
            raise ValueError(_("--title takes LAB=TITLE with LAB one of {labs}; got {item!r}.").format(
                labs=", ".join(book.labs), item=item))
        named[matches[0]] = title
    for path in (write_wide(book, out_dir / "gradebook.csv", roster), write_canvas(book, out_dir / "canvas.csv",
                                                                                   roster, named),
                 write_moodle(book, out_dir / "moodle.csv", roster, named)):
        print(_("wrote {path}").format(path=path))
    left_out = _lms_students(book, roster)[1]
    if left_out:
        print(_("not in the roster, so left out of canvas.csv and moodle.csv: {students}").format(
            students=", ".join(left_out)))
    print(_("{students} students, labs {labs}").format(students=len(book.students), labs=", ".join(book.labs)))
    return 0
