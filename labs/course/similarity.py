"""Near-identical answers across the students of one lab, flagged for the instructor to look at.

``python -m labs similarity SUBMISSIONS_DIR --out similarity.html`` takes every student's answer
cells the way grading takes them (:func:`labs.course.grading.find_answer` on the notebook
:func:`labs.course.grading._tasks` chooses for each student and lab) and compares, exercise by
exercise, every pair of students of the same lab. The comparison is copydetect's
(https://github.com/blingenf/copydetect): the code is tokenised with Pygments, every
variable, attribute and function name becomes one letter and strings another, whitespace and
comments go, and the winnowed fingerprints (hashes of ``NOISE`` characters of that text) of
the two answers are matched. A pair's similarity is the larger of the two shares of each
answer's fingerprinted text found in the other; pairs at or above ``threshold`` are reported:
side by side in an offline HTML page (everything escaped; shared passages highlighted) and in
a CSV. It flags; it never changes a grade.

What is left out, so that it does not make two students look alike:

- answers left as the release's stub (``raise NotImplementedError()``) or missing;
- the course's own lines: every line of the master's answer cell outside its solution block
  (the ``def`` line, the docstring), the stub's lines, and the signature line of a function
  the exercise asks for (a ``def`` line of the master's solution, which the check dictates);
- fingerprints found in more than ``common`` answers of the exercise (MOSS's ``-m``): what
  many students wrote alike is the natural way to write it, not a copy;
- answers with fewer than ``min_tokens`` tokens of their own: a one-line formula written by
  two students independently is often token for token the same, so a short answer is never
  flagged (the report says how many were too short to judge).

Copying can still hide (reordered statements, a different algorithm); and similarity is
evidence to read, not proof: the report shows both cells for a person to judge.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from labs.course.assignments import BEGIN_SOLUTION
from labs.course.grading import Master, _tasks, find_answer, find_submissions, spreadsheet_safe
from labs.course.runner import NOTEBOOKS, course_notebooks, resolve_notebooks
from labs.i18n import _

DEFAULT_THRESHOLD = 0.8
DEFAULT_MIN_TOKENS = 40
DEFAULT_COMMON = 10
NOISE = 25  # copydetect's defaults: k-grams of 25 characters of normalised code ...
GUARANTEE = 30  # ... and any shared passage of 30 or more is found (winnowing window 6)
CSV_COLUMNS = ("notebook", "exercise", "grade_id", "student_a", "student_b", "similarity", "share_a", "share_b",
               "tokens_a", "tokens_b", "file_a", "file_b")
_END_SOLUTION = "### END SOLUTION"
_DEF = re.compile(r"^\s*(async\s+)?def\s|^\s*class\s")


@dataclass
class Answer:
    """One student's answer to one exercise, as compared."""

    student: str
    source: Path | None
    cell: str  # the whole answer cell as handed in
    own: str  # the lines compared: the cell without the course's own lines
    tokens: int
    course: set[str] = field(default_factory=set)  # the course's lines of this answer cell
    fingerprint: object = None  # copydetect.CodeFingerprint


@dataclass
class Pair:
    """Two students' answers to one exercise that look alike."""

    notebook: str
    exercise: int
    grade_id: str
    a: Answer
    b: Answer
    share_a: float
    share_b: float
    slices_a: list[tuple[int, int]] = field(default_factory=list)
    slices_b: list[tuple[int, int]] = field(default_factory=list)

    @property
    def similarity(self) -> float:
        return max(self.share_a, self.share_b)


@dataclass
class Report:
    """Every flagged pair, and what was compared."""

    pairs: list[Pair]
    threshold: float
    min_tokens: int
    compared: dict[tuple[str, int], int] = field(default_factory=dict)  # (lab, exercise) -> answers compared
    short: dict[tuple[str, int], int] = field(default_factory=dict)  # (lab, exercise) -> answers too short
    unanswered: dict[tuple[str, int], int] = field(default_factory=dict)


