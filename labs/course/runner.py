"""Execute the course notebooks headless, like an instructor's "Run all", and report.

``python -m labs run [--profile fast|full] [--jobs N] [NOTEBOOK ...]`` runs each notebook with
nbclient, writes the executed copy and an HTML rendering to ``build/``, the numbers it
recorded to ``build/<name>.results.json``, and prints a table of status and wall time.
Wall times go to ``build/times-<profile>.csv`` with the machine they were measured on; a run
of some notebooks updates their rows and keeps the others, so both profiles' tables fill up
over several runs. Without a GPU, two notebooks run at once (``--jobs``, see
:func:`default_jobs`): the labs' short training runs keep about one core busy on average, so on
2 cores the course finishes sooner, while each notebook's own time grows a little (it shares
the machine).
"""

from __future__ import annotations

import csv
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from labs.i18n import _
from labs.profiles import PROFILES
from labs.validation import check_choice, check_int

COURSE_DIR_VARIABLE = "LABS_COURSE_DIR"  # set by `python -m labs --course-dir DIR ...`
# The course: notebooks/, build/, README.md. By default the checkout this package sits in
# (labs/course/runner.py -> ./); from an installed wheel, name it with --course-dir.
ROOT = Path(os.environ.get(COURSE_DIR_VARIABLE) or Path(__file__).resolve().parents[2]).resolve()
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
TIME_BUDGET_MIN = {"fast": 5, "full": 45}  # the whole course, in minutes, on 2 CPU cores
TIME_BUDGET_GPU_MIN = {"full": 10}  # ... and on one GPU
TIMES_HEADER = ["notebook", "profile", "status", "seconds", "cpu_cores", "gpu"]
DEFAULT_CELL_TIMEOUT = 1800
"""Seconds one cell may run before the runner stops the notebook (no full-profile cell comes near
it on 2 CPU cores; a cell that does has hung). ``timeout=0`` runs without a limit."""
KERNEL_NAME = "python3"
# The kernel runs in this interpreter, whatever `python3` kernelspec a user has installed;
# it logs errors only (ipykernel's warning that local TCP is unencrypted is for every run).
KERNEL_ARGV = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--IPKernelApp.log_level=ERROR"]


@dataclass
class NotebookRun:
    """The outcome of executing one notebook."""

    notebook: Path
    status: str
    seconds: float
    error: str = ""
    executed: Path | None = None
    html: Path | None = None
    results: Path | None = None


def course_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The lab sequence: every ``NN_name.ipynb`` in ``notebooks/``, in order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if p.is_file())


def resolve_notebooks(names: list[str] | None, folder: Path = NOTEBOOKS) -> list[Path]:
    """Turn command-line names (``02``, ``02_xor``, a path) into notebook paths."""
    available = course_notebooks(folder)
    if not names:
        return available
    chosen = []
    for name in names:
        path = Path(name)
        if path.suffix == ".ipynb" and path.exists():
            chosen.append(path.resolve())
            continue
        matches = [p for p in available if p.stem == name or p.stem.startswith(f"{name}_") or p.name == name]
        if len(matches) != 1:
            listed = ", ".join(p.stem for p in available)
            raise ValueError(_("NOTEBOOK {name!r} matches {count} notebooks; choose one of: {listed}.").format(
                name=name, count=len(matches), listed=listed))
        chosen.append(matches[0])
    return chosen


