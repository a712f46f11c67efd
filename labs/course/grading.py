"""Grade a folder of submitted notebooks, trusting nothing in them but the answer cells.

For each submission the grader takes the student's answer cells (matched by nbgrader
``grade_id``) into the course's own copy of the notebook (the *master*), runs it with
nbgrader's executor in a fresh kernel, and scores each check cell the way nbgrader does
(no error and nothing on stderr: full points). Everything else in the submission (the
checks, extra cells, the order of cells) is ignored, so an edited or deleted check changes
nothing. A cell gets ``cell_timeout`` seconds and the whole submission ``time_limit``; an
endless loop is interrupted and the notebook goes on, and when a student's cell kills the
kernel that exercise scores 0 and the notebook is graded again without it. The run sets
``LABS_GRADING=1``, which makes the labs use their fast profile.

Layout: ``SUBMISSIONS_DIR/<student>/<any name>.ipynb`` (one folder per student) or
``SUBMISSIONS_DIR/<student>.ipynb``. Which lab a file is comes from its nbgrader ids, else
from a lab's name inside the file name (Colab's "Copy of 01_perceptron.ipynb" works).
"""

from __future__ import annotations

import copy
import csv
import re
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from labs.course.assignments import Exercise, exercises, master_notebook, release_notebook
from labs.course.runner import NOTEBOOKS, course_notebooks, environment_variables, resolve_notebooks
from labs.validation import check_int, check_positive

DEFAULT_CELL_TIMEOUT = 120
DEFAULT_TIME_LIMIT = 900
SETUP_TIMEOUT = 120  # for the cells before the first answer: importing TensorFlow can be slow
GRADING_ENV = {"LABS_GRADING": "1", "MPLBACKEND": "agg", "LABS_RESULTS": ""}
CSV_COLUMNS = ("student", "notebook", "exercise", "grade_id", "points", "max_points", "status", "message",
               "seconds")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class ExerciseScore:
    """The score of one exercise in one submission."""

    exercise: Exercise
    points: float
    status: str  # passed, failed, timeout, kernel died, not run, missing
    message: str = ""


@dataclass
class GradedSubmission:
    """One student's notebook for one lab, graded."""

    student: str
    notebook: str
    source: Path
    scores: list[ExerciseScore] = field(default_factory=list)
    seconds: float = 0.0
    flag: str = ""
    executed: NotebookNode | None = None

    @property
    def points(self) -> float:
        """Points scored over all exercises."""
        return sum(s.points for s in self.scores)

    @property
    def max_points(self) -> float:
        """Points available over all exercises."""
        return sum(s.exercise.points for s in self.scores)


