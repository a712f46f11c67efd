"""Exercises as nbgrader assignments: metadata derived from the markers, and the student release."""

from __future__ import annotations

import copy
import subprocess
import sys
import textwrap

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbgrader.nbgraderformat import MetadataValidator

from labs.__main__ import main
from labs.course import assignments
from labs.course.runner import course_notebooks

from .conftest import assignment_labs

SETUP = "import labs\n\nlabs.setup()"


def toy_notebook(check_source: str = "labs.checks.check_close('answer', answer, 42)") -> nbformat.NotebookNode:
    """A tiny course notebook: header, setup, one exercise with a hidden test, closing text."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Lab 98 · toy", id="98-00"),
        nbformat.v4.new_code_cell(SETUP, id="98-01"),
        nbformat.v4.new_code_cell("x = 1", id="98-02"),
        nbformat.v4.new_code_cell("y = 2\n### BEGIN SOLUTION\nanswer = 6 * 7\n### END SOLUTION", id="98-03"),
        nbformat.v4.new_markdown_cell("Check it:", id="98-04"),
        nbformat.v4.new_code_cell(check_source, id="98-05"),
        nbformat.v4.new_code_cell("print('plain')", id="98-06"),
    ]
    return nb


def solution_and_hidden_lines(nb) -> set[str]:
    """Lines inside solution or hidden-test regions that appear nowhere else in the notebook."""
    secret, public = set(), set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if "### BEGIN SOLUTION" in line or "### BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "### END SOLUTION" in line or "### END HIDDEN TESTS" in line:
                inside = False
            elif line.strip():
                (secret if inside else public).add(line.strip())
    return secret - public


# --- deriving the metadata -------------------------------------------------------------------


def test_roles_follow_the_markers():
    nb = toy_notebook()
    assert assignments.cell_roles(nb) == ["text", "setup", None, "answer", "text", "check", None]
    nb.cells.insert(1, nbformat.v4.new_code_cell("%pip install dnn-labs", id="98-pip"))
    assert assignments.cell_roles(nb)[:3] == ["text", "setup", "setup"], "labs.setup() stays locked"


def test_annotate_writes_valid_nbgrader_metadata():
    nb = assignments.annotate_notebook(toy_notebook(), "98_toy")
    MetadataValidator().validate_nb(nb)
    meta = [c.metadata.get("nbgrader") for c in nb.cells]
    assert meta[1] == {"grade": False, "grade_id": "98_toy-98-01", "locked": True, "schema_version": 3,
                       "solution": False}
    assert meta[3]["solution"] and not meta[3]["locked"] and not meta[3]["grade"]
    assert meta[5]["grade"] and meta[5]["locked"] and meta[5]["points"] == 1
    assert meta[2] is None and meta[6] is None
    assert assignments.exercises(nb) == [assignments.Exercise(1, "98_toy-98-03", "98_toy-98-05", 1.0)]


def test_annotate_is_idempotent_and_removes_stale_metadata():
    nb = assignments.annotate_notebook(toy_notebook(), "98_toy")
    again = assignments.annotate_notebook(copy.deepcopy(nb), "98_toy")
    assert again == nb
    nb.cells[3].source = "answer = 42"  # no longer an exercise
    assignments.annotate_notebook(nb, "98_toy")
    assert "nbgrader" not in nb.cells[3].metadata and "nbgrader" not in nb.cells[5].metadata


def test_points_marker_overrides_the_default():
    nb = assignments.annotate_notebook(toy_notebook("# points: 2.5\nlabs.checks.check_close('a', answer, 42)"), "t")
    assert nb.cells[5].metadata.nbgrader["points"] == 2.5
    assert assignments.check_points("# points: 3\nx") == 3


@pytest.mark.parametrize("bad", ["# points: many", "# points: -1"])
def test_bad_points_marker_is_named(bad):
    with pytest.raises(ValueError, match="'# points:' must be followed by a number >= 0"):
        assignments.annotate_notebook(toy_notebook(bad + "\nlabs.checks.check_close('a', answer, 42)"), "t")


def test_grade_id_is_safe_and_needs_a_cell_id():
    cell = nbformat.v4.new_code_cell("x", id="a-1")
    assert assignments.grade_id("07 lab.v2", cell) == "07_lab_v2-a-1"
    del cell["id"]
    with pytest.raises(ValueError, match="has no id"):
        assignments.grade_id("07_lab", cell)


def test_problems_are_reported():
    nb = toy_notebook()
    assert any("python -m labs annotate" in p for p in assignments.annotation_problems(nb, "98_toy"))
    assignments.annotate_notebook(nb, "98_toy")
    assert assignments.annotation_problems(nb, "98_toy") == []
    nb.cells[5].source = "print(answer)"  # the check no longer calls labs.checks
    assignments.annotate_notebook(nb, "98_toy")
    problems = assignments.annotation_problems(nb, "98_toy")
    assert any("not followed by a code cell calling labs.checks" in p for p in problems)
    assert any("no graded exercise" in p for p in problems)


def test_an_edition_is_released_beside_its_master_and_refused_when_its_code_drifted(tmp_path):
    """notebooks/zh/NN.ipynb is released to out/zh/NN.ipynb, stripped like the master; an edition
    whose code is not its master's (a stale translation build) is not released at all."""
    master = toy_notebook("labs.checks.check_close('answer', answer, 42)\n### BEGIN HIDDEN TESTS\n"
                          "labs.probes.record('answer', {'answer': answer})\n### END HIDDEN TESTS")
    assignments.annotate_notebook(master, "98_toy")
    nbformat.write(master, tmp_path / "98_toy.ipynb")
    edition = copy.deepcopy(master)
    edition.cells[0].source = "# 实验 98 · 玩具（toy）"
    edition.metadata["labs"] = {"language": "zh", "translates": "notebooks/98_toy.ipynb"}
    (tmp_path / "zh").mkdir()
    nbformat.write(edition, tmp_path / "zh" / "98_toy.ipynb")
    written = assignments.release_files([tmp_path / "98_toy.ipynb"], tmp_path / "out")
    assert written == [tmp_path / "out" / "98_toy.ipynb", tmp_path / "out" / "zh" / "98_toy.ipynb"]
    english, chinese = (nbformat.read(p, as_version=4) for p in written)
    assert [c.id for c in chinese.cells] == [c.id for c in english.cells]
    assert "实验 98" in "".join(c.source for c in chinese.cells)
    assert "6 * 7" not in "".join(c.source for c in chinese.cells) and "BEGIN HIDDEN" not in str(chinese.cells)
    edition.cells[3].source = edition.cells[3].source.replace("6 * 7", "42")
    nbformat.write(edition, tmp_path / "zh" / "98_toy.ipynb")
    with pytest.raises(ValueError, match="zh/98_toy.ipynb cannot be released: cell 98-03: code differs"):
        assignments.release_files([tmp_path / "98_toy.ipynb"], tmp_path / "out")