def _copydetect():
    try:
        import copydetect
    except ImportError as error:  # an instructor tool: not in the students' install
        raise RuntimeError(_("similarity needs copydetect: pip install 'dnn-labs[instructor]' "
                             "(or pip install copydetect)")) from error
    return copydetect


def course_lines(master: Master, answer_id: str) -> set[str]:
    """The course's own lines of one answer cell (stripped): outside the solution block, the block's
    markers, the stub's lines, and the signature lines inside the solution."""
    lines, inside = set(), False
    for line in master.solutions[answer_id].splitlines():
        stripped = line.strip()
        if stripped.startswith(BEGIN_SOLUTION):
            inside = True
            lines.add(stripped)
        elif stripped.startswith(_END_SOLUTION):
            inside = False
            lines.add(stripped)
        elif not inside or _DEF.match(line):
            lines.add(stripped)
    lines.update(line.strip() for line in master.stubs[answer_id].splitlines())
    lines.discard("")
    return lines


def _is_course_line(line: str, course: set[str]) -> bool:
    stripped = line.strip()
    if stripped in course:
        return True
    # the signature of a function the exercise asks for, whatever its parameters are called
    signature = _DEF.match(line) and stripped.partition("(")[0] + "("
    return bool(signature) and any(c.startswith(signature) for c in course)


def own_code(cell: str, course: set[str]) -> str:
    """The cell without the course's lines (compared stripped, so re-indenting them keeps them out)."""
    return "".join(line for line in cell.splitlines(keepends=True) if not _is_course_line(line, course))


def token_count(code: str) -> int:
    """Tokens of ``code`` that carry meaning: no whitespace, comments or string delimiters counted twice."""
    from pygments import token
    from pygments.lexers import PythonLexer

    count = 0
    for kind, text in PythonLexer().get_tokens(code):
        if kind in token.Text or kind in token.Comment or not text.strip():
            continue
        if kind in token.Literal.String and text in ('"', "'", '"""', "'''"):
            continue
        count += 1
    return count


def _fingerprint(code: str, boilerplate=None):
    import numpy as np

    cd = _copydetect()
    return cd.CodeFingerprint("answer.py", NOISE, GUARANTEE - NOISE + 1, boilerplate=np.array(sorted(boilerplate or [])),
                              language="python", fp=io.StringIO(code))


def _boilerplate(lines: set[str]) -> set[int]:
    """The fingerprints of the course's own lines (every k-gram, as copydetect's boilerplate)."""
    cd = _copydetect()
    text = "\n".join(sorted(lines))
    return set(cd.CodeFingerprint("course.py", NOISE, 1, language="python", fp=io.StringIO(text)).hashes)


def collect(folder: Path, masters: dict[str, Master], only: str | None, all_stems) -> dict:
    """(lab, exercise number) -> the answers handed in, taken as grading takes them."""
    found: dict[tuple[str, int], list[tuple[str, Path | None, str]]] = {}
    for student, lab, path, nb, _note in _tasks(find_submissions(folder), masters, only, all_stems):
        if lab is None or nb is None:
            continue
        master = masters[lab]
        for exercise in master.exercises:
            cell, _ = find_answer(nb, master, exercise)
            found.setdefault((lab, exercise.number), []).append((student, path, cell))
    return found


