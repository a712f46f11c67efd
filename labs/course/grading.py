"""Grade a folder of submitted notebooks, trusting nothing in them but the answer cells as data.

**How a grade is made.** For each submission the grader takes the student's answer cells
(matched by nbgrader ``grade_id``) into the course's own copy of the notebook (the *master*)
and runs it in a fresh kernel inside a sandbox (:mod:`labs.course.sandbox`: bubblewrap by
default). After each exercise's public self-check, the master's *hidden test* runs the
student's answer on inputs drawn afresh for this grading run (a secret seed) and records the
raw results (:mod:`labs.probes`). The same hidden tests run once per lab and grading run on
the master's own solutions, in a clean sandboxed kernel with the same seed. The *referee*
(:mod:`labs.course.referee`), in the grader's process, which never runs student code, compares
the two records with the tolerance the master set: that comparison is the grade. The public
check's message is kept as feedback. An answer that uses one of the exercise's *twins* (a
function that would answer it, listed in the hidden test) scores 0 with a message saying so.
A static read of each answer flags reaches into the grading machinery for the instructor.

**Threat model.** The grader promises: a submission is data — its answer cells are run only
inside a sandboxed kernel, never in the grader's process; everything else in the file (checks,
extra cells, metadata, outputs) is ignored; a verdict is made outside the kernel from values a
correct answer must produce on inputs nobody knew in advance, so rebinding the checks,
patching NumPy, silencing cells with IPython hooks, forging records or hard-coding the public
cases gains no point; a kernel sees no network, no course checkout (masters, solutions,
hidden tests on disk), no other submission and none of the grader's files, cannot write
outside its own fresh folder, runs with an allow-listed environment, and is stopped with every
process it started at the end of its grading, or earlier when it passes its memory, process,
output or time limits; a submission cannot change another one's grade. It does not promise:
that an answer copied from a classmate, or from the source of a ``labs`` lesson function a later
lab needs, is caught by grading (the static read catches calls to those functions, not copies of
their code; ``python -m labs similarity``, or ``grade --similarity``, flags near-identical answers
across students for a person to read, and changes no points); that a kernel cannot read the hidden test's source while that cell runs (it holds no
expected value); that limits hold against a kernel exploit (bubblewrap relies on Linux
namespaces; the process count is enforced by a watchdog, not by cgroups — Docker or Podman
enforce both with cgroups); or anything at all with ``--sandbox none``, which the CSV marks
on every row.

A cell gets ``cell_timeout`` seconds and each run of a submission ``time_limit``; an endless
loop is interrupted and the notebook goes on, and when a student's cell kills the kernel that
exercise scores 0 and the notebook is graded again without it, with a time budget of its own;
exercises already graded keep their points. ``LABS_GRADING=1`` makes the labs use their fast
profile. Layout: ``SUBMISSIONS_DIR/<student>/<any name>.ipynb`` (one folder per student) or
``SUBMISSIONS_DIR/<student>.ipynb``. Which lab a file is comes from its nbgrader ids, else from
a lab's name inside the file name (Colab's "Copy of 01_perceptron.ipynb" works).

**Languages.** A submission made from the Chinese edition (``notebooks/zh/``, whose metadata
``labs.language`` is ``"zh"``; a copy keeps it) is graded against the same English master and grade
ids, with ``LABS_LANG=zh`` in its kernel: its public checks, the referee's verdicts and its feedback
page speak Chinese, and the CSV's ``language`` column says ``zh``. Any other submission is graded in
the instructor's language (``LABS_LANG``, which also reaches every kernel; English by default).
"""

from __future__ import annotations

import copy
import csv
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from labs.course.assignments import Exercise, check_parts, exercises, master_notebook, release_notebook
from labs.course.referee import _, judge_exercise, read_answer, split_check, twins_of, verdicts_in
from labs.course.runner import NOTEBOOKS, course_notebooks, resolve_notebooks
from labs.course.sandbox import INSIDE_HOME, Limits, Sandbox
from labs.i18n import N_, VARIABLE, language
from labs.validation import check_int, check_positive

