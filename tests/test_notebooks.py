"""Every notebook executes top to bottom, is committed clean, and reruns to the same numbers."""

from __future__ import annotations

import nbformat
import pytest

from labs.course.runner import NOTEBOOKS, course_notebooks

from .conftest import notebook_stems


def test_course_has_notebooks():
    assert len(course_notebooks()) >= 2


@pytest.mark.notebook
@pytest.mark.parametrize("stem", notebook_stems())
def test_notebook_executes_in_fast_profile(stem, executed):
    run, results = executed(stem)
    assert run.status == "ok"
    assert results, f"{stem} recorded no results with labs.record()"
    # No cell writes to stderr: students would see a red warning box, and nbgrader scores a
    # check cell that writes to stderr 0 (test_grading grades some labs through the grader).
    nb = nbformat.read(run.executed, as_version=4)
    noisy = {c.id: [o.text[:200] for o in c.outputs if o.get("name") == "stderr"]
             for c in nb.cells if c.cell_type == "code"}
    noisy = {cell: text for cell, text in noisy.items() if text}
    assert not noisy, f"{stem}: cells wrote to stderr: {noisy}"


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; run nbstripout before committing"


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.stem)
def test_notebook_starts_with_setup_and_has_exercises(path):
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert "labs.setup(" in code[0], "the first code cell must call labs.setup()"
    solutions = [s for s in code if "### BEGIN SOLUTION" in s]
    assert len(solutions) >= 2, "each notebook needs at least two exercises"
    for i, cell in enumerate(code):
        if "### BEGIN SOLUTION" in cell:
            assert "### END SOLUTION" in cell
            assert i + 1 < len(code) and "labs.checks." in code[i + 1], (
                "a solution cell must be followed by a self-check cell calling labs.checks"
            )


@pytest.mark.notebook
@pytest.mark.parametrize("stem", notebook_stems())
def test_rerun_gives_same_numbers(stem, executed, executed_zh):
    """Determinism, and one source for two editions: the Chinese edition's run (a second, separate
    kernel running the same code) records exactly the English run's results, lab by lab."""
    _, first = executed(stem)
    _, again = executed_zh(stem)
    assert again == first


def test_notebook_folder_is_the_course_folder():
    assert NOTEBOOKS.name == "notebooks" and NOTEBOOKS.is_dir()