def compare(found: dict, masters: dict[str, Master], *, threshold: float = DEFAULT_THRESHOLD,
            min_tokens: int = DEFAULT_MIN_TOKENS, common: int = DEFAULT_COMMON) -> Report:
    """Compare every pair of answers to each exercise; the pairs at or above ``threshold``."""
    cd = _copydetect()
    report = Report([], threshold, min_tokens)
    for (lab, number), handed in sorted(found.items()):
        master = masters[lab]
        exercise = master.exercises[number - 1]
        stub = master.stubs[exercise.answer_id].strip()
        course = course_lines(master, exercise.answer_id)
        boilerplate = _boilerplate(course)
        answers = []
        for student, path, cell in handed:
            own = "" if cell is None else own_code(cell, course)
            if cell is None or cell.strip() == stub or not own.strip():  # the stub, or only the course's lines
                report.unanswered[lab, number] = report.unanswered.get((lab, number), 0) + 1
                continue
            answer = Answer(student, path, cell, own, token_count(own), course)
            if answer.tokens < min_tokens:
                report.short[lab, number] = report.short.get((lab, number), 0) + 1
                continue
            answers.append(answer)
        report.compared[lab, number] = len(answers)
        if len(answers) < 2:
            continue
        first = [_fingerprint(a.own, boilerplate) for a in answers]
        shared = Counter(h for f in first for h in f.hashes)
        dropped = boilerplate | {h for h, n in shared.items() if n > common}
        for answer in answers:
            answer.fingerprint = _fingerprint(answer.own, dropped)
        for a, b in itertools.combinations(answers, 2):
            if not a.fingerprint.hashes & b.fingerprint.hashes:
                continue
            _, (share_a, share_b), (slices_a, slices_b) = cd.compare_files(a.fingerprint, b.fingerprint)
            if max(share_a, share_b) >= threshold:
                report.pairs.append(Pair(lab, number, exercise.check_id, a, b, float(share_a), float(share_b),
                                         _pairs(slices_a), _pairs(slices_b)))
    report.pairs.sort(key=lambda p: (p.notebook, p.exercise, -p.similarity, p.a.student, p.b.student))
    return report


def _pairs(slices) -> list[tuple[int, int]]:
    if len(slices) == 0 or len(slices[0]) == 0:
        return []
    return [(int(s), int(e)) for s, e in zip(slices[0], slices[1])]


def find_similar(folder: str | Path, *, notebook: str | None = None, threshold: float = DEFAULT_THRESHOLD,
                 min_tokens: int = DEFAULT_MIN_TOKENS, common: int = DEFAULT_COMMON,
                 masters_folder: Path = NOTEBOOKS) -> Report:
    """Compare the answers in ``folder`` (laid out as for grading); ``notebook`` fixes the lab."""
    if not 0 < threshold <= 1:
        raise ValueError(_("threshold must be in (0, 1]; got {threshold}.").format(threshold=threshold))
    if min_tokens < 1 or common < 2:
        raise ValueError(_("min_tokens must be at least 1 and common at least 2."))
    paths = resolve_notebooks([notebook], masters_folder) if notebook else course_notebooks(masters_folder)
    masters = {p.stem: Master.load(p) for p in paths}
    all_stems = [p.stem for p in course_notebooks(masters_folder)] or list(masters)
    found = collect(Path(folder), masters, paths[0].stem if notebook else None, all_stems)
    return compare(found, masters, threshold=threshold, min_tokens=min_tokens, common=common)


# --- the report -----------------------------------------------------------------------------


def _highlighted(answer: Answer, slices: list[tuple[int, int]]) -> str:
    """The whole answer cell, escaped: the course's lines greyed (they were not compared), the
    passages found in the other answer marked."""
    marks = [False] * len(answer.own)
    for start, end in slices:
        for i in range(max(0, start), min(len(marks), end)):
            marks[i] = True
    out, here = [], 0  # here: where the next kept line starts in answer.own
    for line in answer.cell.splitlines(keepends=True):
        if _is_course_line(line, answer.course):
            out.append(f"<span class='course'>{html.escape(line)}</span>")
            continue
        for flag, group in itertools.groupby(zip(line, marks[here:here + len(line)]), key=lambda pair: pair[1]):
            chunk = html.escape("".join(ch for ch, _marked in group))
            out.append(f"<mark>{chunk}</mark>" if flag else chunk)
        here += len(line)
    return "".join(out)