DEFAULT_CELL_TIMEOUT = 120
DEFAULT_TIME_LIMIT = 900
DEFAULT_OUTPUT_LIMIT = 1_000_000  # characters of stream output kept per cell
SETUP_TIMEOUT = 120  # for the cells before the first answer: importing TensorFlow can be slow
GRADING_ENV = {"LABS_GRADING": "1", "MPLBACKEND": "agg", "LABS_RESULTS": "", "TF_FORCE_GPU_ALLOW_GROWTH": "true"}
CSV_COLUMNS = ("student", "notebook", "exercise", "grade_id", "points", "max_points", "status", "message",
               "seconds", "sandbox", "language")
HIDDEN_CELL = "labs-hidden-test"  # metadata key of the cells the grader adds for hidden tests
# The beginnings of a score's message that the feedback page sorts by (see labs.course.feedback).
ANSWER_CELL = N_("answer cell: {problem}")
CHECK = N_("check: {problem}")
PUBLIC_ONLY = N_("graded by the public check alone (this exercise has no hidden test)")
USES_TWIN = N_("the answer uses {twins}, which already does what this exercise asks: write it yourself")
FOR_REVIEW = N_("for review: {what}")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ExerciseScore:
    """The score of one exercise in one submission."""

    exercise: Exercise
    points: float
    status: str  # passed, partial (some of its parts), failed, timeout, kernel died, not run, missing
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
    executed: Path | None = None  # the executed notebook, when grading was asked to keep it
    sandbox: str = ""
    language: str = "en"  # the edition the submission was made from; its messages are in that language

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
    """A lab as the grader needs it: the annotated notebook, its stubs, solutions and hidden tests."""

    stem: str
    nb: NotebookNode
    stubs: dict[str, str]
    exercises: list[Exercise]
    solutions: dict[str, str] = field(default_factory=dict)
    hidden: dict[int, str] = field(default_factory=dict)  # exercise number -> hidden test source
    twins: dict[int, list[str]] = field(default_factory=dict)
    parts: dict[int, dict[str, float]] = field(default_factory=dict)  # exercise number -> part -> points

    @classmethod
    def load(cls, path: Path) -> Master:
        """Read and annotate the course notebook at ``path``, and release it for its stubs."""
        nb = master_notebook(path)
        released = release_notebook(nb)
        stubs = {c.metadata["nbgrader"]["grade_id"]: c.source for c in released.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
        master = cls(path.stem, nb, stubs, exercises(nb))
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                master.solutions[cell.metadata["nbgrader"]["grade_id"]] = cell.source
        for exercise in master.exercises:
            public, hidden = split_check(master.cell(exercise.check_id).source)
            if check_parts(public):
                master.parts[exercise.number] = check_parts(public)
            if hidden:
                master.hidden[exercise.number] = hidden
                master.twins[exercise.number] = twins_of(hidden)
        return master

    def cell(self, cell_grade_id: str) -> NotebookNode:
        """The master's cell with this ``grade_id``."""
        return next(c for c in self.nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == cell_grade_id)


# --- reading a submission -------------------------------------------------------------------


def read_submission(path: Path) -> tuple[NotebookNode | None, str]:
    """The submitted notebook, or None and why it cannot be graded."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, _("cannot read the file ({error})").format(error=error.strerror)
    if not raw.strip():
        return None, _("empty file")
    try:
        nb = nbformat.reads(raw.decode("utf-8-sig"), as_version=4)  # -sig: editors that write a BOM
    except Exception as error:  # JSON, encoding and schema errors of every kind
        return None, _("not a notebook ({error})").format(error=type(error).__name__)
    if not isinstance(nb.get("cells"), list) or not nb.cells:
        return None, _("empty notebook (no cells)")
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
        note = (_("the answer cell appears {times} times; the last edited one was graded").format(times=len(copies))
                if len(copies) > 1 else "")
        return chosen.source, note
    # Some editors drop cell metadata: take the code cell just before an unchanged check,
    # unless that cell is one of the course's own.
    check_source = master.cell(exercise.check_id).source.strip()
    public_source = split_check(check_source)[0].strip()
    course_cells = {c.source.strip() for c in master.nb.cells if not c.metadata.get("nbgrader", {}).get("solution")}
    for before, cell in zip(cells, cells[1:]):
        if (cell.source.strip() in (check_source, public_source) and before.get("cell_type") == "code"
                and not _grade_id_of(before) and before.source.strip() not in course_cells):
            return before.source, _("answer cell found by its place before the check (its metadata was lost)")
    return None, _("answer cell {grade_id} not found in the submission").format(grade_id=exercise.answer_id)


def _check_note(submission: NotebookNode, master: Master, exercise: Exercise) -> str:
    found = [c for c in submission.cells if _grade_id_of(c) == exercise.check_id]
    if not found:
        return _("the check cell was deleted; the course's check was run")
    released = split_check(master.cell(exercise.check_id).source)[0].strip()
    if any(c.get("source", "").strip() not in (released, master.cell(exercise.check_id).source.strip())
           for c in found):
        return _("the check cell was edited; the course's check was run")
    return ""


# --- running the master with the student's answers ------------------------------------------


class _OutOfTime(Exception):
    """The submission used up its wall-clock limit."""


def _executor_class():
    from nbgrader.preprocessors import Execute

    class GradingExecute(Execute):
        """nbgrader's executor with a wall-clock limit for the whole notebook and capped output."""

        def run(self, nb: NotebookNode, workdir: str, deadline: float, cell_timeouts: list[int],
                output_limit: int) -> None:
            self.deadline, self.cell_timeouts, self.current, self.finished = deadline, cell_timeouts, None, -1
            self.output_limit, self.output_used = output_limit, {}
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

        def output(self, outs, msg, display_id, cell_index):
            size = len(str(msg.get("content", "")))
            used = self.output_used.get(cell_index, 0)
            self.output_used[cell_index] = used + size
            if used + size > self.output_limit:
                if used <= self.output_limit:
                    outs.append(nbformat.v4.new_output(
                        "stream", name="stdout",
                        text="\n" + _("[output cut: more than {limit:,} characters in this cell]").format(
                            limit=self.output_limit) + "\n"))
                return None
            return super().output(outs, msg, display_id, cell_index)

    return GradingExecute


def _hidden_cell(number: int, hidden: str) -> NotebookNode:
    """The cell that runs exercise ``number``'s hidden test, its records filed under that number."""
    source = ("import os as _labs_os\n"
              f"_labs_os.environ['LABS_PROBE_EXERCISE'] = '{number}'\n"
              "del _labs_os\n" + hidden)
    cell = nbformat.v4.new_code_cell(source, id=f"hidden-{number}")
    cell.metadata[HIDDEN_CELL] = number
    return cell


def _graded_copy(master: Master, answers: dict[str, str]) -> NotebookNode:
    """The master up to its last check, with the answers (or the stub) in place and each hidden
    test in a cell of its own right after its public check."""
    nb = copy.deepcopy(master.nb)
    last = max(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    by_check = {e.check_id: e.number for e in master.exercises}
    cells = []
    for cell in nb.cells[: last + 1]:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = answers.get(meta["grade_id"], master.stubs[meta["grade_id"]])
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
        number = by_check.get(meta.get("grade_id"))
        if number in master.hidden:
            cell.source = split_check(cell.source)[0]
            cells.append(_hidden_cell(number, master.hidden[number]))
    nb.cells = cells
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


@dataclass
class Settings:
    """How one grading run treats every submission."""

    cell_timeout: int = DEFAULT_CELL_TIMEOUT
    time_limit: float = DEFAULT_TIME_LIMIT
    sandbox: Sandbox = field(default_factory=Sandbox)
    seed: int = 0
    env: dict[str, str] = field(default_factory=dict)
    output_limit: int = DEFAULT_OUTPUT_LIMIT
    executed_dir: Path | None = None
    lang: str = ""  # the instructor's language (LABS_LANG); "" leaves the kernels' environment as it is


def _execute(nb: NotebookNode, settings: Settings, probes: Path, lang: str | None = None) -> tuple[int, _Stop | None]:
    """Run ``nb`` in place in a fresh sandboxed kernel whose records go to ``probes``; return the
    last cell finished and why it stopped early. ``lang`` (else the instructor's, if set) is the
    kernel's ``LABS_LANG``: the language its public checks speak."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from labs.course.sandbox import kernel_manager_class

    deadline = time.monotonic() + settings.time_limit
    workdir = Path(tempfile.mkdtemp(prefix="labs-grade-"))
    inside = f"{INSIDE_HOME}/.probes" if settings.sandbox.kind != "none" else str(workdir / ".probes")
    env = {**GRADING_ENV, **settings.env, "LABS_PROBE_DIR": inside, "LABS_PROBE_SEED": str(settings.seed)}
    if lang or settings.lang:
        env["LABS_LANG"] = lang or settings.lang
    manager = kernel_manager_class(settings.sandbox, workdir, env)
    executor = _executor_class()(kernel_manager_class=manager)
    stop = None
    try:
        executor.run(nb, str(workdir), deadline, _cell_timeouts(nb, settings.cell_timeout), settings.output_limit)
    except DeadKernelError:
        reason = manager.last_watchdog_reason() or _("os._exit, a crash or out of memory")
        stop = _Stop(executor.current, _("the kernel died in cell {cell} ({reason})").format(
            cell=executor.current, reason=reason), died=True)
    except _OutOfTime:
        stop = _Stop(executor.current, _("time limit of {seconds:g} s reached").format(seconds=settings.time_limit),
                     out_of_time=True)
    except CellTimeoutError:
        stop = _Stop(executor.current, _("cell {cell} went on after being interrupted at {seconds} s; grading "
                                         "stopped there").format(cell=executor.current, seconds=settings.cell_timeout),
                     out_of_time=True)
    finally:
        source = workdir / ".probes"
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, probes, symlinks=True, dirs_exist_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)
    return executor.finished, stop


def _cell_timeouts(nb: NotebookNode, cell_timeout: int) -> list[int]:
    """Seconds for each cell: the course's cells before the first answer (set-up, imports; no
    student code runs there) get at least ``SETUP_TIMEOUT``."""
    answers = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution")]
    first_answer = answers[0] if answers else len(nb.cells)
    return [max(cell_timeout, SETUP_TIMEOUT) if i < first_answer else cell_timeout for i in range(len(nb.cells))]


class Reference:
    """The master's own records for one lab and grading run: made once, in a clean kernel."""

    def __init__(self, master: Master, settings: Settings):
        self.master, self.settings = master, settings
        self.folder: Path | None = None
        self._lock = threading.Lock()

    def records(self) -> Path:
        """The folder of the master's records (one sub-folder per exercise), made on first use."""
        with self._lock:
            if self.folder is None:
                folder = Path(tempfile.mkdtemp(prefix=f"labs-reference-{self.master.stem}-"))
                nb = _graded_copy(self.master, self.master.solutions)
                settings = copy.copy(self.settings)
                settings.time_limit = max(settings.time_limit, 1800)
                settings.cell_timeout = max(settings.cell_timeout, 600)
                finished, stop = _execute(nb, settings, folder)
                problems = [_("cell {cell}").format(cell=i) + f": {text}" for i, c in enumerate(nb.cells)
                            if (text := _problem(c)) and c.metadata.get(HIDDEN_CELL)]
                missing = [n for n in self.master.hidden if not (folder / str(n)).is_dir()]
                if stop or problems or missing:
                    nothing = (_("nothing recorded for exercise {numbers}").format(numbers=", ".join(map(str, missing)))
                               if missing else "")
                    raise RuntimeError(_(
                        "{lab}: the master's own solutions did not run cleanly through the hidden tests "
                        "({problems})").format(lab=self.master.stem, problems="; ".join(
                            filter(None, [stop.reason if stop else "", *problems, nothing]))))
                self.folder = folder
            return self.folder


@dataclass
class _Run:
    nb: NotebookNode
    finished: int
    stop: _Stop | None
    probes: Path


def _score(exercise: Exercise, master: Master, run: _Run, reference: Reference, cell_timeout: int,
           twins: list[str]) -> ExerciseScore:
    from nbgrader.utils import determine_grade

    nb, stop = run.nb, run.stop
    index = {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(nb.cells)}
    hidden_index = next((i for i, c in enumerate(nb.cells) if c.metadata.get(HIDDEN_CELL) == exercise.number), None)
    answer, check = nb.cells[index[exercise.answer_id]], nb.cells[index[exercise.check_id]]
    last = hidden_index if hidden_index is not None else index[exercise.check_id]
    if last > run.finished:
        if stop and stop.out_of_time and stop.cell in (index[exercise.answer_id], index[exercise.check_id], last):
            return ExerciseScore(exercise, 0.0, "timeout", stop.reason)
        return ExerciseScore(exercise, 0.0, "not run",
                             _("not run: {reason}").format(reason=stop.reason) if stop else _("not run"))
    public_points, _max_points = determine_grade(check)
    problems = [where.format(problem=text) for where, cell in ((_(ANSWER_CELL), answer), (_(CHECK), check))
                if (text := _problem(cell))]
    timed_out = _timed_out(answer) or _timed_out(check)
    if timed_out:
        problems.insert(0, _("ran out of time ({seconds} s a cell; an endless loop?) and was interrupted").format(
            seconds=cell_timeout))
    if exercise.number in master.hidden:
        if hidden_index is not None and _timed_out(nb.cells[hidden_index]):
            problems.append(_("the hidden tests ran out of time (an endless loop on other inputs?)"))
        verdict = judge_exercise(reference.records() / str(exercise.number), run.probes / str(exercise.number),
                                 master.parts.get(exercise.number))
        problems.append(verdict.message)
        passed, share = verdict.passed, verdict.share
    else:
        passed = public_points == exercise.points
        share = 1.0 if passed else 0.0
        problems.append(_(PUBLIC_ONLY))
    if twins:
        passed, share = False, 0.0
        problems.insert(0, _(USES_TWIN).format(twins=", ".join(twins)))
    status = "timeout" if timed_out and not passed else ("passed" if passed else "partial" if share > 0 else "failed")
    return ExerciseScore(exercise, exercise.points if passed else round(exercise.points * share, 6), status,
                         " | ".join(problems))


def _exercise_of(master: Master, nb: NotebookNode, index: int | None) -> Exercise | None:
    if index is None:
        return None
    cell = nb.cells[index]
    number = cell.metadata.get(HIDDEN_CELL)
    cell_id = cell.metadata.get("nbgrader", {}).get("grade_id")
    return next((e for e in master.exercises if cell_id in (e.answer_id, e.check_id) or e.number == number), None)


def run_answers(master: Master, answers: dict[str, str], settings: Settings, reference: Reference,
                twins: dict[int, list[str]] | None = None,
                lang: str | None = None) -> tuple[list[ExerciseScore], NotebookNode, str]:
    """Run the master with ``answers`` and score every exercise; a dying kernel costs one exercise.

    Each run after a kernel's death gets a time budget of its own, and an exercise is scored
    from the last run that reached it, so points earned before the death are kept.
    """
    killed: dict[int, tuple[str, str]] = {}  # exercise number -> (the cell of it that killed the kernel, why)
    runs: list[_Run] = []
    scratch = Path(tempfile.mkdtemp(prefix="labs-records-"))
    try:
        while True:
            dropped = {e.answer_id for e in master.exercises if e.number in killed}
            nb = _graded_copy(master, {k: v for k, v in answers.items() if k not in dropped})
            probes = scratch / str(len(runs))
            finished, stop = _execute(nb, settings, probes, lang)
            runs.append(_Run(nb, finished, stop, probes))
            culprit = _exercise_of(master, nb, stop.cell) if stop and stop.died else None
            if culprit is None or culprit.number in killed:
                break
            cell = nb.cells[stop.cell]
            kind = (N_("answer") if cell.metadata.get("nbgrader", {}).get("solution")
                    else N_("hidden test") if cell.metadata.get(HIDDEN_CELL) else N_("check"))
            killed[culprit.number] = (kind, stop.reason.partition(" (")[2].rstrip(")"))
        scores = []
        for exercise in master.exercises:
            if exercise.number in killed:
                kind, why = killed[exercise.number]
                scores.append(ExerciseScore(exercise, 0.0, "kernel died", _(
                    "the kernel died while running the {kind} cell ({why}); the other exercises were graded in "
                    "a fresh kernel without this answer").format(kind=_(kind), why=why)))
                continue
            reached = [r for r in runs if _reached(r, exercise)]
            run = reached[-1] if reached else runs[-1]
            scores.append(_score(exercise, master, run, reference, settings.cell_timeout,
                                 (twins or {}).get(exercise.number, [])))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    flags = [_("the kernel died in exercise {number} ({why})").format(number=n, why=why)
             for n, (_kind, why) in killed.items()]
    if runs[-1].stop:
        flags.append(runs[-1].stop.reason)
    return scores, runs[-1].nb, "; ".join(dict.fromkeys(flags))


def _reached(run: _Run, exercise: Exercise) -> bool:
    last = max((i for i, c in enumerate(run.nb.cells)
                if c.metadata.get(HIDDEN_CELL) == exercise.number
                or c.metadata.get("nbgrader", {}).get("grade_id") == exercise.check_id), default=10**9)
    return last <= run.finished


def submission_language(submission: NotebookNode | None, settings: Settings | None = None) -> str:
    """The language a submission is graded in: its edition's (``labs.language`` in its metadata, see
    :func:`labs.course.translation.edition_language`), else the instructor's (``LABS_LANG``)."""
    from labs.course.translation import edition_language
    from labs.i18n import check_language

    found = edition_language(submission) if submission is not None else "en"
    if found != "en":
        return found
    return check_language(settings.lang) if settings is not None and settings.lang else language()


def grade_notebook(submission: NotebookNode | None, master: Master, student: str, source: Path, *,
                   note: str = "", settings: Settings | None = None,
                   reference: Reference | None = None) -> GradedSubmission:
    """Grade one submitted notebook against its master; ``note`` says what was odd about the file.

    A submission made from the Chinese edition is graded against the same (English) master, with
    ``LABS_LANG=zh`` in its kernel, so its checks, verdicts and feedback speak Chinese."""
    settings = settings or Settings()
    lang = submission_language(submission, settings)
    with verdicts_in(lang):
        result = _grade_notebook(submission, master, student, source, note, settings,
                                 reference or Reference(master, settings), lang)
    result.language = lang
    return result


def _grade_notebook(submission: NotebookNode | None, master: Master, student: str, source: Path, note: str,
                    settings: Settings, reference: Reference, lang: str) -> GradedSubmission:
    start = time.perf_counter()
    result = GradedSubmission(student, master.stem, source, flag=note, sandbox=_sandbox_label(settings))
    if submission is None:
        result.scores = [ExerciseScore(e, 0.0, "missing", note) for e in master.exercises]
        return result
    answers, notes, twins, flags = {}, {}, {}, {}
    for exercise in master.exercises:
        answer, how = find_answer(submission, master, exercise)
        if answer is not None:
            answers[exercise.answer_id] = answer
            reading = read_answer(answer, master.twins.get(exercise.number))
            twins[exercise.number], flags[exercise.number] = reading.twins, reading.flags
        notes[exercise.number] = [n for n in (how, _check_note(submission, master, exercise)) if n]
    if not answers:
        result.flag = "; ".join(filter(None, [note, _("no answer cells found: is this the right lab?")]))
        result.scores = [ExerciseScore(e, 0.0, "missing", result.flag) for e in master.exercises]
        return result
    result.scores, executed, flag = run_answers(master, answers, settings, reference, twins, lang)
    tampering = [_("exercise {number}: {flags}").format(number=n, flags=", ".join(f))
                 for n, f in flags.items() if f]
    review = [_(FOR_REVIEW).format(what="; ".join(tampering))] if tampering else []
    result.flag = "; ".join(filter(None, [note, flag, *review]))
    for score in result.scores:
        if score.exercise.answer_id not in answers:
            score.status = "missing"
        review = flags.get(score.exercise.number)
        extra = [_(FOR_REVIEW).format(what=_("the answer {flags}").format(flags=", ".join(review)))] if review else []
        score.message = " | ".join(filter(None, [score.message, *notes[score.exercise.number], *extra]))
    if settings.executed_dir is not None:
        target = Path(settings.executed_dir) / _safe(student) / f"{master.stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(executed, target)
        result.executed = target
    result.seconds = time.perf_counter() - start
    return result


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "_"


def _sandbox_label(settings: Settings) -> str:
    return "none (unsandboxed)" if settings.sandbox.kind == "none" else settings.sandbox.kind


# --- a folder of submissions ----------------------------------------------------------------


def find_submissions(folder: Path) -> list[tuple[str, list[Path]]]:
    """Students and their files: one sub-folder per student, or one file named after the student."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(_("SUBMISSIONS_DIR {folder} is not a folder.").format(folder=folder))
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


def _tasks(students: list[tuple[str, list[Path]]], masters: dict[str, Master], only: str | None,
           all_stems: Iterable[str]) -> list[tuple]:
    """(student, lab stem or None, path, notebook or None, note) for each grading job."""
    tasks = []
    for student, files in students:
        if not files:
            tasks.append((student, only, None, None, _("no notebook submitted")))
            continue
        chosen: dict[str | None, list] = {}
        for path in files:
            nb, problem = read_submission(path)
            lab = identify_lab(nb, path, all_stems)
            if only is not None:
                if lab not in (only, None):
                    continue  # another lab's notebook in the student's folder
                lab = only
            chosen.setdefault(lab, []).append((path, nb, problem))
        if only is not None and not chosen:
            tasks.append((student, only, None, None, _("no notebook of {lab} submitted").format(lab=only)))
            continue
        for lab, found in chosen.items():
            found.sort(key=lambda item: (identify_lab(item[1], item[0], all_stems) == lab, item[0].stat().st_mtime))
            path, nb, problem = found[-1]
            if lab is None and not problem:
                problem = _("cannot tell which lab this notebook is")
            if len(found) > 1:
                problem = "; ".join(filter(None, [problem, _("{files} files for this lab; graded the newest, {name}").format(
                    files=len(found), name=path.name)]))
            tasks.append((student, lab, path, nb, problem))
    return tasks


def grade_task(task: tuple, folder: Path, masters: dict[str, Master], settings: Settings,
               references: dict[str, Reference]) -> GradedSubmission:
    """Grade one task of :func:`_tasks` (a module-level function, so that Dask workers can run it)."""
    student, lab, path, nb, note = task
    source = path or Path(folder) / student
    if lab is None:
        return GradedSubmission(student, "", source, flag=note, sandbox=_sandbox_label(settings))
    try:
        return grade_notebook(nb, masters[lab], student, source, note=note, settings=settings,
                              reference=references[lab])
    except Exception as error:  # one broken submission must never stop the others
        flag = _("grading failed: {error}").format(error=f"{type(error).__name__}: {error}")
        return grade_notebook(None, masters[lab], student, source, note=flag, settings=settings)


def grading_environment(jobs: int) -> dict[str, str]:
    """What every grading kernel is told: the data to use (never a download) and its threads."""
    from labs import data
    from labs.environment import cpu_cores

    local = data.data_dir() / data.MNIST_FILENAME
    verified = local.is_file() and data.file_sha256(local) == data.MNIST_SHA256
    if not verified:
        data.load_mnist_sample()  # make the sample's cache once, here, so kernels only read it
    threads = str(max(1, cpu_cores() // jobs))
    return {"LABS_DATA": "full" if verified else "sample", "OMP_NUM_THREADS": threads,
            "TF_NUM_INTRAOP_THREADS": threads, "TF_NUM_INTEROP_THREADS": "1" if jobs > 1 else "2",
            "LABS_DOWNLOAD_TIMEOUT": "1"}


def grade_submissions(
    folder: str | Path,
    *,
    notebook: str | None = None,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    time_limit: float = DEFAULT_TIME_LIMIT,
    jobs: int = 1,
    masters_folder: Path = NOTEBOOKS,
    sandbox: str | Sandbox = "bwrap",
    memory: int | None = None,
    seed: int | None = None,
    executed_dir: str | Path | None = None,
    dask: str | None = None,
) -> list[GradedSubmission]:
    """Grade every submission in ``folder``; ``notebook`` (e.g. ``01``) fixes the lab for all.

    ``sandbox`` is ``bwrap`` (default), ``docker``, ``podman`` or ``none``; ``memory`` the bytes a
    kernel may use; ``seed`` the hidden tests' seed (default: drawn afresh); ``executed_dir`` a
    folder that keeps every executed notebook; ``dask`` the address of a Dask scheduler whose
    workers grade the submissions (:mod:`labs.course.distributed`) instead of ``jobs`` threads here.
    """
    cell_timeout = check_int("cell_timeout", cell_timeout, minimum=1)
    time_limit = check_positive("time_limit", time_limit)
    jobs = check_int("jobs", jobs, minimum=1)
    if not isinstance(sandbox, Sandbox):
        sandbox = Sandbox(sandbox, Limits(memory=check_int("memory", memory, minimum=2**28))
                          if memory is not None else Limits())
    if dask is None:  # on a cluster, the workers run every kernel and check their own sandbox
        sandbox.check_available()
    paths = resolve_notebooks([notebook], masters_folder) if notebook else course_notebooks(masters_folder)
    masters = {p.stem: Master.load(p) for p in paths}
    all_stems = [p.stem for p in course_notebooks(masters_folder)] or list(masters)
    only = paths[0].stem if notebook else None
    tasks = _tasks(find_submissions(Path(folder)), masters, only, all_stems)
    settings = Settings(cell_timeout, time_limit, sandbox, secrets.randbits(31) if seed is None else int(seed),
                        grading_environment(jobs), executed_dir=Path(executed_dir) if executed_dir else None,
                        lang=language() if os.environ.get(VARIABLE, "").strip() else "")
    references = {stem: Reference(master, settings) for stem, master in masters.items()}
    if dask is not None:  # the same tasks, graded on the workers of a Dask cluster
        from labs.course.distributed import grade_on_cluster

        return grade_on_cluster(dask, tasks, Path(folder), masters, settings)

    def grade(task) -> GradedSubmission:
        return grade_task(task, Path(folder), masters, settings, references)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # The masters' own records first, once per lab of this run (an error there is the course's, not a
        # student's, and stops the run); the submissions' seconds then count their own grading alone.
        needed = sorted({task[1] for task in tasks if task[1] is not None and task[3] is not None})
        list(pool.map(lambda stem: references[stem].records(), needed))
        return list(pool.map(grade, tasks))


def csv_rows(results: list[GradedSubmission]) -> list[dict[str, object]]:
    """One row per student and exercise, then a ``total`` row per submission."""
    rows: list[dict[str, object]] = []
    for result in results:
        for score in result.scores:
            rows.append({"student": result.student, "notebook": result.notebook,
                         "exercise": score.exercise.number, "grade_id": score.exercise.check_id,
                         "points": f"{score.points:g}", "max_points": f"{score.exercise.points:g}",
                         "status": score.status, "message": score.message, "seconds": "",
                         "sandbox": result.sandbox, "language": result.language})
        rows.append({"student": result.student, "notebook": result.notebook, "exercise": "total",
                     "grade_id": "", "points": f"{result.points:g}", "max_points": f"{result.max_points:g}",
                     "status": "flagged" if result.flag else "graded", "message": result.flag,
                     "seconds": f"{result.seconds:.1f}", "sandbox": result.sandbox,
                     "language": result.language})
    return rows


def spreadsheet_safe(value: object) -> object:
    """A CSV cell a spreadsheet will not run as a formula (a leading ``=``, ``+``, ``-``, ``@`` …)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(results: list[GradedSubmission], path: str | Path) -> Path:
    """Write the grades as CSV (columns :data:`CSV_COLUMNS`) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in csv_rows(results))
    return path