@dataclass
class Master:
    """A lab as the grader needs it: the annotated notebook, its stubs and its exercises."""

    stem: str
    nb: NotebookNode
    stubs: dict[str, str]
    exercises: list[Exercise]

    @classmethod
    def load(cls, path: Path) -> Master:
        """Read and annotate the course notebook at ``path``, and release it for its stubs."""
        nb = master_notebook(path)
        released = release_notebook(nb)
        stubs = {c.metadata["nbgrader"]["grade_id"]: c.source for c in released.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
        return cls(path.stem, nb, stubs, exercises(nb))

    def cell(self, cell_grade_id: str) -> NotebookNode:
        """The master's cell with this ``grade_id``."""
        return next(c for c in self.nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == cell_grade_id)


# --- reading a submission -------------------------------------------------------------------


def read_submission(path: Path) -> tuple[NotebookNode | None, str]:
    """The submitted notebook, or None and why it cannot be graded."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, f"cannot read the file ({error.strerror})"
    if not raw.strip():
        return None, "empty file"
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as error:  # JSON, encoding and schema errors of every kind
        return None, f"not a notebook ({type(error).__name__})"
    if not isinstance(nb.get("cells"), list) or not nb.cells:
        return None, "empty notebook (no cells)"
    return nb, ""


def _grade_id_of(cell: NotebookNode) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta.get("grade_id") if isinstance(meta, dict) else None


def find_answer(submission: NotebookNode, master: Master, exercise: Exercise) -> tuple[str | None, str]:
    """The student's source for one answer cell, and a note on how it was found."""
    cells = [c for c in submission.cells if isinstance(c.get("source"), str)]
    copies = [c for c in cells if _grade_id_of(c) == exercise.answer_id]
    if copies:
        edited = [c for c in copies if c.source.strip() != master.stubs[exercise.answer_id].strip()]
        chosen = (edited or copies)[-1]
        note = f"the answer cell appears {len(copies)} times; the last edited one was graded" if len(copies) > 1 else ""
        return chosen.source, note
    # Some editors drop cell metadata: take the code cell just before an unchanged check,
    # unless that cell is one of the course's own.
    check_source = master.cell(exercise.check_id).source.strip()
    course_cells = {c.source.strip() for c in master.nb.cells if not c.metadata.get("nbgrader", {}).get("solution")}
    for before, cell in zip(cells, cells[1:]):
        if (cell.source.strip() == check_source and before.get("cell_type") == "code"
                and not _grade_id_of(before) and before.source.strip() not in course_cells):
            return before.source, "answer cell found by its place before the check (its metadata was lost)"
    return None, f"answer cell {exercise.answer_id} not found in the submission"


def _check_note(submission: NotebookNode, master: Master, exercise: Exercise) -> str:
    found = [c for c in submission.cells if _grade_id_of(c) == exercise.check_id]
    if not found:
        return "the check cell was deleted; the course's check was run"
    if any(c.get("source", "").strip() != master.cell(exercise.check_id).source.strip() for c in found):
        return "the check cell was edited; the course's check was run"
    return ""


# --- running the master with the student's answers ------------------------------------------


class _OutOfTime(Exception):
    """The submission used up its wall-clock limit."""


def _executor_class():
    from nbgrader.preprocessors import Execute

    class GradingExecute(Execute):
        """nbgrader's executor with a wall-clock limit for the whole notebook."""

        def run(self, nb: NotebookNode, workdir: str, deadline: float, cell_timeouts: list[int]) -> None:
            self.deadline, self.cell_timeouts, self.current, self.finished = deadline, cell_timeouts, None, -1
            self.preprocess(nb, {"metadata": {"path": workdir}})

        def preprocess_cell(self, cell, resources, index):
            self.current = index
            remaining = self.deadline - time.monotonic()
            if remaining < 1:
                raise _OutOfTime()
            self.timeout = max(1, int(min(self.cell_timeouts[index], remaining)))
            result = super().preprocess_cell(cell, resources, index)
            self.finished = index
            return result

    return GradingExecute


def _graded_copy(master: Master, answers: dict[str, str]) -> NotebookNode:
    """The master up to its last check, with the student's answers (or the stub) in place."""
    nb = copy.deepcopy(master.nb)
    last = max(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    nb.cells = nb.cells[: last + 1]
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = answers.get(meta["grade_id"], master.stubs[meta["grade_id"]])
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def _problem(cell: NotebookNode) -> str:
    """The first error or stderr text a cell produced, on one line."""
    for out in cell.get("outputs", []):
        if out.output_type == "error":
            text = f"{out.ename}: {_ANSI.sub('', out.evalue)}" if out.evalue else out.ename
            return " ".join(text.split())[:300]
        if out.output_type == "stream" and out.name == "stderr":
            return "wrote to stderr: " + " ".join(out.text.split())[:200]
    return ""


def _timed_out(cell: NotebookNode) -> bool:
    return any(o.output_type == "error" and o.ename == "CellTimeoutError" for o in cell.get("outputs", []))


@dataclass(frozen=True)
class _Stop:
    """Where and why a run ended before its last cell."""

    cell: int
    reason: str
    died: bool = False
    out_of_time: bool = False


def _execute(nb: NotebookNode, deadline: float, cell_timeout: int, time_limit: float) -> tuple[int, _Stop | None]:
    """Run ``nb`` in place in a fresh kernel; return the last cell finished and why it stopped early."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    executor = _executor_class()()
    with tempfile.TemporaryDirectory(prefix="labs-grade-") as workdir:
        try:
            executor.run(nb, workdir, deadline, _cell_timeouts(nb, cell_timeout))
            return executor.finished, None
        except DeadKernelError:
            stop = _Stop(executor.current, f"the kernel died in cell {executor.current}", died=True)
        except _OutOfTime:
            stop = _Stop(executor.current, f"time limit of {time_limit:g} s reached", out_of_time=True)
        except CellTimeoutError:
            stop = _Stop(executor.current, f"cell {executor.current} went on after being interrupted at "
                         f"{cell_timeout} s; grading stopped there", out_of_time=True)
    return executor.finished, stop


def _score(exercise: Exercise, nb: NotebookNode, finished: int, stop: _Stop | None,
           cell_timeout: int) -> ExerciseScore:
    from nbgrader.utils import determine_grade

    index = {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(nb.cells)}
    answer, check = nb.cells[index[exercise.answer_id]], nb.cells[index[exercise.check_id]]
    if index[exercise.check_id] > finished:
        if stop and stop.out_of_time and stop.cell in (index[exercise.answer_id], index[exercise.check_id]):
            return ExerciseScore(exercise, 0.0, "timeout", stop.reason)
        return ExerciseScore(exercise, 0.0, "not run", f"not run: {stop.reason}" if stop else "not run")
    points, _ = determine_grade(check)
    problems = [f"{where}: {text}" for where, cell in (("answer cell", answer), ("check", check))
                if (text := _problem(cell))]
    if _timed_out(answer) or _timed_out(check):
        status = "timeout"
        problems.insert(0, f"ran out of time ({cell_timeout} s a cell; an endless loop?) and was interrupted")
    else:
        status = "passed" if points == exercise.points else "failed"
    return ExerciseScore(exercise, float(points), status, " | ".join(problems))


def _exercise_of(master: Master, nb: NotebookNode, index: int | None) -> Exercise | None:
    if index is None:
        return None
    cell_id = nb.cells[index].metadata.get("nbgrader", {}).get("grade_id")
    return next((e for e in master.exercises if cell_id in (e.answer_id, e.check_id)), None)


def _cell_timeouts(nb: NotebookNode, cell_timeout: int) -> list[int]:
    """Seconds for each cell: the course's cells before the first answer (set-up, imports; no
    student code runs there) get at least ``SETUP_TIMEOUT``."""
    answers = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution")]
    first_answer = answers[0] if answers else len(nb.cells)
    return [max(cell_timeout, SETUP_TIMEOUT) if i < first_answer else cell_timeout for i in range(len(nb.cells))]


def run_answers(master: Master, answers: dict[str, str], *, cell_timeout: int, time_limit: float
                ) -> tuple[list[ExerciseScore], NotebookNode, str]:
    """Run the master with ``answers`` and score every exercise; a dying kernel costs one exercise."""
    deadline = time.monotonic() + time_limit
    killed: dict[int, str] = {}  # exercise number -> the cell of it that killed the kernel
    while True:
        dropped = {e.answer_id for e in master.exercises if e.number in killed}
        nb = _graded_copy(master, {k: v for k, v in answers.items() if k not in dropped})
        finished, stop = _execute(nb, deadline, cell_timeout, time_limit)
        culprit = _exercise_of(master, nb, stop.cell) if stop and stop.died else None
        if culprit is None or culprit.number in killed:
            break
        killed[culprit.number] = "answer" if nb.cells[stop.cell].metadata.nbgrader["solution"] else "check"
    scores = []
    for exercise in master.exercises:
        if exercise.number in killed:
            scores.append(ExerciseScore(exercise, 0.0, "kernel died", (
                f"the kernel died while running the {killed[exercise.number]} cell (os._exit, a crash or "
                "out of memory); the other exercises were graded in a fresh kernel without this answer")))
        else:
            scores.append(_score(exercise, nb, finished, stop, cell_timeout))
    flags = [f"the kernel died in exercise {n}" for n in killed] + ([stop.reason] if stop else [])
    return scores, nb, "; ".join(flags)


def grade_notebook(submission: NotebookNode | None, master: Master, student: str, source: Path, *,
                   note: str = "", cell_timeout: int = DEFAULT_CELL_TIMEOUT,
                   time_limit: float = DEFAULT_TIME_LIMIT) -> GradedSubmission:
    """Grade one submitted notebook against its master; ``note`` says what was odd about the file."""
    start = time.perf_counter()
    result = GradedSubmission(student, master.stem, source, flag=note)
    if submission is None:
        result.scores = [ExerciseScore(e, 0.0, "missing", note) for e in master.exercises]
        return result
    answers, notes = {}, {}
    for exercise in master.exercises:
        answer, how = find_answer(submission, master, exercise)
        if answer is not None:
            answers[exercise.answer_id] = answer
        notes[exercise.number] = [n for n in (how, _check_note(submission, master, exercise)) if n]
    if not answers:
        result.flag = "; ".join(filter(None, [note, "no answer cells found: is this the right lab?"]))
        result.scores = [ExerciseScore(e, 0.0, "missing", result.flag) for e in master.exercises]
        return result
    result.scores, result.executed, flag = run_answers(
        master, answers, cell_timeout=cell_timeout, time_limit=time_limit)
    result.flag = "; ".join(filter(None, [note, flag]))
    for score in result.scores:
        if score.exercise.answer_id not in answers:
            score.status = "missing"
        score.message = " | ".join(filter(None, [score.message, *notes[score.exercise.number]]))
    result.seconds = time.perf_counter() - start
    return result


# --- a folder of submissions ----------------------------------------------------------------


def find_submissions(folder: Path) -> list[tuple[str, list[Path]]]:
    """Students and their files: one sub-folder per student, or one file named after the student."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"SUBMISSIONS_DIR {folder} is not a folder.")
    students = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            files = sorted(p for p in entry.rglob("*.ipynb")
                           if p.is_file() and not any(part.startswith(".") for part in p.relative_to(entry).parts))
            students.append((entry.name, files))
        elif entry.is_file():
            students.append((entry.stem, [entry]))
    return students


def identify_lab(nb: NotebookNode | None, path: Path, stems: Iterable[str]) -> str | None:
    """Which lab a submission is: from its nbgrader ids, else from a lab's name in the file name."""
    stems = sorted(stems, key=len, reverse=True)
    if nb is not None:
        ids = {_grade_id_of(c) or "" for c in nb.cells}
        for stem in stems:
            if any(i.startswith(f"{stem}-") for i in ids):
                return stem
    return next((s for s in stems if s in path.name), None)


def _tasks(students: list[tuple[str, list[Path]]], masters: dict[str, Master], only: str | None) -> list[tuple]:
    """(student, lab stem or None, path, notebook or None, note) for each grading job."""
    tasks = []
    for student, files in students:
        if not files:
            tasks.append((student, only, None, None, "no notebook submitted"))
            continue
        chosen: dict[str | None, list] = {}
        for path in files:
            nb, problem = read_submission(path)
            lab = only or identify_lab(nb, path, masters)
            chosen.setdefault(lab, []).append((path, nb, problem))
        for lab, found in chosen.items():
            found.sort(key=lambda item: item[0].stat().st_mtime)
            path, nb, problem = found[-1]
            if lab is None and not problem:
                problem = "cannot tell which lab this notebook is"
            if len(found) > 1:
                problem = "; ".join(filter(None, [problem, f"{len(found)} files for this lab; graded the newest, "
                                                            f"{path.name}"]))
            tasks.append((student, lab, path, nb, problem))
    return tasks


def grade_submissions(
    folder: str | Path,
    *,
    notebook: str | None = None,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    time_limit: float = DEFAULT_TIME_LIMIT,
    jobs: int = 1,
    masters_folder: Path = NOTEBOOKS,
) -> list[GradedSubmission]:
    """Grade every submission in ``folder``; ``notebook`` (e.g. ``01``) fixes the lab for all."""
    cell_timeout = check_int("cell_timeout", cell_timeout, minimum=1)
    time_limit = check_positive("time_limit", time_limit)
    jobs = check_int("jobs", jobs, minimum=1)
    paths = resolve_notebooks([notebook], masters_folder) if notebook else course_notebooks(masters_folder)
    masters = {p.stem: Master.load(p) for p in paths}
    only = paths[0].stem if notebook else None
    tasks = _tasks(find_submissions(Path(folder)), masters, only)

    def grade(task) -> GradedSubmission:
        student, lab, path, nb, note = task
        source = path or Path(folder) / student
        if lab is None:
            return GradedSubmission(student, "", source, flag=note)
        try:
            return grade_notebook(nb, masters[lab], student, source, note=note,
                                  cell_timeout=cell_timeout, time_limit=time_limit)
        except Exception as error:  # one broken submission must never stop the others
            flag = f"grading failed: {type(error).__name__}: {error}"
            return grade_notebook(None, masters[lab], student, source, note=flag)

    with environment_variables(**GRADING_ENV), ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(grade, tasks))


def csv_rows(results: list[GradedSubmission]) -> list[dict[str, object]]:
    """One row per student and exercise, then a ``total`` row per submission."""
    rows: list[dict[str, object]] = []
    for result in results:
        for score in result.scores:
            rows.append({"student": result.student, "notebook": result.notebook,
                         "exercise": score.exercise.number, "grade_id": score.exercise.check_id,
                         "points": f"{score.points:g}", "max_points": f"{score.exercise.points:g}",
                         "status": score.status, "message": score.message, "seconds": ""})
        rows.append({"student": result.student, "notebook": result.notebook, "exercise": "total",
                     "grade_id": "", "points": f"{result.points:g}", "max_points": f"{result.max_points:g}",
                     "status": "flagged" if result.flag else "graded", "message": result.flag,
                     "seconds": f"{result.seconds:.1f}"})
    return rows


def write_csv(results: list[GradedSubmission], path: str | Path) -> Path:
    """Write the grades as CSV (columns :data:`CSV_COLUMNS`) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(csv_rows(results))
    return path