@functools.cache
def _kernel_manager_class() -> type:
    """A Jupyter kernel manager whose ``python3`` kernel is :data:`KERNEL_ARGV`."""
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class ThisInterpreterSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(argv=list(KERNEL_ARGV), display_name=f"Python ({sys.executable})",
                              language="python", resource_dir="")

    class ThisInterpreterKernel(AsyncKernelManager):  # nbclient's default, with our spec
        """Over Unix sockets in a folder of its own: no TCP port to race for when kernels start at once."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.runtime_dir = tempfile.mkdtemp(prefix="labs-run-")
            self.transport = "ipc"
            self.connection_file = os.path.join(self.runtime_dir, "kernel.json")
            self.ip = os.path.join(self.runtime_dir, "k")

        @default("kernel_spec_manager")
        def _default_specs(self):
            return ThisInterpreterSpecs(parent=self)

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            shutil.rmtree(self.runtime_dir, ignore_errors=True)

        cleanup_resources = _async_cleanup_resources

    return ThisInterpreterKernel


ProgressHook = Callable[[Path, int, int, float], None]


def print_progress(path: Path, cell: int, cells: int, seconds: float) -> None:
    """One line as a notebook's code cell ``cell`` of ``cells`` starts, with the time so far."""
    print("  " + _("{notebook}: cell {cell}/{cells} ({seconds:.0f} s)").format(
        notebook=path.stem, cell=cell, cells=cells, seconds=seconds), flush=True)


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded to ``width`` columns as a terminal shows it (a Chinese character takes two)."""
    import unicodedata

    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    space = " " * max(0, width - shown)
    return space + text if align == ">" else text + space


def edition_of(nb) -> str:
    """The language of a notebook: ``"en"`` for a master, ``"zh"`` for the Chinese edition's."""
    from labs.course.translation import edition_language

    return edition_language(nb)


def output_folder(out_dir: Path, lang: str) -> Path:
    """Where a notebook of edition ``lang`` writes its outputs: ``out_dir`` for the masters,
    ``out_dir/<lang>/`` for an edition (so build/zh/ never overwrites the English build/)."""
    return out_dir if lang == "en" or Path(out_dir).name == lang else Path(out_dir) / lang


