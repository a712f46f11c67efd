"""The grader: scores right, flags what it cannot grade, and survives hostile submissions."""

from __future__ import annotations

import csv
import json
import shutil

import nbformat
import pytest

from labs.__main__ import main
from labs.course import assignments, grading
from labs.course.runner import NOTEBOOKS

from .conftest import GRADED_CLASS_GROUP, assignment_labs
from .submissions import EXPECTED, answered, make_correct_set

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None,
                                 reason="bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap); "
                                        "grading runs every kernel in it")

# --- a toy lab: no TensorFlow, so each grading run takes a second or two --------------------

TOY_CELLS = [
    ("markdown", "# Lab 98 · toy"),
    ("code", "import labs"),
    ("code", "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION"),
    ("code", "labs.checks.check_close('answer', answer, 42)\n### BEGIN HIDDEN TESTS\n"
             "labs.probes.record('answer', {'answer': answer})\n### END HIDDEN TESTS"),
    ("code", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
    ("code", "# points: 3\nlabs.checks.check_close('double(2)', double(2), 4)\n### BEGIN HIDDEN TESTS\n"
             "_x = labs.probes.rng('double').normal(size=5)\nlabs.probes.record('double', {'y': double(_x)})\n"
             "### END HIDDEN TESTS"),
    ("code", "raise RuntimeError('cells after the last check are not run by the grader')"),
]


@pytest.fixture
def toy(tmp_path):
    """A folder holding the toy master ``98_toy.ipynb``; returns (masters folder, master)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    maker = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    nb.cells = [maker[kind](source, id=f"98-{i:02d}") for i, (kind, source) in enumerate(TOY_CELLS)]
    masters = tmp_path / "masters"
    masters.mkdir()
    nbformat.write(assignments.annotate_notebook(nb, "98_toy"), masters / "98_toy.ipynb")
    return masters, assignments.master_notebook(masters / "98_toy.ipynb")


def toy_submission(master, first: str | None = None, second: str | None = None):
    """The toy release with the two answers filled in (None keeps the master's)."""
    student = assignments.release_notebook(master)
    answers = [c for c in student.cells if c.metadata.get("nbgrader", {}).get("solution")]
    solutions = [c for c in master.cells if c.metadata.get("nbgrader", {}).get("solution")]
    for cell, solution, given in zip(answers, solutions, (first, second)):
        cell.source = solution.source if given is None else given
    return student


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def by_student(results):
    return {r.student: r for r in results}


# --- reading and finding submissions --------------------------------------------------------


def test_read_submission_says_what_is_wrong(tmp_path):
    cases = {"empty.ipynb": b"", "blank.ipynb": b"  \n", "text.ipynb": b"see my PDF",
             "json.ipynb": b'{"hello": 1}', "nocells.ipynb": nbformat.writes(nbformat.v4.new_notebook()).encode()}
    expected = {"empty.ipynb": "empty file", "blank.ipynb": "empty file", "text.ipynb": "not a notebook",
                "json.ipynb": "not a notebook", "nocells.ipynb": "empty notebook"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        nb, problem = grading.read_submission(tmp_path / name)
        assert nb is None and problem.startswith(expected[name]), (name, problem)
    ok = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    write(ok, tmp_path / "ok.ipynb")
    assert grading.read_submission(tmp_path / "ok.ipynb")[1] == ""


def test_find_submissions_layout(tmp_path):
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "lab.ipynb").write_text("{}")
    (tmp_path / "ann" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "ann" / ".ipynb_checkpoints" / "lab-checkpoint.ipynb").write_text("{}")
    (tmp_path / "ann" / "notes.txt").write_text("x")
    (tmp_path / "bob.ipynb").write_text("{}")
    (tmp_path / "cy").mkdir()
    (tmp_path / ".DS_Store").write_text("")
    found = grading.find_submissions(tmp_path)
    assert [(s, [p.name for p in files]) for s, files in found] == [
        ("ann", ["lab.ipynb"]), ("bob", ["bob.ipynb"]), ("cy", [])]
    with pytest.raises(FileNotFoundError, match="SUBMISSIONS_DIR"):
        grading.find_submissions(tmp_path / "nope")


def test_identify_lab_from_ids_then_name(toy, tmp_path):
    _, master = toy
    stems = ["98_toy", "01_perceptron"]
    assert grading.identify_lab(toy_submission(master), tmp_path / "x.ipynb", stems) == "98_toy"
    plain = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    assert grading.identify_lab(plain, tmp_path / "Copy of 01_perceptron.ipynb", stems) == "01_perceptron"
    assert grading.identify_lab(plain, tmp_path / "lab.ipynb", stems) is None


def test_find_answer_by_id_copy_or_place(toy):
    masters, _ = toy
    master = grading.Master.load(masters / "98_toy.ipynb")
    first = master.exercises[0]
    student = toy_submission(master.nb, "answer = 1")
    assert grading.find_answer(student, master, first) == ("answer = 1", "")
    # a copied cell carries the same grade_id: the edited copy wins over the untouched stub
    answer = next(c for c in student.cells if c.metadata.get("nbgrader", {}).get("grade_id") == first.answer_id)
    stub = nbformat.from_dict(json.loads(json.dumps(answer)))
    stub.source = master.stubs[first.answer_id]
    student.cells.insert(student.cells.index(answer) + 1, stub)
    source, note = grading.find_answer(student, master, first)
    assert source == "answer = 1" and "appears 2 times" in note
    # an editor that drops cell metadata: the cell before the unchanged check is the answer
    for cell in student.cells:
        cell.metadata.pop("nbgrader", None)
    student.cells.remove(stub)
    source, note = grading.find_answer(student, master, first)
    assert source == "answer = 1" and "by its place" in note
    student.cells.remove(answer)
    assert grading.find_answer(student, master, first)[0] is None


# --- grading the toy lab --------------------------------------------------------------------


@needs_bwrap
def test_toy_grading_points_notes_and_csv(toy, tmp_path):
    masters, master = toy
    folder = tmp_path / "in"
    write(toy_submission(master), folder / "right" / "98_toy.ipynb")
    write(toy_submission(master, "answer = 41"), folder / "off_by_one.ipynb")
    write(toy_submission(master, "answer = (42"), folder / "typo.ipynb")
    deleted = toy_submission(master)
    deleted.cells = [c for c in deleted.cells if not c.metadata.get("nbgrader", {}).get("solution")
                     or "double" in c.source]
    write(deleted, folder / "deleted_answer.ipynb")
    write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")]), folder / "other_lab.ipynb")
    write(toy_submission(master), folder / "late" / "old.ipynb")
    write(toy_submission(master, "answer = 0"), folder / "late" / "new_98_toy.ipynb")
    results = by_student(grading.grade_submissions(folder, notebook="98", masters_folder=masters, cell_timeout=60))
    assert (results["right"].points, results["right"].max_points) == (4, 4)
    assert [s.status for s in results["off_by_one"].scores] == ["failed", "passed"]
    assert "at index () you have 41, expected 42" in results["off_by_one"].scores[0].message
    assert results["typo"].points == 3 and "answer cell: SyntaxError" in results["typo"].scores[0].message
    assert [s.status for s in results["deleted_answer"].scores] == ["missing", "passed"]
    assert "not found in the submission" in results["deleted_answer"].scores[0].message
    assert results["other_lab"].points == 0 and "no answer cells found" in results["other_lab"].flag
    assert results["late"].points == 3 and "2 files for this lab; graded the newest" in results["late"].flag
    rows = grading.csv_rows(list(results.values()))
    assert set(rows[0]) == set(grading.CSV_COLUMNS)
    total = [r for r in rows if r["student"] == "right" and r["exercise"] == "total"]
    assert total[0]["points"] == "4" and total[0]["status"] == "graded" and float(total[0]["seconds"]) > 0


@needs_bwrap
def test_time_limit_and_an_interrupt_that_is_ignored(toy, tmp_path):
    masters, master = toy
    folder = tmp_path / "in"
    write(toy_submission(master, "import time\ntime.sleep(60)\nanswer = 42"), folder / "slow.ipynb")
    stubborn = "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n    except KeyboardInterrupt:\n        pass"
    write(toy_submission(master, stubborn), folder / "stubborn.ipynb")
    write(toy_submission(master), folder / "zz_fine.ipynb")
    results = by_student(grading.grade_submissions(folder, notebook="98", masters_folder=masters,
                                                   cell_timeout=5, time_limit=90, jobs=2))
    assert [s.status for s in results["slow"].scores] == ["timeout", "passed"]
    assert [s.status for s in results["stubborn"].scores] == ["timeout", "not run"]
    assert "went on after being interrupted" in results["stubborn"].flag
    assert results["zz_fine"].points == 4
    short = by_student(grading.grade_submissions(folder, notebook="98", masters_folder=masters,
                                                 cell_timeout=60, time_limit=4))
    assert "time limit of 4 s reached" in short["slow"].flag
    first, second = (s.status for s in short["slow"].scores)  # a slow kernel start can use up the 4 s
    assert first in ("timeout", "not run") and second == "not run" and short["slow"].points == 0


def test_a_submission_is_graded_in_its_editions_language_else_the_instructors(monkeypatch):
    chinese = nbformat.v4.new_notebook(metadata={"labs": {"language": "zh"}})
    english = nbformat.v4.new_notebook()
    monkeypatch.delenv("LABS_LANG", raising=False)
    assert grading.submission_language(chinese, grading.Settings()) == "zh"
    assert grading.submission_language(english, grading.Settings()) == "en"
    assert grading.submission_language(english, grading.Settings(lang="zh")) == "zh"
    assert grading.submission_language(chinese, grading.Settings(lang="en")) == "zh"
    monkeypatch.setenv("LABS_LANG", "zh")
    assert grading.submission_language(None) == "zh"


def test_each_thread_grades_in_its_own_language(monkeypatch):
    """Submissions graded at once, one from each edition, never take each other's language."""
    import threading

    from labs.course import referee

    monkeypatch.delenv("LABS_LANG", raising=False)
    said, ready = {}, threading.Barrier(2)

    def grade(lang):
        with referee.verdicts_in(lang):
            ready.wait()
            said[lang] = referee._summary([], 0, 3)

    threads = [threading.Thread(target=grade, args=(lang,)) for lang in ("en", "zh")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert said == {"en": "passed (3 hidden cases checked)", "zh": "通过（检查了 3 个隐藏用例）"}
    assert referee._summary([], 0, 1) == "passed (1 hidden case checked)"


def test_the_instructors_labs_lang_reaches_a_sandboxed_kernel(monkeypatch, tmp_path):
    from labs.course.sandbox import Sandbox

    monkeypatch.setenv("LABS_LANG", "zh")
    command = Sandbox("bwrap").command(["python"], runtime_dir=tmp_path, workdir=tmp_path, env={})
    assert any(command[i:i + 3] == ["--setenv", "LABS_LANG", "zh"] for i in range(len(command)))
    command = Sandbox("bwrap").command(["python"], runtime_dir=tmp_path, workdir=tmp_path, env={"LABS_LANG": "en"})
    assert any(command[i:i + 3] == ["--setenv", "LABS_LANG", "en"] for i in range(len(command)))


def test_grading_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="cell_timeout must be >= 1"):
        grading.grade_submissions(tmp_path, cell_timeout=0)
    with pytest.raises(ValueError, match="jobs must be >= 1"):
        grading.grade_submissions(tmp_path, jobs=0)
    with pytest.raises(ValueError, match="time_limit must be a positive"):
        grading.grade_submissions(tmp_path, time_limit=-1.0)
    assert main(["grade", str(tmp_path / "missing")]) == 2


# --- the fake class: every way a real submission goes wrong ---------------------------------


@pytest.fixture(scope="module")
def fake_grades(graded_class):
    """``python -m labs grade`` over the fake submissions of lab 01 (the suite's graded class,
    tests/conftest.py, which also holds a lab 15 and a Chinese-edition student); the CSV rows."""
    with open(graded_class.csv, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@needs_bwrap
@pytest.mark.notebook
@pytest.mark.xdist_group(GRADED_CLASS_GROUP)
@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_fake_submission_gets_its_score(student, fake_grades):
    points, max_points, statuses, flag = EXPECTED[student]
    rows = [r for r in fake_grades if r["student"] == student]
    total = rows[-1]
    assert total["exercise"] == "total" and total["notebook"] == "01_perceptron"
    assert (float(total["points"]), float(total["max_points"])) == (points, max_points), rows
    assert [r["status"] for r in rows[:-1]] == statuses, rows
    assert flag in total["message"], rows
    assert (total["status"] == "flagged") == bool(total["message"])


@needs_bwrap
@pytest.mark.notebook
@pytest.mark.xdist_group(GRADED_CLASS_GROUP)
def test_fake_submissions_say_why(fake_grades):
    message = {(r["student"], r["exercise"]): r["message"] for r in fake_grades}
    assert "answer cell: RuntimeError: my code is not finished" in message["raises", "1"]
    assert "ran out of time" in message["endless_loop", "1"]
    assert "kernel died while running the answer cell" in message["kernel_dies", "1"]
    assert "check cell was deleted" in message["edited_checks", "1"]
    assert "check cell was edited" in message["edited_checks", "2"]
    assert "not written yet" in message["edited_checks", "2"]
    assert "dE_dw differs from the expected value" in message["one_wrong", "2"]
    assert message["correct", "1"].startswith("hidden tests: passed") and message["correct", "2"].startswith(
        "hidden tests: passed")


@pytest.mark.notebook
@pytest.mark.parametrize("stem", [p.stem for p in assignment_labs(())])
@needs_bwrap
def test_solutions_get_full_marks(stem, tmp_path):
    """The course's own solutions, handed in as a student would, score full marks, and no
    graded cell writes to stderr (which nbgrader would score 0). By default the hostile suite's
    honest submissions cover this for labs 01, 04 and 08; LABS_TEST_GRADE_ALL=1 takes every lab."""
    results = grading.grade_submissions(make_correct_set(tmp_path, [stem]), cell_timeout=600, time_limit=1800,
                                        executed_dir=tmp_path / "executed")
    assert [r.notebook for r in results] == [stem]
    for result in results:
        assert result.flag == "" and result.points == result.max_points > 0, (
            result.notebook, [(s.status, s.message) for s in result.scores])
        cells = nbformat.read(result.executed, as_version=4).cells
        setup = next(c for c in cells if c.cell_type == "code")
        for cell in [setup] + [c for c in cells if c.metadata.get("nbgrader", {}).get("grade")]:
            stderr = [o.text for o in cell.outputs if o.get("name") == "stderr"]
            assert not stderr, f"{result.notebook} cell {cell.id} wrote to stderr: {stderr}"


def test_fake_set_is_made_from_the_master():
    nb = answered("01_perceptron")
    master = nbformat.read(NOTEBOOKS / "01_perceptron.ipynb", as_version=4)
    assert len(assignments.exercises(master)) == 3, "the fake set assumes lab 01 has three exercises"
    assert nb.cells[1].source == assignments.STUDENT_NOTE


def test_only_cells_before_the_first_answer_get_the_long_timeout(toy):
    masters, _ = toy
    graded = grading._graded_copy(grading.Master.load(masters / "98_toy.ipynb"), {})
    assert grading._cell_timeouts(graded, 5) == [grading.SETUP_TIMEOUT] * 2 + [5] * 6  # 2 answers, 2 checks, 2 hidden


# --- bugs found on the way (each failed before its fix) ---------------------------------------


@needs_bwrap
def test_a_folder_with_several_labs_has_the_asked_lab_graded(toy, tmp_path):
    masters, master = toy
    other = assignments.annotate_notebook(nbformat.read(masters / "98_toy.ipynb", as_version=4), "97_other")
    nbformat.write(other, masters / "97_other.ipynb")
    folder = tmp_path / "in"
    write(toy_submission(master), folder / "alice" / "98_toy.ipynb")
    write(other, folder / "alice" / "97_other.ipynb")  # newer, another lab: must not be graded as 98
    results = grading.grade_submissions(folder, notebook="98", masters_folder=masters, cell_timeout=60)
    assert [(r.student, r.notebook, r.points) for r in results] == [("alice", "98_toy", 4)], results[0].flag


def test_a_notebook_saved_with_a_bom_is_read(toy, tmp_path):
    _, master = toy
    path = tmp_path / "bom.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + nbformat.writes(toy_submission(master)).encode())
    nb, problem = grading.read_submission(path)
    assert problem == "" and nb is not None


def test_csv_cells_that_look_like_formulas_are_escaped(toy, tmp_path):
    _, master = toy
    exercise = grading.exercises(master)[0]
    result = grading.GradedSubmission("=HYPERLINK(\"http://x\")", "98_toy", tmp_path, flag="+1 -2 @x",
                                      scores=[grading.ExerciseScore(exercise, 0.0, "failed", "-oops")])
    path = grading.write_csv([result], tmp_path / "g.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["student"].startswith("'=") and rows[0]["message"] == "'-oops" and rows[1]["message"] == "'+1 -2 @x"


@needs_bwrap
def test_kernels_get_the_data_source_threads_and_no_download(toy, tmp_path):
    """... and a submission of the Chinese edition (its metadata says so) gets LABS_LANG=zh in its
    kernel, its verdicts in Chinese and ``zh`` in the CSV's language column."""
    masters, master = toy
    probe = ("import os\nprint('ENV', os.environ.get('LABS_DATA'), os.environ.get('OMP_NUM_THREADS'), "
             "os.environ.get('TF_FORCE_GPU_ALLOW_GROWTH'), os.environ.get('HOME'), os.environ.get('LABS_LANG'), "
             "sorted(os.environ))\nanswer = 42")
    submission = toy_submission(master, probe)
    submission.metadata["labs"] = {"language": "zh", "translates": "notebooks/98_toy.ipynb"}
    write(submission, tmp_path / "in" / "env.ipynb")
    results = grading.grade_submissions(tmp_path / "in", notebook="98", masters_folder=masters, cell_timeout=60,
                                        jobs=2, executed_dir=tmp_path / "executed")
    text = results[0].executed.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if "ENV " in line)
    from labs.environment import cpu_cores

    assert f"ENV sample {max(1, cpu_cores() // 2)} true /home/student zh" in line or "ENV full" in line, line
    assert "GITHUB_TOKEN" not in line and "http_proxy" not in line.lower()
    assert [s.points for s in results[0].scores] == [1, 3] and results[0].language == "zh"
    assert results[0].scores[0].message.startswith("隐藏测试：通过")
    assert {row["language"] for row in grading.csv_rows(results)} == {"zh"}


@needs_bwrap
def test_points_earned_before_a_late_death_are_kept_and_reruns_get_their_own_budget(toy, tmp_path):
    masters, master = toy
    late = "import os, threading\nthreading.Timer(3.0, os._exit, [1]).start()\nanswer = 42"
    slow_second = "import time\ntime.sleep(4)\ndef double(x):\n    return 2 * x"
    write(toy_submission(master, late, slow_second), tmp_path / "in" / "late.ipynb")
    results = grading.grade_submissions(tmp_path / "in", notebook="98", masters_folder=masters, cell_timeout=60,
                                        time_limit=40)
    first, second = results[0].scores
    assert (first.status, first.points) == ("passed", 1.0), first.message
    assert second.status == "kernel died" and "kernel died" in results[0].flag
    assert "for review" in results[0].flag and "ends the process" in results[0].flag


@needs_bwrap
def test_unsandboxed_grading_is_marked_on_every_row(toy, tmp_path):
    masters, master = toy
    write(toy_submission(master), tmp_path / "in" / "right.ipynb")
    results = grading.grade_submissions(tmp_path / "in", notebook="98", masters_folder=masters, cell_timeout=60,
                                        sandbox="none")
    assert results[0].points == 4
    assert {r["sandbox"] for r in grading.csv_rows(results)} == {"none (unsandboxed)"}


@needs_bwrap
def test_a_kernel_past_its_process_limit_is_stopped(toy, tmp_path):
    masters, master = toy
    bomb = "import subprocess\nps = [subprocess.Popen(['sleep', '30']) for _ in range(400)]\nanswer = 42"
    write(toy_submission(master, bomb), tmp_path / "in" / "forks.ipynb")
    results = grading.grade_submissions(tmp_path / "in", notebook="98", masters_folder=masters, cell_timeout=60)
    first, second = results[0].scores
    assert first.status == "kernel died" and second.status == "passed"
    assert "process limit" in results[0].flag


@pytest.mark.xdist_group(GRADED_CLASS_GROUP)
def test_xdist_groups_keep_their_tests_in_one_process(request):
    """The suite's shared gradings rely on xdist_group: under `--dist loadgroup` each grouped test's
    id carries its group, which is how pytest-xdist sends a group to one process (with pytest 9
    the mark silently did nothing, and the hostile gradings ran twice)."""
    import os

    if not os.environ.get("PYTEST_XDIST_WORKER") or not request.config.getvalue("loadgroup"):
        pytest.skip("not run in a pytest-xdist process under --dist loadgroup")
    assert request.node.nodeid.endswith(f"@{GRADED_CLASS_GROUP}"), request.node.nodeid
