"""Every notebook executes top to bottom, is committed clean, and reruns to the same numbers."""

from __future__ import annotations

import math
import re

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
    assert not result_differences(first, again)


# Wall-clock measurements (lab 03's and 06's speeds, lab 08's seconds per epoch) differ between any
# two runs; everything else a lab records must agree. Floats may differ in their last bits: the
# kernels' BLAS threads sum in a different order from one process to the next.
TIMING = re.compile(r"seconds|s_per_epoch|ms per update|speed|time_ratio")


def result_differences(first, again, where: str = "") -> list[str]:
    """Where two runs' recorded results disagree (timings left out, floats within 1e-5)."""
    if TIMING.search(where):
        return []
    if isinstance(first, dict) and isinstance(again, dict):
        if set(first) != set(again):
            return [f"{where or 'results'}: keys {sorted(set(first) ^ set(again))} in one run only"]
        return [d for key in first for d in result_differences(first[key], again[key], f"{where}/{key}")]
    if isinstance(first, list) and isinstance(again, list):
        if len(first) != len(again):
            return [f"{where}: {len(first)} values vs {len(again)}"]
        return [d for i, (a, b) in enumerate(zip(first, again)) for d in result_differences(a, b, f"{where}[{i}]")]
    if isinstance(first, float) and isinstance(again, float):
        same = math.isclose(first, again, rel_tol=1e-5, abs_tol=1e-9) or (math.isnan(first) and math.isnan(again))
        return [] if same else [f"{where}: {first!r} vs {again!r}"]
    return [] if first == again else [f"{where}: {first!r} vs {again!r}"]


def test_result_differences_see_a_changed_number_but_not_a_timing():
    first = {"acc": 0.91, "table": {"seconds per epoch": [1.0, 2.0], "loss": [0.5, 0.25]}, "n": 3}
    assert result_differences(first, {"acc": 0.91 * (1 + 1e-9), "table": {"seconds per epoch": [9.0, 9.0],
                                                                          "loss": [0.5, 0.25]}, "n": 3}) == []
    assert result_differences(first, {**first, "acc": 0.92}) == ["/acc: 0.91 vs 0.92"]
    assert result_differences(first, {**first, "n": 4}) == ["/n: 3 vs 4"]
    assert result_differences(first, {**first, "table": {"seconds per epoch": [1.0, 2.0], "loss": [0.5, 0.3]}})
    assert result_differences(first, {"acc": 0.91}) != []


def test_notebook_folder_is_the_course_folder():
    assert NOTEBOOKS.name == "notebooks" and NOTEBOOKS.is_dir()