def execute_notebook(
    path: Path,
    *,
    profile: str,
    out_dir: Path = BUILD,
    timeout: int | None = DEFAULT_CELL_TIMEOUT,
    html: bool = True,
    extra_env: dict[str, str] | None = None,
    progress: ProgressHook | None = None,
) -> NotebookRun:
    """Execute one notebook top to bottom in a fresh kernel and save what it produced.

    ``timeout`` is seconds per cell (:data:`DEFAULT_CELL_TIMEOUT`; 0 or None: no limit).
    ``progress(path, k, n, seconds)`` is called as code cell k of n starts. Whatever goes
    wrong inside (a cell's error, a timeout, a kernel that dies or does not start) marks the
    run failed with the reason; only a notebook that does not exist raises. A notebook of the
    Chinese edition (``notebooks/zh/``) writes to ``out_dir/zh/`` and its kernel gets ``LABS_LANG=zh``."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    check_choice("profile", profile, PROFILES)
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(_("notebook {path} does not exist.").format(path=path))
    nb = nbformat.read(path, as_version=4)
    lang = edition_of(nb)
    out_dir = output_folder(Path(out_dir), lang)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / f"{path.stem}.results.json"
    results.unlink(missing_ok=True)
    code_cells = {i: k for k, i in enumerate((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), start=1)}
    current = {"index": None}
    start = time.perf_counter()

    def on_cell_start(cell, cell_index):
        current["index"] = cell_index
        if progress is not None and cell_index in code_cells:
            progress(path, code_cells[cell_index], len(code_cells), time.perf_counter() - start)

    client = NotebookClient(
        nb,
        timeout=timeout or None,
        kernel_name=KERNEL_NAME,
        kernel_manager_class=_kernel_manager_class(),
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=on_cell_start,
    )
    # The kernel gets its settings through its own environment (not os.environ), so that
    # notebooks executed at once in threads each record to their own results file.
    env = {**os.environ, "LABS_PROFILE": profile, "LABS_RESULTS": str(results),
           **({"LABS_LANG": lang} if lang != "en" else {}), **(extra_env or {})}
    status, error = "ok", ""
    try:
        client.execute(env=env)
    except CellExecutionError as exc:
        status = "failed"
        error = _("cell {cell}").format(cell=current["index"]) + f": {exc.ename}: {exc.evalue}"
    except Exception as exc:  # a timeout, a dead kernel, one that never started: this notebook fails
        status = "failed"
        where = (_("cell {cell}").format(cell=current["index"]) if current["index"] is not None
                 else _("before the first cell"))
        first_line = (str(exc).strip().splitlines() or [""])[0]
        error = f"{where}: {type(exc).__name__}: {first_line}"
    seconds = time.perf_counter() - start
    executed = out_dir / path.name
    html_path = None
    try:
        nbformat.write(nb, executed)
        if html:
            from nbconvert import HTMLExporter

            body, _resources = HTMLExporter().from_notebook_node(nb)
            html_path = out_dir / f"{path.stem}.html"
            html_path.write_text(body, encoding="utf-8")
    except Exception as exc:  # the run's outcome stands; say what could not be saved
        status = "failed"
        error = (error + "; " if error else "") + _("saving the outputs: {error}").format(
            error=f"{type(exc).__name__}: {exc}")
    return NotebookRun(path, status, seconds, error, executed if executed.exists() else None, html_path,
                       results if results.exists() else None)


def data_sources(runs: list[NotebookRun]) -> list[str]:
    """One line per MNIST source the notebooks used, read from their results
    (``data_sources``, recorded by :mod:`labs.data`), with the notebooks that used it."""
    used: dict[tuple[str, str], list[str]] = {}
    for run in runs:
        try:
            recorded = json.loads(run.results.read_text(encoding="utf-8")) if run.results else {}
        except (OSError, ValueError):
            continue
        for entry in recorded.get("data_sources", []):
            used.setdefault((entry.get("data", "?"), entry.get("why", "?")), []).append(run.notebook.stem[:2])
    return [_("Data: {data}, {why} (notebooks {notebooks})").format(
        data=data, why=why, notebooks=", ".join(dict.fromkeys(stems))) for (data, why), stems in used.items()]


def default_jobs(machine: dict[str, str] | None = None) -> int:
    """Notebooks to execute at once: 2 on a machine with 2 or more cores and no GPU, else 1
    (on a GPU, each kernel would claim the GPU's memory)."""
    machine = machine or machine_summary()
    return 1 if machine["gpu"] or int(machine["cpu_cores"]) < 2 else 2


def run_course(
    names: list[str] | None = None,
    *,
    profile: str,
    out_dir: Path = BUILD,
    timeout: int | None = DEFAULT_CELL_TIMEOUT,
    jobs: int | None = None,
    progress: bool = True,
    lang: str = "en",
) -> list[NotebookRun]:
    """Execute the chosen notebooks (``jobs`` at a time, default :func:`default_jobs`),
    printing a line as each code cell starts (``progress``) and a row per notebook as it
    finishes, then one line per data source the notebooks used. A notebook that fails in any
    way is reported failed; the others run on and the times CSV is written. ``lang="zh"`` runs
    the Chinese edition's notebooks (``notebooks/zh/``), whose outputs go to ``out_dir/zh/``."""
    from labs.i18n import check_language

    lang = check_language(lang, "--lang")
    if lang == "en":
        folder, notebooks = NOTEBOOKS, resolve_notebooks(names)
    else:
        from labs.course.translation import edition_folder

        folder = edition_folder(lang)
        notebooks = resolve_notebooks(names, folder)
    if not notebooks:
        raise ValueError(_("No notebooks found in {folder}.").format(folder=folder))
    machine = machine_summary()
    jobs = default_jobs(machine) if jobs is None else check_int("jobs", jobs, minimum=1)
    jobs = min(jobs, len(notebooks))
    width = max(len(p.stem) for p in notebooks)
    at_once = _(", {jobs} at a time").format(jobs=jobs) if jobs > 1 else ""
    limit = _("{seconds} s per cell").format(seconds=timeout) if timeout else _("no limit per cell")
    print(_("Executing {count} notebook(s) in the {profile!r} profile{at_once} ({limit}); output in {folder}/").format(
        count=len(notebooks), profile=profile, at_once=at_once, limit=limit, folder=output_folder(out_dir, lang)))
    notebook, status, seconds = _("notebook"), _("status"), _("seconds")
    print(f"{pad(notebook, width)}  {pad(status, 7)} {pad(seconds, 8, '>')}")
    lock = threading.Lock()

    def show(path: Path, cell: int, cells: int, seconds: float) -> None:
        with lock:
            print_progress(path, cell, cells, seconds)

    start = time.perf_counter()
    finished: dict[Path, NotebookRun] = {}
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            # Kernels side by side on a GPU must not each claim all of its memory.
            shared = ({"TF_FORCE_GPU_ALLOW_GROWTH": os.environ.get("TF_FORCE_GPU_ALLOW_GROWTH", "true")}
                      if jobs > 1 else {})
            futures = {pool.submit(execute_notebook, path, profile=profile, out_dir=out_dir, timeout=timeout,
                                   extra_env=shared, progress=show if progress else None): path
                       for path in notebooks}
            for future in as_completed(futures):
                path = futures[future]
                try:
                    run = future.result()
                except Exception as exc:  # even one the runner did not foresee fails only this notebook
                    run = NotebookRun(path, "failed", 0.0, f"{type(exc).__name__}: {exc}")
                finished[path] = run
                with lock:
                    print(f"{run.notebook.stem:<{width}}  {run.status:<7} {run.seconds:8.1f}", flush=True)
    finally:
        wall = time.perf_counter() - start
        runs = [finished[path] for path in notebooks if path in finished]
        groups: dict[Path, list[NotebookRun]] = {}  # an edition's times go to its own folder (build/zh/)
        for run in runs:
            groups.setdefault(run.executed.parent if run.executed else output_folder(out_dir, lang), []).append(run)
        for folder, group in (groups or {output_folder(out_dir, lang): []}).items():
            _write_times(group, profile, folder, machine)
    total = sum(r.seconds for r in runs)
    total_label, wall_label = _("total"), _("wall clock")
    print(f"{pad(total_label, width)}  {'':<7} {total:8.1f}")
    if jobs > 1:
        print(f"{pad(wall_label, width)}  {'':<7} {wall:8.1f}  " + _("({jobs} notebooks at a time)").format(jobs=jobs))
    if len(runs) == len(course_notebooks()):
        print(budget_line(wall if jobs > 1 else total, profile, machine))
    for line in data_sources(runs):
        print(line)
    for run in runs:
        if run.status != "ok":
            print("\n" + _("FAILED {notebook}, {error}").format(notebook=run.notebook.name, error=run.error)
                  + "\n  " + _("executed copy: {path}").format(path=run.executed))
    return runs


def machine_summary() -> dict[str, str]:
    """The CPU cores this process may use and the GPU's name (empty without one), for the times."""
    from labs.environment import cpu_cores

    gpu = ""
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                                 capture_output=True, text=True, timeout=20)
            gpu = out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else ""
        except (OSError, subprocess.TimeoutExpired):
            gpu = ""
    return {"cpu_cores": str(cpu_cores()), "gpu": gpu}


