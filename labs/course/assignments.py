"""Exercises as nbgrader assignments: derive the metadata, and write the students' release.

A course notebook marks its exercises with nbgrader's markers, and this module derives
nbgrader's cell metadata (schema version 3) from them, so nobody writes it by hand:

- a code cell holding ``### BEGIN SOLUTION`` is an *answer* cell (an autograded answer);
- the next code cell, when it calls ``labs.checks.``, is its *check*: a graded, locked test
  cell worth 1 point, or N points with a line ``# points: N`` in the cell, or the sum of its
  parts with a line ``# parts: name=1, other=2`` (partial credit, see :mod:`labs.course.referee`);
  a code cell holding ``### BEGIN HIDDEN TESTS`` is a check too;
- the first code cell, any cell calling ``labs.setup()``, and every markdown cell are
  locked read-only.

Each ``grade_id`` is the notebook's stem and the cell's id, e.g. ``01_perceptron-01-11``.
``python -m labs annotate`` writes the metadata into the notebooks; ``python -m labs
release`` runs nbgrader's own preprocessors over them to write the students' copies.
nbgrader is an instructor tool: it is imported here only when a release is made.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from labs.i18n import N_, _, translations

BEGIN_SOLUTION = "### BEGIN SOLUTION"
BEGIN_HIDDEN_TESTS = "### BEGIN HIDDEN TESTS"
CHECK_CALL = "labs.checks."
SETUP_CALL = "labs.setup("
DEFAULT_POINTS = 1
SCHEMA_VERSION = 3
ANNOTATE_HINT = "run `python -m labs annotate` and commit the notebook"
_POINTS = re.compile(r"^\s*#\s*points:\s*(\S+)\s*$", re.MULTILINE)
_PARTS = re.compile(r"^\s*#\s*parts:\s*(.+?)\s*$", re.MULTILINE)
_PART = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\s*=\s*(\S+)$")
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]")

STUDENT_NOTE = N_("""\
**How this notebook is graded.** Write your code in each cell that says `# YOUR CODE HERE`,
in place of `raise NotImplementedError()`; the cell after it checks your answer and tells you
what is still wrong. For grading, only these answer cells are collected and run inside the
course's own copy of the notebook: code you put in other cells is not run, and the check
cells run as they were given to you. Keep each answer in its own cell, and do not delete it.""")
EDITIONS = ("zh",)  # the languages released next to the masters' English, each into <out>/<lang>/


@dataclass(frozen=True)
class Exercise:
    """One graded exercise: the answer cell the student writes and the check that scores it."""

    number: int
    answer_id: str
    check_id: str
    points: float


def grade_id(stem: str, cell: NotebookNode) -> str:
    """The nbgrader ``grade_id`` of a cell: notebook stem and cell id, e.g. ``02_xor-02-11``."""
    cell_id = cell.get("id")
    if not cell_id:
        raise ValueError(
            f"{stem}: a {cell.cell_type} cell has no id; save the notebook with nbformat >= 4.5 "
            "(Jupyter does) so that every cell has one."
        )
    return _UNSAFE_ID.sub("_", f"{stem}-{cell_id}")


def _number(text: str, what: str, where: str) -> float:
    try:
        points = float(text)
    except ValueError:
        points = -1.0
    if not points >= 0:
        raise ValueError(f"{where}: {what} must be followed by a number >= 0; got {text!r}.")
    return int(points) if points.is_integer() else points


def check_parts(source: str, where: str = "cell") -> dict[str, float]:
    """The parts a check cell splits its points over (``# parts: name=1, other=2``), else {}."""
    found = _PARTS.findall(source)
    if not found:
        return {}
    parts: dict[str, float] = {}
    for item in found[-1].split(","):
        match = _PART.match(item.strip())
        if not match or match[1] in parts:
            raise ValueError(f"{where}: '# parts:' takes distinct name=points pairs separated by commas; "
                             f"got {item.strip()!r}.")
        parts[match[1]] = _number(match[2], f"'# parts:' {match[1]}=", where)
    return parts


def check_points(source: str, where: str = "cell") -> float:
    """Points a check cell is worth: its ``# points: N`` line, else the sum of its parts, else 1."""
    found = _POINTS.findall(source)
    parts = check_parts(source, where)
    total = sum(parts.values())
    total = int(total) if float(total).is_integer() else total
    if not found:
        return total if parts else DEFAULT_POINTS
    points = _number(found[-1], "'# points:'", where)
    if parts and abs(points - total) > 1e-9:
        raise ValueError(f"{where}: '# points: {points:g}' but its parts add up to {total:g}.")
    return points


def cell_roles(nb: NotebookNode) -> list[str | None]:
    """Each cell's part in the assignment: answer, check, setup, text or None (a plain cell)."""
    roles: list[str | None] = []
    seen_code = after_answer = False
    for cell in nb.cells:
        role = None
        if cell.cell_type == "markdown":
            role = "text"
        elif cell.cell_type == "code":
            if BEGIN_SOLUTION in cell.source:
                role = "answer"
            elif BEGIN_HIDDEN_TESTS in cell.source or (after_answer and CHECK_CALL in cell.source):
                role = "check"
            elif not seen_code or SETUP_CALL in cell.source:
                role = "setup"
            seen_code, after_answer = True, role == "answer"
        roles.append(role)
    return roles


def _metadata(role: str | None, cell_grade_id: str, source: str) -> dict[str, Any] | None:
    if role is None:
        return None
    meta = {
        "grade": role == "check",
        "grade_id": cell_grade_id,
        "locked": role != "answer",
        "schema_version": SCHEMA_VERSION,
        "solution": role == "answer",
    }
    if role == "check":
        meta["points"] = check_points(source, cell_grade_id)
    return meta


def annotate_notebook(nb: NotebookNode, stem: str) -> NotebookNode:
    """Write nbgrader metadata derived from the markers into ``nb`` (in place) and return it."""
    for cell, role in zip(nb.cells, cell_roles(nb)):
        meta = _metadata(role, grade_id(stem, cell), cell.source) if role else None
        if meta is None:
            cell.metadata.pop("nbgrader", None)
        else:
            cell.metadata["nbgrader"] = meta
    return nb


def exercises(nb: NotebookNode) -> list[Exercise]:
    """The exercises of an annotated notebook: each answer cell with the check cell after it."""
    found, answer = [], None
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            answer = meta["grade_id"]
        elif meta.get("grade") and answer is not None:
            found.append(Exercise(len(found) + 1, answer, meta["grade_id"], float(meta["points"])))
            answer = None
    return found


def annotation_problems(nb: NotebookNode, stem: str) -> list[str]:
    """What keeps ``nb`` from being a gradable assignment (empty when all is well)."""
    problems = []
    expected = annotate_notebook(copy.deepcopy(nb), stem)
    stale = [c.get("id", "?") for c, e in zip(nb.cells, expected.cells)
             if c.metadata.get("nbgrader") != e.metadata.get("nbgrader")]
    if stale:
        problems.append(f"nbgrader metadata missing or out of date in cells {', '.join(stale)}: {ANNOTATE_HINT}")
    roles = cell_roles(nb)
    code_roles = [r for c, r in zip(nb.cells, roles) if c.cell_type == "code"]
    for here, after in zip(code_roles, code_roles[1:] + [None]):
        if here == "answer" and after != "check":
            problems.append("an answer cell is not followed by a code cell calling labs.checks")
    if not exercises(expected):
        problems.append("no graded exercise: an answer cell (### BEGIN SOLUTION) followed by a check")
    ids = [e.metadata["nbgrader"]["grade_id"] for e in expected.cells if "nbgrader" in e.metadata]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate grade_id {', '.join(duplicates)}: give those cells unique ids")
    return problems


def master_notebook(path: str | Path) -> NotebookNode:
    """Read a course notebook and annotate it in memory: the instructor's version."""
    path = Path(path)
    return annotate_notebook(nbformat.read(path, as_version=4), path.stem)


def annotate_files(paths: Iterable[str | Path]) -> list[Path]:
    """Annotate notebooks on disk, rewriting only those whose metadata changes; return them."""
    changed = []
    for path in map(Path, paths):
        nb = nbformat.read(path, as_version=4)
        before = copy.deepcopy(nb)
        annotate_notebook(nb, path.stem)
        if nb != before:
            nbformat.write(nb, path)
            changed.append(path)
    return changed


def release_notebook(master: NotebookNode, name: str | None = None, lang: str = "en") -> NotebookNode:
    """The student's copy of an annotated notebook, made by nbgrader's preprocessors.

    Solutions become nbgrader's stub (``raise NotImplementedError()``), hidden tests and
    outputs go, answer cells cannot be deleted, checks, setup and text cannot be edited,
    and every nbgrader cell carries a checksum. A short note on grading follows the header.
    With the notebook's file ``name``, its Colab badge and install line point to the students'
    repository (``STUDENT_REPOSITORY`` in :mod:`labs.course.colab`), never to the masters'.
    ``lang="zh"`` releases the Chinese edition's notebook: its badge opens the students'
    ``notebooks/zh/`` and the note on grading is in Chinese.
    """
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearHiddenTests,
        ClearMarkScheme,
        ClearOutput,
        ClearSolutions,
        ComputeChecksums,
        LockCells,
    )

    nb, resources = copy.deepcopy(master), {}
    if name is not None:
        from labs.course.colab import apply

        apply(nb, name, student=True, lang=lang)
    for step in (CheckCellMetadata, ClearSolutions, ClearHiddenTests, ClearMarkScheme, ClearOutput,
                 LockCells, ComputeChecksums):
        nb, resources = step().preprocess(nb, resources)
    note = nbformat.v4.new_markdown_cell(translations(lang).gettext(STUDENT_NOTE), id="grading-note")
    nb.cells.insert(1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0, note)
    nbformat.validate(nb)
    return nb