_STYLE = """body{font-family:sans-serif;margin:1.5em;max-width:1400px}table.pair{width:100%;border-collapse:collapse;
margin-bottom:2em}td{vertical-align:top;width:50%;border:1px solid #ccc;padding:.4em}pre{white-space:pre-wrap;
margin:0;font-size:.9em}mark{background:#ffe28a}h2{font-size:1.1em;margin-top:2em}.muted,.course{color:#888}"""


def write_html(report: Report, path: str | Path) -> Path:
    """An offline HTML page: every flagged pair's two answers side by side (all text escaped)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    e = html.escape
    from labs.i18n import language

    title, flags_only = e(_("Similar answers")), _("This flags; it changes no grade.")
    intro = e(_("{pairs} pair(s) at similarity >= {threshold:g}. Compared with copydetect (names, layout and "
                "comments normalised away); the course's own lines (def line, docstring, stub) and code most of "
                "the class wrote alike are left out; answers under {tokens} tokens are too short to judge.").format(
        pairs=len(report.pairs), threshold=report.threshold, tokens=report.min_tokens)).replace("&gt;=", "&ge;")
    head = "".join(f"<th>{e(label)}</th>" for label in (
        _("lab"), _("exercise"), _("answers compared"), _("too short"), _("unanswered")))
    parts = [f"<!DOCTYPE html><html lang='{'zh-CN' if language() == 'zh' else 'en'}'><head><meta charset='utf-8'>",
             f"<title>{title}</title>", f"<style>{_STYLE}</style></head><body>",
             f"<h1>{title}</h1>",
             f"<p>{intro} <b>{e(flags_only)}</b> "
             + e(_("Highlighted: passages found in both answers; grey: the course's lines, not compared.")) + "</p>",
             f"<table><tr>{head}</tr>"]
    for key in sorted(set(report.compared) | set(report.unanswered)):
        parts.append(f"<tr><td>{e(key[0])}</td><td>{key[1]}</td><td>{report.compared.get(key, 0)}</td>"
                     f"<td>{report.short.get(key, 0)}</td><td>{report.unanswered.get(key, 0)}</td></tr>")
    parts.append("</table>")
    for pair in report.pairs:
        parts.append("<h2>" + e(_("{notebook} exercise {exercise}: {first} and {second} — similarity "
                                   "{similarity:.2f}").format(notebook=pair.notebook, exercise=pair.exercise,
                                                             first=pair.a.student, second=pair.b.student,
                                                             similarity=pair.similarity)) + "</h2>")
        parts.append("<table class='pair'><tr>")
        for answer, share in ((pair.a, pair.share_a), (pair.b, pair.share_b)):
            parts.append(f"<td><b>{e(answer.student)}</b> <span class='muted'>(" + e(_(
                "{source}; {share:.0%} of this answer found in the other, {tokens} tokens").format(
                    source=str(answer.source or ""), share=share, tokens=answer.tokens)) + ")</span></td>")
        parts.append("</tr><tr>")
        for answer, slices in ((pair.a, pair.slices_a), (pair.b, pair.slices_b)):
            parts.append(f"<td><pre>{_highlighted(answer, slices)}</pre></td>")
        parts.append("</tr></table>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def write_csv(report: Report, path: str | Path) -> Path:
    """One row per flagged pair (columns :data:`CSV_COLUMNS`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for p in report.pairs:
            row = {"notebook": p.notebook, "exercise": p.exercise, "grade_id": p.grade_id, "student_a": p.a.student,
                   "student_b": p.b.student, "similarity": f"{p.similarity:.3f}", "share_a": f"{p.share_a:.3f}",
                   "share_b": f"{p.share_b:.3f}", "tokens_a": p.a.tokens, "tokens_b": p.b.tokens,
                   "file_a": str(p.a.source or ""), "file_b": str(p.b.source or "")}
            writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    return path


def write_report(report: Report, html_path: str | Path) -> tuple[Path, Path]:
    """The HTML page at ``html_path`` and its CSV twin next to it (same name, ``.csv``)."""
    html_path = Path(html_path)
    return write_html(report, html_path), write_csv(report, html_path.with_suffix(".csv"))
