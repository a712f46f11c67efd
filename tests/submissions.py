"""Fake student submissions, made from the course notebooks, for the grader's tests.

Each fake starts from the student release, as a student would, and fills the answer cells
in some way: right, wrong, broken, hostile. ``EXPECTED`` says what each must score.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from labs.course.assignments import exercises, master_notebook, release_notebook
from labs.course.runner import NOTEBOOKS

# Exercise 2 of lab 01 with a classic mistake: the linear unit's delta, no factor z(1 - z).
WRONG_SIGMOID_GRADIENT = '''\
def sigmoid_unit_gradient(w, b, X, t):
    z = labs.neurons.sigmoid(X @ w + b)
    delta = t - z
    return -(X.T @ delta), -np.sum(delta)
'''

# student -> (points, max points, status of each exercise, flag text or ""); lab 01's third exercise
# (a choice of start for AND) keeps the master's answer in every fake that answers anything
EXPECTED = {
    "correct": (3, 3, ["passed", "passed", "passed"], ""),
    "one_wrong": (2, 3, ["passed", "failed", "passed"], ""),
    "raises": (2, 3, ["failed", "passed", "passed"], ""),
    "endless_loop": (2, 3, ["timeout", "passed", "passed"], ""),
    "kernel_dies": (2, 3, ["kernel died", "passed", "passed"], "the kernel died in exercise 1"),
    "edited_checks": (2, 3, ["passed", "failed", "passed"], ""),
    "extra_and_reordered": (3, 3, ["passed", "passed", "passed"], ""),
    "empty": (0, 3, ["missing", "missing", "missing"], "empty file"),
    "not_a_notebook": (0, 3, ["missing", "missing", "missing"], "not a notebook"),
    "pdf_only": (0, 3, ["missing", "missing", "missing"], "no notebook submitted"),
}


def _ids(nb) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def answered(stem: str, answers: dict[int, str] | None = None) -> nbformat.NotebookNode:
    """The release of ``stem`` with every answer cell filled in: the master's solution, or
    ``answers[exercise number]`` where given."""
    master = master_notebook(NOTEBOOKS / f"{stem}.ipynb")
    student = release_notebook(master)
    by_id, solutions = _ids(student), _ids(master)
    for exercise in exercises(master):
        source = (answers or {}).get(exercise.number, solutions[exercise.answer_id].source)
        by_id[exercise.answer_id].source = source
    return student


def solution(stem: str, number: int) -> str:
    """The master's answer cell of exercise ``number``."""
    master = master_notebook(NOTEBOOKS / f"{stem}.ipynb")
    exercise = exercises(master)[number - 1]
    return _ids(master)[exercise.answer_id].source


def _write(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def make_fake_set(folder: Path, stem: str = "01_perceptron") -> Path:
    """Write the fake submissions of ``EXPECTED`` for lab ``stem`` into ``folder``."""
    first, second = solution(stem, 1), solution(stem, 2)
    _write(answered(stem), folder / "correct" / f"{stem}.ipynb")
    _write(answered(stem, {2: WRONG_SIGMOID_GRADIENT}), folder / "one_wrong" / f"Copy of {stem}.ipynb")
    _write(answered(stem, {1: 'raise RuntimeError("my code is not finished")\n' + first}), folder / "raises.ipynb")
    _write(answered(stem, {1: "while True:\n    pass\n" + first}), folder / "endless_loop" / f"{stem}.ipynb")
    _write(answered(stem, {1: "import os\nos._exit(1)\n" + first}), folder / "kernel_dies" / f"{stem}.ipynb")

    # Exercise 2 left unanswered, its check edited to claim success; exercise 1's check deleted.
    edited = answered(stem)
    master = master_notebook(NOTEBOOKS / f"{stem}.ipynb")
    ex1, ex2 = exercises(master)[:2]
    by_id = _ids(edited)
    by_id[ex2.answer_id].source = _ids(release_notebook(master))[ex2.answer_id].source
    by_id[ex2.check_id].source = 'print("✓ all good")'
    edited.cells.remove(by_id[ex1.check_id])
    _write(edited, folder / "edited_checks" / f"{stem}.ipynb")

    # Extra cells (one of them hostile) and the cells in reverse order; answers are right.
    shuffled = answered(stem)
    shuffled.cells.insert(3, nbformat.v4.new_code_cell("labs = None  # my scratch work"))
    shuffled.cells.append(nbformat.v4.new_markdown_cell("My notes: " + second[:40]))
    shuffled.cells.reverse()
    _write(shuffled, folder / "extra_and_reordered" / f"{stem}.ipynb")

    (folder / "empty.ipynb").write_bytes(b"")
    (folder / "not_a_notebook.ipynb").write_text("My answers are in the PDF, see attached.\n", encoding="utf-8")
    (folder / "pdf_only").mkdir()
    (folder / "pdf_only" / "answers.pdf").write_bytes(b"%PDF-1.4\n")
    return folder


def make_correct_set(folder: Path, stems: list[str]) -> Path:
    """One student with a fully correct copy of every lab, saved under Colab's copy names."""
    for stem in stems:
        _write(answered(stem), folder / "correct" / f"Copy of {stem}.ipynb")
    return folder


# Lab 15, exercise 1 (three losses, a point each): the discriminator's right, the deck's generator
# loss has the wrong sign, the non-saturating one is not written.
ONE_PART_RIGHT = '''\
def discriminator_loss(d_real, d_fake):
    return -(ops.mean(ops.log(d_real)) + ops.mean(ops.log(1.0 - d_fake)))


def generator_loss_saturating(d_fake):
    return -ops.mean(ops.log(1.0 - d_fake))


def generator_loss_non_saturating(d_fake):
    raise NotImplementedError()
'''


def answered_in_chinese(stem: str) -> nbformat.NotebookNode:
    """A student's copy of the Chinese edition of ``stem`` (its release, as a student opens it from
    notebooks/zh/) with the same answers as :func:`answered`: the master's."""
    from labs.course.translation import edition_language, edition_path

    english = master_notebook(NOTEBOOKS / f"{stem}.ipynb")
    student = release_notebook(master_notebook(edition_path(stem)), f"{stem}.ipynb", lang="zh")
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in english.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in student.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = solutions[grade_id]
    assert edition_language(student) == "zh" and set(solutions) <= {
        c.metadata.get("nbgrader", {}).get("grade_id") for c in student.cells}
    return student


def make_graded_class(folder: Path) -> tuple[Path, Path]:
    """The class the suite grades once (tests/conftest.py's ``graded_class``): ``folder/lab01``
    holds lab 01's fake submissions (:data:`EXPECTED`) and the "correct" student's answers handed
    in from the Chinese edition; ``folder/lab15`` a lab 15 student right on one part of exercise 1."""
    lab01, lab15 = folder / "lab01", folder / "lab15"
    make_fake_set(lab01)
    _write(answered_in_chinese("01_perceptron"), lab01 / "correct_zh" / "01_perceptron.ipynb")
    _write(answered("15_generative", {1: ONE_PART_RIGHT}), lab15 / "one_part" / "15_generative.ipynb")
    return lab01, lab15
