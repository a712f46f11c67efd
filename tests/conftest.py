"""Shared fixtures: offline data, the fast profile, and notebooks executed once per session."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
from filelock import FileLock

from labs.course.runner import NOTEBOOKS, NotebookRun, course_notebooks, execute_notebook

# The tests never download: the sample stands in for MNIST, and runs use the fast profile.
os.environ["LABS_DATA"] = "sample"
os.environ.setdefault("LABS_PROFILE", "fast")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

_EXECUTED: dict[str, NotebookRun] = {}


def run_notebook(stem: str, out_dir: Path, *, profile: str = "fast", edition: str = "en") -> NotebookRun:
    """Execute ``notebooks/<stem>.ipynb`` (``edition="zh"``: ``notebooks/zh/<stem>.ipynb``) headless
    (fast profile, offline sample)."""
    path = NOTEBOOKS / f"{stem}.ipynb" if edition == "en" else NOTEBOOKS / edition / f"{stem}.ipynb"
    return execute_notebook(path, profile=profile, out_dir=out_dir, timeout=600, html=False,
                            extra_env={"LABS_DATA": "sample"})


def _shared_root(tmp_path_factory) -> Path:
    """A folder all test processes of this session share (pytest-xdist runs several)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _execute_once(stem: str, root: Path, edition: str = "en") -> NotebookRun:
    """Execute a notebook once per session, whichever test process asks first; the others wait
    for it and read its outputs."""
    folder = root / "executed" / (stem if edition == "en" else f"{edition}-{stem}")
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / "run.json"
    with FileLock(str(folder) + ".lock"):
        if not record.exists():
            run = run_notebook(stem, folder, edition=edition)
            fields = {k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(run).items()}
            record.write_text(json.dumps(fields), encoding="utf-8")
    fields = json.loads(record.read_text(encoding="utf-8"))
    paths = {"notebook", "executed", "html", "results"}
    return NotebookRun(**{k: (Path(v) if k in paths and v else v) for k, v in fields.items()})


@pytest.fixture(scope="session")
def executed(tmp_path_factory):
    """Return a function ``stem -> (run, results)`` that executes each notebook at most once."""
    root = _shared_root(tmp_path_factory)

    def get(stem: str) -> tuple[NotebookRun, dict]:
        if stem not in _EXECUTED:
            _EXECUTED[stem] = _execute_once(stem, root)
        run = _EXECUTED[stem]
        assert run.status == "ok", f"{stem} failed at {run.error}"
        results = json.loads(run.results.read_text()) if run.results else {}
        return run, results

    return get


@pytest.fixture(scope="session")
def executed_zh(tmp_path_factory):
    """Like ``executed``, for the Chinese edition (``notebooks/zh/<stem>.ipynb``): each once."""
    root = _shared_root(tmp_path_factory)

    def get(stem: str) -> tuple[NotebookRun, dict]:
        key = f"zh/{stem}"
        if key not in _EXECUTED:
            _EXECUTED[key] = _execute_once(stem, root, edition="zh")
        run = _EXECUTED[key]
        assert run.status == "ok", f"zh/{stem} failed at {run.error}"
        results = json.loads(run.results.read_text()) if run.results else {}
        return run, results

    return get


# The class graded once for the whole suite: test_grading (scores and messages), test_feedback
# (feedback pages, partial credit, the Chinese edition's submission, the gradebook) and
# test_distributed (a LocalCluster must give the same rows) all read this one run. Its tests share
# the xdist group below, so one process grades while the other goes on with the rest of the suite.
GRADED_CLASS_GROUP = "graded-class"
GRADED_CLASS_SETTINGS = {"cell_timeout": 30, "time_limit": 900, "seed": 918273645}


@dataclasses.dataclass
class GradedClass:
    folder: Path  # lab 01's submissions
    csv: Path  # python -m labs grade --notebook 01's CSV for them
    lab15_csv: Path  # the same for the lab 15 student
    feedback: Path  # the --feedback pages of both
    executed: Path  # the --executed notebooks of both
    references: list[Path]  # the masters' record folders, for the leak check


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory) -> GradedClass:
    """``python -m labs grade --notebook NN --feedback --executed`` over the two folders of
    tests.submissions.make_graded_class (lab 01, then lab 15), with the same settings."""
    from labs.__main__ import main
    from labs.course import grading

    from .submissions import make_graded_class

    out = _shared_root(tmp_path_factory) / "graded-class"
    done = out / "done.json"
    with FileLock(str(out) + ".lock"):  # one test process grades; another that needs it waits and reads
        if not done.exists():
            out.mkdir(parents=True, exist_ok=True)
            lab01, lab15 = make_graded_class(out / "submissions")
            references: list[Path] = []
            original = grading.Reference.records

            def keep(self):
                found = original(self)
                if found not in references:
                    references.append(found)
                return found

            settings = GRADED_CLASS_SETTINGS
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(grading.Reference, "records", keep)
                for folder, lab in ((lab01, "01"), (lab15, "15")):
                    status = main(["grade", str(folder), "--notebook", lab, "--out", str(out / f"results-{lab}.csv"),
                                   "--cell-timeout", str(settings["cell_timeout"]),
                                   "--time-limit", str(settings["time_limit"]), "--jobs", "2",
                                   "--seed", str(settings["seed"]), "--feedback", str(out / "feedback"),
                                   "--executed", str(out / "executed")])
                    assert status == 0
            done.write_text(json.dumps([str(p) for p in references]), encoding="utf-8")
    references = [Path(p) for p in json.loads(done.read_text(encoding="utf-8"))]
    return GradedClass(out / "submissions" / "lab01", out / "results-01.csv", out / "results-15.csv",
                       out / "feedback", out / "executed", references)


def assignment_labs(default: tuple[str, ...]) -> list[Path]:
    """The labs whose release or grading a test executes once more.

    Executing a lab again for each of these tests would double the suite, so by default they
    take the ``default`` labs (chosen to cover the kinds of exercises the course has); set
    ``LABS_TEST_GRADE_ALL=1`` to take every lab, as an instructor does before a term. Every
    lab's own run (tests/test_notebooks.py) always covers all of them.
    """
    paths = course_notebooks()
    missing = set(default) - {p.stem for p in paths}
    assert not missing, f"the default assignment labs {sorted(missing)} are not in the course"
    if os.environ.get("LABS_TEST_GRADE_ALL"):
        return paths
    return [p for p in paths if p.stem in default]


def notebook_stems() -> list[str]:
    """Every notebook of the course, found on disk (new ones are picked up automatically)."""
    return [p.stem for p in course_notebooks()]
