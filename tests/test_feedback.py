"""After grading: feedback pages that leak nothing hidden, the LMS gradebook files, partial credit
by parts, and the students' summary of a lab's checks."""

from __future__ import annotations

import ast
import csv
import json
import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest

import labs
from labs import probes
from labs.__main__ import main
from labs.checks import readiness as summary_module
from labs.course import assignments, feedback, gradebook, grading, referee
from labs.course.runner import NOTEBOOKS, course_notebooks

from .conftest import GRADED_CLASS_GROUP, GRADED_CLASS_SETTINGS
from .submissions import answered, solution

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None,
                                 reason="bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap); "
                                        "grading runs every kernel in it")
SEED = GRADED_CLASS_SETTINGS["seed"]  # the graded class's seed: no page may show it
HAN = re.compile(r"[\u4e00-\u9fff]")

def _record(folder: Path, name: str, values: dict, judge: str = "close", **options) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(folder / f"{name}.npz", **values)
    (folder / f"{name}.json").write_text(json.dumps({"judge": judge, "options": options}))


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


# --- partial credit: parts ------------------------------------------------------------------------


def test_parts_are_read_from_the_check_cell_and_give_its_points():
    cell = "labs.checks.check_x(f)\n# parts: first=1, second=2.5\n"
    assert assignments.check_parts(cell) == {"first": 1, "second": 2.5}
    assert assignments.check_points(cell) == 3.5
    assert assignments.check_points(cell + "# points: 3.5") == 3.5
    with pytest.raises(ValueError, match="parts add up to 3.5"):
        assignments.check_points(cell + "# points: 2")
    with pytest.raises(ValueError, match="distinct name=points"):
        assignments.check_parts("# parts: a=1, a=2")
    with pytest.raises(ValueError, match="number >= 0"):
        assignments.check_parts("# parts: a=-1")


def test_each_part_earns_its_points_and_a_case_count_in_words(tmp_path):
    reference, student = tmp_path / "reference", tmp_path / "student"
    for folder in (reference, student):
        _record(folder, "ex_discriminator", {"loss.0": 1.0, "loss.1": 2.0})
        _record(folder, "ex_non_saturating", {"loss.0": 3.0, "loss.1": 4.0})
    _record(reference, "ex_saturating", {"loss.0": 5.0, "loss.1": 6.0, "loss.2": 7.0})
    _record(student, "ex_saturating", {"loss.0": -5.0, "loss.1": 6.0, "loss.2": 0.0})
    parts = {"discriminator": 1, "saturating": 1, "non_saturating": 2}
    verdict = referee.judge_exercise(reference, student, parts)
    assert not verdict.passed and verdict.share == pytest.approx(3 / 4)
    assert "3 of 4 points by parts" in verdict.message
    assert "part saturating (1 of 4 points): wrong on 2 of 3 hidden cases" in verdict.message
    assert "part non_saturating (2 of 4 points): passed" in verdict.message  # the longest part name wins
    whole = referee.judge_exercise(reference, student)
    assert not whole.passed and whole.share == 0 and "wrong on 2 of 7 hidden cases" in whole.message
    with pytest.raises(RuntimeError, match="counts for none of the parts"):
        referee.judge_exercise(reference, student, {"discriminator": 1, "non_saturating": 1})
    with pytest.raises(RuntimeError, match="recorded nothing for the parts extra"):
        referee.judge_exercise(reference, student, {**parts, "extra": 1})


def test_each_item_of_a_recorded_list_is_a_hidden_case(tmp_path, monkeypatch):
    reference, student = tmp_path / "reference", tmp_path / "student"
    for folder, values in ((reference, [1.0, 2.0, 3.0, 4.0]), (student, [1.0, -2.0, 3.0, 5.0])):
        monkeypatch.setenv(probes.DIR_VARIABLE, str(folder))
        monkeypatch.setenv(probes.EXERCISE_VARIABLE, "1")
        probes.record("ex", {"loss": values, "ragged": [np.zeros(2), np.zeros(3)], "one": 7.5})
    verdict = referee.judge_exercise(reference / "1", student / "1")
    assert "wrong on 2 of 7 hidden cases" in verdict.message, verdict.message