def _setup(nb):
    return next(c for c in nb.cells if c.cell_type == "code")


def test_release_refuses_a_notebook_without_exercises(tmp_path):
    nb = toy_notebook("print(answer)")
    nbformat.write(nb, tmp_path / "98_toy.ipynb")
    with pytest.raises(ValueError, match="98_toy.ipynb cannot be released: .*no graded exercise"):
        assignments.release_files([tmp_path / "98_toy.ipynb"], tmp_path / "out")


# --- the student release ---------------------------------------------------------------------


def test_self_checks_need_no_grading_tools():
    """Colab has no nbgrader, nbclient or pytest: labs and its checks import and run without them."""
    code = textwrap.dedent("""
        import sys

        GRADING_TOOLS = {"nbgrader", "nbclient", "nbconvert", "jupyter_client", "pytest"}

        class Absent:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in GRADING_TOOLS:
                    raise ImportError(f"{name} is not installed here")

        sys.meta_path.insert(0, Absent())
        import labs
        from labs import checks, neurons

        checks.check_perceptron_update(neurons.perceptron_update)
        print("loaded:", sorted(m for m in sys.modules if m.split(".")[0] in GRADING_TOOLS))
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "✓ perceptron update" in run.stdout and "loaded: []" in run.stdout


def test_release_stubs_solutions_drops_hidden_tests_and_locks():
    check = "labs.checks.check_close('answer', answer, 42)\n### BEGIN HIDDEN TESTS\nassert answer == 42\n### END HIDDEN TESTS"
    master = assignments.annotate_notebook(toy_notebook(check), "98_toy")
    master.cells[3].outputs = [nbformat.v4.new_output("stream", text="42\n")]
    student = assignments.release_notebook(master)
    text = "\n".join(c.source for c in student.cells)
    assert "6 * 7" not in text and "assert answer == 42" not in text and "HIDDEN" not in text
    answer = next(c for c in student.cells if c.metadata.get("nbgrader", {}).get("solution"))
    assert answer.source == "y = 2\n# YOUR CODE HERE\nraise NotImplementedError()"
    assert answer.metadata["deletable"] is False and "editable" not in answer.metadata
    for cell in student.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("locked"):
            assert cell.metadata["editable"] is False and cell.metadata["deletable"] is False
            assert len(meta["checksum"]) == 32
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert student.cells[1].source == assignments.STUDENT_NOTE
    assert master.cells[3].source.endswith("### END SOLUTION"), "the master must not change"


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.stem)
def test_committed_notebook_is_annotated(path):
    nb = nbformat.read(path, as_version=4)
    problems = assignments.annotation_problems(nb, path.stem)
    assert not problems, f"{path.name}: " + "; ".join(problems)
    MetadataValidator().validate_nb(nb)
    ids = [c.metadata.nbgrader["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids))
    exercises = assignments.exercises(nb)
    assert exercises and all(e.points > 0 for e in exercises)


def test_cli_annotate_changes_nothing_twice(tmp_path, capsys):
    path = tmp_path / "98_toy.ipynb"
    nbformat.write(toy_notebook(), path)
    assert main(["annotate", str(path)]) == 0
    first = path.read_text()
    assert main(["annotate", str(path)]) == 0
    assert path.read_text() == first
    out = capsys.readouterr().out
    assert "98_toy.ipynb: annotated" in out and "98_toy.ipynb: already up to date" in out
    assert assignments.annotation_problems(nbformat.read(path, 4), "98_toy") == []


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """Every course notebook released through the command line."""
    out = tmp_path_factory.mktemp("release")
    assert main(["release", "--out", str(out)]) == 0
    return out


def assert_no_solution_left(student, master, label: str) -> None:
    """A released notebook keeps no line of the master's solutions or hidden tests, no marker, no output."""
    secret = solution_and_hidden_lines(master)
    assert secret, f"{label}: the master has no solution lines"
    leaked = {line.strip() for c in student.cells for line in c.source.splitlines()} & secret
    assert not leaked, f"{label} release leaks {sorted(leaked)}"
    text = "\n".join(c.source for c in student.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    assert all(not c.get("outputs") for c in student.cells)


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.stem)
def test_release_holds_no_solution_and_no_hidden_test(path, released):
    student = nbformat.read(released / path.name, as_version=4)
    master = nbformat.read(path, as_version=4)
    assert_no_solution_left(student, master, path.name)


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.stem)
def test_release_points_students_at_their_repository(path, released):
    """The masters hold the solutions: a released notebook's badge and install line never open them."""
    from labs.course import colab

    text = "\n".join(c.source for c in nbformat.read(released / path.name, as_version=4).cells)
    assert colab.badge(path.name, student=True) in text
    assert colab.install_url(student=True) in text
    assert f"github/{colab.REPOSITORY}/" not in text and f"github.com/{colab.REPOSITORY}@" not in text


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.stem)
def test_the_chinese_release_has_the_english_releases_cells_and_no_solution(path, released):
    """release/zh/NN.ipynb, made from notebooks/zh/NN.ipynb: the English release's cells, ids and
    grade ids (so it is graded against the same master), no solution or hidden test, its badge at
    the students' notebooks/zh/, and the note on grading in Chinese."""
    import re

    from labs.course import colab
    from labs.course.translation import edition_language

    english = nbformat.read(released / path.name, as_version=4)
    chinese = nbformat.read(released / "zh" / path.name, as_version=4)
    assert edition_language(chinese) == "zh"
    assert [c.id for c in chinese.cells] == [c.id for c in english.cells]
    def grading_of(nb):  # a markdown cell's checksum is of its own language's text
        return [{k: v for k, v in c.metadata.get("nbgrader", {}).items() if k != "checksum" or c.cell_type == "code"}
                for c in nb.cells if c.cell_type == "markdown" or c is not _setup(nb)]

    assert grading_of(chinese) == grading_of(english)
    assert [c.metadata["nbgrader"]["grade_id"] for c in chinese.cells if c.metadata.get("nbgrader", {}).get("grade")]
    code = [[c.source for c in nb.cells if c.cell_type == "code" and c is not _setup(nb)] for nb in (english, chinese)]
    assert code[0] == code[1], "every code cell but the set-up cell is the English one"
    assert_no_solution_left(chinese, nbformat.read(path, as_version=4), f"zh/{path.name}")
    text = "\n".join(c.source for c in chinese.cells)
    assert colab.badge(path.name, student=True, lang="zh") in text and 'lang="zh"' in text
    assert f"github/{colab.REPOSITORY}/" not in text and f"github.com/{colab.REPOSITORY}@" not in text
    note = next(c for c in chinese.cells if c.id == "grading-note")
    assert re.search(r"[\u4e00-\u9fff]", note.source) and "`# YOUR CODE HERE`" in note.source