def budget_line(total: float, profile: str, machine: dict[str, str]) -> str:
    """How a whole-course run compares with the course's time budget for its profile."""
    budget = TIME_BUDGET_GPU_MIN.get(profile) if machine["gpu"] else TIME_BUDGET_MIN.get(profile)
    where = _("one GPU ({gpu})").format(gpu=machine["gpu"]) if machine["gpu"] else _("2 CPU cores")
    measured = (_("{minutes:.1f} min on {cores} CPU cores and {gpu}") if machine["gpu"]
                else _("{minutes:.1f} min on {cores} CPU cores")).format(
        minutes=total / 60, cores=machine["cpu_cores"], gpu=machine["gpu"])
    if budget is None:
        return _("Whole course: {measured}; no budget is set for the {profile!r} profile on {where}.").format(
            measured=measured, profile=profile, where=where)
    template = (_("Whole course: {measured}; within the {budget} min budget for the {profile!r} profile on {where}.")
                if total <= budget * 60 else
                _("Whole course: {measured}; OVER the {budget} min budget for the {profile!r} profile on {where}."))
    return template.format(measured=measured, budget=budget, profile=profile, where=where)


def read_times(path: Path) -> list[dict[str, str]]:
    """The rows of a ``times-<profile>.csv`` (none if it is missing or from an older layout)."""
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader) if reader.fieldnames == TIMES_HEADER else []


def _write_times(runs: list[NotebookRun], profile: str, out_dir: Path, machine: dict[str, str]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"times-{profile}.csv"
    rows = {row["notebook"]: row for row in read_times(path)}
    for run in runs:
        rows[run.notebook.stem] = {"notebook": run.notebook.stem, "profile": profile, "status": run.status,
                                   "seconds": f"{run.seconds:.1f}", **machine}
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=TIMES_HEADER)
        writer.writeheader()
        writer.writerows(rows[name] for name in sorted(rows))