def test_a_part_whose_code_raises_records_nothing_and_the_rest_go_on(tmp_path, monkeypatch):
    monkeypatch.setenv(probes.DIR_VARIABLE, str(tmp_path))
    monkeypatch.setenv(probes.EXERCISE_VARIABLE, "1")

    def broken():
        raise NotImplementedError()

    probes.record("ex_first", broken)
    probes.record("ex_second", lambda: {"x": [1.0, 2.0]})
    assert sorted(p.name for p in (tmp_path / "1").iterdir()) == ["ex_second.json", "ex_second.npz"]


def test_lab15_gan_losses_are_split_into_three_parts():
    master = grading.Master.load(NOTEBOOKS / "15_generative.ipynb")
    first = master.exercises[0]
    assert master.parts[first.number] == {"discriminator": 1, "saturating": 1, "non_saturating": 1}
    assert first.points == 3


# --- nbgrader's semantics: a check cell never gives a number ---------------------------------------


CHECK_CELLS = [(p.stem, c) for p in course_notebooks() for c in nbformat.read(p, as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("grade")]


@pytest.mark.parametrize(("stem", "cell"), CHECK_CELLS, ids=[f"{s}-{c.id}" for s, c in CHECK_CELLS])
def test_no_check_cell_ends_in_a_value(stem, cell):
    """nbgrader scores a grade cell whose output is a number as partial credit: ours end with a
    call to a labs.checks check (which returns None: tests/test_checks.py) or a statement."""
    public, _ = referee.split_check(cell.source)
    last = ast.parse(public).body[-1]
    if isinstance(last, ast.Expr):
        assert isinstance(last.value, ast.Call), f"{stem} {cell.id} ends in an expression: {ast.unparse(last)}"
        name = ast.unparse(last.value.func)
        assert name.startswith("labs.checks.check_"), f"{stem} {cell.id} ends in {name}(…), which may return a value"


# --- the summary for students ----------------------------------------------------------------------


def test_the_summary_knows_every_labs_checks_as_the_masters_write_them():
    for path in course_notebooks():
        nb = assignments.master_notebook(path)
        calls = tuple(referee.split_check(nb.cells[i].source)[0].strip().splitlines()[0]
                      for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
        assert summary_module.CHECKS.get(path.stem) == calls, (
            f"update CHECKS['{path.stem}'] in labs/checks/readiness.py to the lab's check cells: {calls}")


def _lab01_namespace(second: str | None = None) -> dict:
    namespace = {"labs": labs, "np": np, "sign": labs.neurons.sign}
    exec(solution("01_perceptron", 1), namespace)  # noqa: S102 (the course's own solution)
    if second is not None:
        exec(second, namespace)  # noqa: S102
    return namespace


def test_summary_says_which_exercises_pass_fail_are_not_written_or_not_run(capsys):
    from .submissions import WRONG_SIGMOID_GRADIENT

    rows = summary_module.results("01", _lab01_namespace())
    assert [r[2] for r in rows][:2] == ["passes", "not run yet"] and "sigmoid_unit_gradient" in rows[1][3]
    rows = summary_module.results("01", _lab01_namespace(second=WRONG_SIGMOID_GRADIENT))
    assert rows[1][2] == "fails" and "dE_dw differs from the expected value" in rows[1][3]
    stub = "def sigmoid_unit_gradient(w, b, X, t):\n    raise NotImplementedError()"
    assert summary_module.results("01", _lab01_namespace(second=stub))[1][2] == "not written yet"
    namespace = _lab01_namespace(second=WRONG_SIGMOID_GRADIENT)
    assert summary_module.summary(namespace=namespace) is None  # the lab is told by the names
    text = capsys.readouterr().out
    assert "1 of 3 exercises pass" in text and "hidden tests" in text and "fresh kernel" in text
    assert "only your answer cells" in text.lower() and "scores 0" in text
    with pytest.raises(ValueError, match="cannot tell which lab"):
        summary_module.summary(namespace={"labs": labs})


def test_summary_reuses_a_check_already_run_on_the_same_function(capsys, monkeypatch):
    namespace = _lab01_namespace()
    labs.checks.check_perceptron_update(namespace["perceptron_update"])  # what the check cell did
    assert "✓" in capsys.readouterr().out
    monkeypatch.setattr(labs.checks.check_perceptron_update, "__wrapped__", None)  # running it again would fail
    assert summary_module.results("01", namespace)[0][2] == "passes"
    exec(solution("01_perceptron", 1), namespace)  # noqa: S102  a new function object: checked again
    outcome = summary_module.results("01", namespace)[0]
    assert outcome[2] == "fails" and outcome[3].startswith("TypeError")


def test_the_summary_cell_ends_labs_13_to_15():
    for stem in ("13_cnn", "14_rnn", "15_generative"):
        cells = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4).cells
        assert cells[-1].source == f'labs.checks.summary("{stem[:2]}")' and not cells[-1].metadata.get("nbgrader")


# --- the gradebook ---------------------------------------------------------------------------------


def _grading_csv(path: Path, rows: list[tuple[str, str, float, float, str]]) -> Path:
    """A grading CSV of total rows: (student, lab, points, max, flag)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=grading.CSV_COLUMNS)
        writer.writeheader()
        for student, lab, points, top, flag in rows:
            writer.writerow({"student": grading.spreadsheet_safe(student), "notebook": lab, "exercise": "total",
                             "points": f"{points:g}", "max_points": f"{top:g}",
                             "status": "flagged" if flag else "graded", "message": flag})
    return path


def test_regrading_one_lab_replaces_only_that_labs_column(tmp_path, capsys):
    first = _grading_csv(tmp_path / "a.csv", [("ann", "01_perceptron", 1, 2, ""), ("bob", "01_perceptron", 2, 2, ""),
                                              ("ann", "02_xor", 2, 2, "")])
    second = _grading_csv(tmp_path / "b.csv", [("bob", "02_xor", 1, 2, "kernel died")])
    regrade = _grading_csv(tmp_path / "c.csv", [("ann", "01_perceptron", 2, 2, "")])
    assert main(["gradebook", str(first), str(second), str(regrade), "--out", str(tmp_path / "out")]) == 0
    wide = _read(tmp_path / "out" / "gradebook.csv")
    assert wide[0] == ["student", "01_perceptron", "02_xor", "total", "max_total", "flags"]
    assert wide[1] == ["points possible", "2", "2", "4", "", ""]
    assert wide[2] == ["ann", "2", "2", "4", "4", ""]  # the re-grade replaced ann's lab 01 only
    assert wide[3] == ["bob", "2", "1", "3", "4", "02_xor: kernel died"]
    book = gradebook.read_gradebook([first, regrade])
    assert book.points["bob"] == {"01_perceptron": 2} and book.points["ann"]["02_xor"] == 2


def test_canvas_and_moodle_files_follow_the_documented_columns(tmp_path, capsys):
    source = _grading_csv(tmp_path / "a.csv", [("ann", "01_perceptron", 1.5, 2, ""), ("=cmd", "01_perceptron", 0, 2, ""),
                                               ("bob", "13_cnn", 3, 3, ""), ("zed", "13_cnn", 3, 3, "")])
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name,canvas_id,sis_user_id,sis_login_id,section,email,idnumber\n"
                      "ann,\"Lee, Ann\",101,S1,ann1,A,ann@uni.edu,1001\n"
                      "bob,Bob Ray,102,S2,bob2,B,bob@uni.edu,1002\n"
                      "=cmd,Eve,103,S3,eve3,B,eve@uni.edu,1003\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["gradebook", str(source), "--out", str(out), "--roster", str(roster),
                 "--title", "13=CNN lab (4567)"]) == 0
    assert "left out of canvas.csv and moodle.csv: zed" in capsys.readouterr().out
    canvas = _read(out / "canvas.csv")
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_perceptron", "CNN lab (4567)"]
    assert canvas[1] == ["Points Possible", "", "", "", "", "2", "3"]
    assert canvas[2] == ["Eve", "103", "S3", "eve3", "B", "0", ""]
    assert canvas[3] == ["Lee, Ann", "101", "S1", "ann1", "A", "1.5", ""]
    assert canvas[4] == ["Bob Ray", "102", "S2", "bob2", "B", "", "3"]
    moodle = _read(out / "moodle.csv")
    assert moodle[0] == ["Email address", "ID number", "01_perceptron", "CNN lab (4567)"]
    assert moodle[1:] == [["eve@uni.edu", "1003", "0", ""], ["ann@uni.edu", "1001", "1.5", ""],
                          ["bob@uni.edu", "1002", "", "3"]]
    wide = _read(out / "gradebook.csv")
    assert wide[0][:3] == ["student", "name", "canvas_id"] and [r[0] for r in wide[2:]] == ["'=cmd", "ann", "bob", "zed"]


def test_without_a_roster_the_folder_name_is_the_login(tmp_path, capsys):
    source = _grading_csv(tmp_path / "a.csv", [("ann", "01_perceptron", 2, 2, "")])
    assert main(["gradebook", str(source), "--out", str(tmp_path / "out")]) == 0
    assert _read(tmp_path / "out" / "canvas.csv")[2] == ["ann", "", "", "ann", "", "2"]
    assert _read(tmp_path / "out" / "moodle.csv") == [["Username", "01_perceptron"], ["ann", "2"]]
    bad = tmp_path / "bad.csv"
    bad.write_text("login,email\nann,a@b\n", encoding="utf-8")
    assert main(["gradebook", str(source), "--out", str(tmp_path / "o2"), "--roster", str(bad)]) == 2
    assert "needs a 'student' column" in capsys.readouterr().err


# --- feedback pages: structure and escaping (no grading) --------------------------------------------


def test_a_feedback_page_is_escaped_and_self_contained(tmp_path):
    rows = [{"student": "<b>ann</b>", "notebook": "01_perceptron", "exercise": 1, "points": "0", "max_points": "1",
             "status": "failed", "message": "check: AssertionError: <script>alert(1)</script> | hidden tests: wrong "
                                            "on 3 of 20 hidden cases (x) | the check cell was deleted; the course's "
                                            "check was run"},
            {"student": "<b>ann</b>", "notebook": "01_perceptron", "exercise": "total", "points": "0",
             "max_points": "1", "status": "flagged", "message": "empty answer; for review: exercise 1: calls exec"}]
    page = feedback.write_feedback(rows, tmp_path)[0]
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text and "&lt;script&gt;" in text and "&lt;b&gt;ann" in text
    assert not re.search(r"(src|href)=|<link|@import|url\(", text), "the page must load nothing"
    twin = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    exercise = twin["exercises"][0]
    assert twin["language"] == "en" and not HAN.search(text), "a CSV without a language column is read as before"
    assert exercise["public_check"].startswith("check: AssertionError")
    assert exercise["verdict"] == "hidden tests: wrong on 3 of 20 hidden cases (x)"
    assert exercise["notes"] == ["the check cell was deleted; the course's check was run"]
    assert twin["notes"] == ["empty answer", "for review: exercise 1: calls exec"]


def test_a_chinese_row_gets_a_chinese_page_and_its_verdicts_are_sorted_as_in_english(tmp_path):
    """The CSV's language column chooses the page's language; the Chinese beginnings of a message
    (检查：, 隐藏测试：) sort it into public check, verdict and notes as the English ones do."""
    with referee.verdicts_in("zh"):
        message = " | ".join([_zh(grading.CHECK).format(problem="AssertionError: w 的形状不对"),
                              _zh(referee.HIDDEN_TESTS).format(summary="20 个隐藏用例中错了 3 个（x）"),
                              _zh("the check cell was deleted; the course's check was run")])
    rows = [{"student": "li", "notebook": "01_perceptron", "exercise": "1", "points": "0", "max_points": "1",
             "status": "failed", "message": message, "language": "zh"},
            {"student": "li", "notebook": "01_perceptron", "exercise": "total", "points": "0", "max_points": "1",
             "status": "graded", "message": "", "language": "zh"}]
    page = feedback.write_feedback(rows, tmp_path)[0]
    text = page.read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in text and "0 / 1 分" in text and "评分方式" in text and "未通过" in text
    twin = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    assert set(twin) == {"student", "lab", "points", "max_points", "notes", "exercises", "grading", "language"}
    exercise = twin["exercises"][0]
    assert exercise["public_check"].startswith("检查：AssertionError") and exercise["status"] == "failed"
    assert exercise["verdict"].startswith("隐藏测试：") and exercise["status_words"] == "未通过"
    assert exercise["notes"] == ["检查单元格被删除了；运行的是课程自己的检查"]


def _zh(message: str) -> str:
    return referee._(message)


# --- the fake class, graded once: feedback, partial credit, gradebook ---------------------------------


@pytest.fixture(scope="module")
def graded_class(graded_class):
    """The suite's graded class (tests/conftest.py): lab 01's fake class, a lab 15 student right on
    one part of exercise 1 and a Chinese-edition submission; returns (CSV rows, feedback folder,
    executed folder, the masters' record folders)."""
    return (feedback.read_rows(graded_class.csv) + feedback.read_rows(graded_class.lab15_csv), graded_class.feedback,
            graded_class.executed, graded_class.references)


def _hidden_texts() -> list[str]:
    """Every line of every master's hidden tests worth looking for, and each rng stream's call."""
    texts = []
    for path in course_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            hidden = referee.split_check(cell.source)[1] if cell.cell_type == "code" else ""
            texts += [line.strip() for line in hidden.splitlines() if len(line.strip()) >= 12]
            texts += [f'rng("{name}")' for name in re.findall(r'labs\.probes\.rng\("(\w+)"\)', hidden)]
    return texts


def _recorded_numbers(folders: list[Path]) -> set[str]:
    """The masters' recorded values as they could be printed (non-integers only: 3 of 20 is no leak)."""
    texts = set()
    for folder in folders:
        for path in folder.rglob("*.npz"):
            with np.load(path) as data:
                for key in data.files:
                    values = data[key]
                    if values.dtype.kind != "f":
                        continue
                    for x in values.ravel()[:2000]:
                        if np.isfinite(x) and x != round(x):
                            texts |= {f"{x:.6g}", f"{x:.4g}", repr(float(x))}
    return texts


@needs_bwrap
@pytest.mark.notebook
@pytest.mark.xdist_group(GRADED_CLASS_GROUP)
def test_feedback_files_leak_nothing_hidden(graded_class):
    rows, folder, _, references = graded_class
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    students = {r["student"] for r in rows}  # a file no lab could be told from gets a page too
    assert {p.parent.name for p in files} == students and len(files) == 2 * len(students)
    hidden, numbers = _hidden_texts(), _recorded_numbers(references)
    assert len(hidden) > 100 and len(numbers) > 20 and references
    for path in files:
        assert not _leaks(path.read_text(encoding="utf-8"), hidden, numbers), path


def _leaks(text: str, hidden: list[str], numbers: set[str]) -> list[str]:
    """The seed, hidden-test lines and recorded numbers found in ``text``."""
    found = [str(SEED)] if str(SEED) in text else []
    found += [h for h in hidden if h in text]
    return found + [n for n in numbers if re.search(rf"(?<![\d.]){re.escape(n)}(?!\d)", text)]


def test_the_leak_check_finds_each_kind_of_leak():
    hidden = _hidden_texts()
    line = next(h for h in hidden if "labs.probes.record" in h)
    assert _leaks(f"<td>{line}</td>", hidden, set()) == [line]
    assert _leaks("seed 918273645", hidden, set()) == [str(SEED)]
    assert _leaks("you have 0.731059, expected", hidden, {"0.731059"}) == ["0.731059"]
    assert _leaks("wrong on 3 of 20 hidden cases; 10.731059", hidden, {"0.731059"}) == []
    assert 'rng("conv2d")' in hidden


@needs_bwrap
@pytest.mark.notebook
@pytest.mark.xdist_group(GRADED_CLASS_GROUP)
def test_feedback_says_points_checks_verdicts_and_notes(graded_class):
    rows, folder, _, _ = graded_class
    pages = {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*/01_perceptron.json")}
    totals = {r["student"]: float(r["points"]) for r in rows if r["exercise"] == "total" and r["notebook"]}
    assert all(page["points"] == totals[name] for name, page in pages.items())
    wrong = pages["one_wrong"]["exercises"][1]
    assert wrong["points"] == 0 and "dE_dw differs from the expected value" in wrong["public_check"]
    assert wrong["verdict"].startswith("hidden tests: wrong on") and "hidden case" in wrong["verdict"]
    assert "the check cell was deleted" in " ".join(pages["edited_checks"]["exercises"][0]["notes"])
    assert "kernel died" in " ".join(pages["kernel_dies"]["notes"])
    assert pages["correct"]["exercises"][0]["verdict"].startswith("hidden tests: passed")
    html = (folder / "correct" / "01_perceptron.html").read_text(encoding="utf-8")
    assert "3 of 3 points" in html and "How this was graded" in html


@needs_bwrap
@pytest.mark.notebook
@pytest.mark.xdist_group(GRADED_CLASS_GROUP)
def test_a_submission_right_on_one_part_gets_exactly_that_parts_points(graded_class):
    rows, folder, _, _ = graded_class
    first = next(r for r in rows if r["student"] == "one_part" and r["exercise"] == "1")
    assert (float(first["points"]), float(first["max_points"]), first["status"]) == (1, 3, "partial"), first
    assert "1 of 3 points by parts" in first["message"]
    assert "part discriminator (1 of 3 points): passed" in first["message"]
    assert "part saturating (1 of 3 points): wrong on 3 of 3 hidden cases" in first["message"]
    assert "part non_saturating (1 of 3 points): wrong" in first["message"]
    page = json.loads((folder / "one_part" / "15_generative.json").read_text(encoding="utf-8"))
    assert page["exercises"][0]["points"] == 1 and page["exercises"][0]["status"] == "partial"


@needs_bwrap
@pytest.mark.notebook
@pytest.mark.xdist_group(GRADED_CLASS_GROUP)
def test_a_chinese_edition_submission_gets_the_english_points_and_chinese_feedback(graded_class):
    """Handed in from notebooks/zh/, the same answers are graded against the same English master
    (same grade ids, same points); the kernel, the verdicts and the page speak Chinese."""
    rows, folder, executed, _ = graded_class

    def graded(student):
        return [r for r in rows if r["student"] == student and r["notebook"] == "01_perceptron"]

    zh, en = graded("correct_zh"), graded("correct")
    assert [(r["exercise"], r["grade_id"], r["points"], r["max_points"], r["status"]) for r in zh] == [
        (r["exercise"], r["grade_id"], r["points"], r["max_points"], r["status"]) for r in en], (zh, en)
    assert zh[-1]["points"] == "3" and {r["language"] for r in zh} == {"zh"} and {r["language"] for r in en} == {"en"}
    assert zh[0]["message"].startswith("隐藏测试：通过") and en[0]["message"].startswith("hidden tests: passed")
    page = (folder / "correct_zh" / "01_perceptron.html").read_text(encoding="utf-8")
    assert HAN.search(page) and "3 / 3 分" in page and "评分方式" in page
    assert not HAN.search((folder / "correct" / "01_perceptron.html").read_text(encoding="utf-8"))
    twin = json.loads((folder / "correct_zh" / "01_perceptron.json").read_text(encoding="utf-8"))
    assert twin["language"] == "zh" and twin["exercises"][0]["verdict"].startswith("隐藏测试：通过")
    setup = next(c for c in nbformat.read(executed / "correct_zh" / "01_perceptron.ipynb", as_version=4).cells
                 if c.cell_type == "code")
    assert HAN.search("".join(o.get("text", "") for o in setup.outputs)), "LABS_LANG=zh did not reach the kernel"


@needs_bwrap
@pytest.mark.notebook
@pytest.mark.xdist_group(GRADED_CLASS_GROUP)
def test_graded_check_cells_show_no_number(graded_class):
    """nbgrader would score an execute_result of a grade cell as partial credit: none has one."""
    _, _, executed, _ = graded_class
    notebooks = sorted(executed.rglob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.metadata.get("nbgrader", {}).get("grade") or cell.metadata.get(grading.HIDDEN_CELL):
                assert not [o for o in cell.outputs if o.output_type == "execute_result"], (path, cell.source[:80])


@needs_bwrap
@pytest.mark.notebook
@pytest.mark.xdist_group(GRADED_CLASS_GROUP)
def test_the_gradebook_of_the_graded_class(graded_class, tmp_path):
    rows, folder, _, _ = graded_class
    sources = [str(folder.parent / "results-01.csv"), str(folder.parent / "results-15.csv")]
    assert main(["feedback", *sources, "--out", str(tmp_path / "again")]) == 0
    again = sorted(p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*"))
    assert again == sorted(p.relative_to(folder) for p in folder.rglob("*"))
    assert main(["gradebook", *sources, "--out", str(tmp_path / "book")]) == 0
    wide = {r[0]: r for r in _read(tmp_path / "book" / "gradebook.csv")}
    assert wide["student"][1:3] == ["01_perceptron", "15_generative"]
    assert wide["correct"][1] == "3" and wide["one_part"][1] == "" and wide["points possible"][1] == "3"


@pytest.mark.notebook
def test_check_command_runs_a_students_copy_and_prints_the_summary(tmp_path, capsys):
    from .submissions import WRONG_SIGMOID_GRADIENT

    path = tmp_path / "Copy of 01_perceptron.ipynb"
    nbformat.write(answered("01_perceptron", {2: WRONG_SIGMOID_GRADIENT}), path)
    assert main(["check", str(path)]) == 1
    text = capsys.readouterr().out
    assert "as lab 01_perceptron" in text and "2 of 3 exercises pass" in text
    assert re.search(r"2\s+sigmoid_unit_gradient\s+fails\s+.*dE_dw differs", text), text
    nbformat.write(answered("01_perceptron"), path)
    assert main(["check", str(path)]) == 0


def test_the_summary_speaks_chinese(capsys):
    from labs.i18n import speaking

    from .submissions import WRONG_SIGMOID_GRADIENT

    stub = "def sigmoid_unit_gradient(w, b, X, t):\n    raise NotImplementedError()"
    with speaking("zh"):
        assert summary_module.results("01", _lab01_namespace(second=stub))[1][2] == "not written yet"
        summary_module.summary("01", _lab01_namespace(second=WRONG_SIGMOID_GRADIENT))
        with pytest.raises(ValueError, match="看不出这是哪个实验"):
            summary_module.summary(namespace={"labs": labs})
    text = capsys.readouterr().out
    assert "实验 01_perceptron：公开检查目前的结果" in text and "3 个练习中有 1 个通过了公开检查。" in text
    assert re.search(r"1\s+perceptron_update\s+通过\s", text) and re.search(r"2\s+sigmoid_unit_gradient\s+不通过\s", text)
    assert "评分时：" in text and "隐藏测试" in text and "得 0 分" in text and "hidden tests" not in text
    summary_module.summary("01", _lab01_namespace(second=WRONG_SIGMOID_GRADIENT))
    assert "1 of 3 exercises pass their public check." in capsys.readouterr().out  # English again outside