@pytest.mark.notebook
@pytest.mark.parametrize("path", assignment_labs(("01_perceptron", "03_backprop", "06_minibatch", "11_why_deep")),
                         ids=lambda p: p.stem)
def test_release_runs_up_to_the_first_exercise(path, released):
    """A student's first run stops at the first exercise, where the stub raises, and the
    setup cell wrote nothing to stderr (TensorFlow's start-up chatter is silenced)."""
    student = nbformat.read(released / path.name, as_version=4)
    meta = [c.metadata.get("nbgrader", {}) for c in student.cells]
    first_answer = next(i for i, m in enumerate(meta) if m.get("solution"))
    first_check = next(i for i, m in enumerate(meta) if m.get("grade") and i > first_answer)
    current = {}
    client = NotebookClient(student, timeout=600, kernel_name="python3",
                            on_cell_start=lambda cell, cell_index: current.update(index=cell_index))
    with pytest.raises(CellExecutionError) as failure:
        client.execute()
    assert current["index"] in (first_answer, first_check), (
        f"{path.name}: the release failed at cell {current['index']}, before the first exercise "
        f"(cell {first_answer}): {failure.value.ename}: {failure.value.evalue}")
    assert failure.value.ename == "NotImplementedError" or (
        failure.value.ename == "AssertionError" and "not written yet" in failure.value.evalue
    ), f"{path.name}: unexpected {failure.value.ename}: {failure.value.evalue}"
    setup = next(c for c in student.cells if c.cell_type == "code")
    stderr = [o.text for o in setup.outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, f"the setup cell wrote to stderr: {stderr}"