def edition_problems(master: NotebookNode, edition: NotebookNode) -> list[str]:
    """How an edition's notebook differs from its master where it must not: cell ids, nbgrader
    metadata and every code cell but the set-up cell (empty when it is in step)."""
    problems = []
    if [c.get("id") for c in master.cells] != [c.get("id") for c in edition.cells]:
        problems.append(_("its cells are not the master's cells (ids differ)"))
        return problems
    setup = next((i for i, c in enumerate(master.cells) if c.cell_type == "code"), None)
    for i, (m, e) in enumerate(zip(master.cells, edition.cells)):
        if m.metadata.get("nbgrader") != e.metadata.get("nbgrader"):
            problems.append(_("cell {cell}: nbgrader metadata differ").format(cell=m.get("id")))
        elif m.cell_type == "code" and i != setup and m.source != e.source:
            problems.append(_("cell {cell}: code differs from the master").format(cell=m.get("id")))
    return problems


def edition_file(path: str | Path, lang: str) -> Path:
    """The edition ``lang`` of the master at ``path``: ``<its folder>/<lang>/<its name>``."""
    return Path(path).parent / lang / Path(path).name


def release_files(paths: Iterable[str | Path], out_dir: str | Path,
                  editions: Iterable[str] = EDITIONS) -> list[Path]:
    """Write the student release of each notebook into ``out_dir``, and of each of its
    ``editions`` that exists (``notebooks/zh/NN_name.ipynb``) into ``out_dir/<lang>/``; return the
    files written. An edition is released from its own notebook, stripped the same way, and must
    be in step with its master (same cells, grade ids and code: ``python -m labs translate``)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in map(Path, paths):
        master = master_notebook(path)
        problems = annotation_problems(master, path.stem)
        if problems:
            raise ValueError(_("{name} cannot be released: {problems}.").format(name=path.name,
                                                                                 problems="; ".join(problems)))
        target = out_dir / path.name
        nbformat.write(release_notebook(master, path.name), target)
        written.append(target)
        for lang in editions:
            source = edition_file(path, lang)
            if not source.is_file():
                continue
            edition = annotate_notebook(nbformat.read(source, as_version=4), path.stem)
            problems = edition_problems(master, edition)
            if problems:
                raise ValueError(_("{name} cannot be released: {problems}; run `python -m labs translate`.").format(
                    name=f"{lang}/{path.name}", problems="; ".join(problems)))
            target = out_dir / lang / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(release_notebook(edition, path.name, lang=lang), target)
            written.append(target)
    return written
