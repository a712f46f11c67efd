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
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from labs.profiles import PROFILES
from labs.validation import check_choice, check_int

ROOT = Path(__file__).resolve().parents[2]  # the checkout: labs/course/runner.py -> ./
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
TIME_BUDGET_MIN = {"fast": 5, "full": 45}  # the whole course, in minutes, on 2 CPU cores
TIME_BUDGET_GPU_MIN = {"full": 10}  # ... and on one GPU
TIMES_HEADER = ["notebook", "profile", "status", "seconds", "cpu_cores", "gpu"]


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
            raise ValueError(f"NOTEBOOK {name!r} matches {len(matches)} notebooks; choose one of: {listed}.")
        chosen.append(matches[0])
    return chosen


@contextmanager
def environment_variables(**values: str) -> Iterator[None]:
    """Set environment variables (inherited by kernels started meanwhile) for a ``with`` block."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute_notebook(
    path: Path,
    *,
    profile: str,
    out_dir: Path = BUILD,
    timeout: int | None = None,
    html: bool = True,
    extra_env: dict[str, str] | None = None,
) -> NotebookRun:
    """Execute one notebook top to bottom in a fresh kernel and save what it produced."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    check_choice("profile", profile, PROFILES)
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"notebook {path} does not exist.")
    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / f"{path.stem}.results.json"
    results.unlink(missing_ok=True)
    nb = nbformat.read(path, as_version=4)
    current = {"index": None}
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=lambda cell, cell_index: current.update(index=cell_index),
    )
    # The kernel gets its settings through its own environment (not os.environ), so that
    # notebooks executed at once in threads each record to their own results file.
    env = {**os.environ, "LABS_PROFILE": profile, "LABS_RESULTS": str(results), **(extra_env or {})}
    start = time.perf_counter()
    status, error = "ok", ""
    try:
        client.execute(env=env)
    except CellExecutionError as exc:
        status = "failed"
        error = f"cell {current['index']}: {exc.ename}: {exc.evalue}"
    except (CellTimeoutError, DeadKernelError) as exc:
        status = "failed"
        error = f"cell {current['index']}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    seconds = time.perf_counter() - start
    executed = out_dir / path.name
    nbformat.write(nb, executed)
    html_path = None
    if html:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter().from_notebook_node(nb)
        html_path = out_dir / f"{path.stem}.html"
        html_path.write_text(body, encoding="utf-8")
    return NotebookRun(path, status, seconds, error, executed, html_path, results if results.exists() else None)


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
    timeout: int | None = None,
    jobs: int | None = None,
) -> list[NotebookRun]:
    """Execute the chosen notebooks (``jobs`` at a time, default :func:`default_jobs`),
    printing a row per notebook as it finishes."""
    notebooks = resolve_notebooks(names)
    if not notebooks:
        raise ValueError(f"No notebooks found in {NOTEBOOKS}.")
    machine = machine_summary()
    jobs = default_jobs(machine) if jobs is None else check_int("jobs", jobs, minimum=1)
    jobs = min(jobs, len(notebooks))
    width = max(len(p.stem) for p in notebooks)
    at_once = f", {jobs} at a time" if jobs > 1 else ""
    print(f"Executing {len(notebooks)} notebook(s) in the {profile!r} profile{at_once}; output in {out_dir}/")
    print(f"{'notebook':<{width}}  {'status':<7} {'seconds':>8}")
    start = time.perf_counter()
    finished: dict[Path, NotebookRun] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # Kernels side by side on a GPU must not each claim all of its memory.
        shared = {"TF_FORCE_GPU_ALLOW_GROWTH": os.environ.get("TF_FORCE_GPU_ALLOW_GROWTH", "true")} if jobs > 1 else {}
        futures = {pool.submit(execute_notebook, path, profile=profile, out_dir=out_dir, timeout=timeout,
                               extra_env=shared): path
                   for path in notebooks}
        for future in as_completed(futures):
            run = finished[futures[future]] = future.result()
            print(f"{run.notebook.stem:<{width}}  {run.status:<7} {run.seconds:8.1f}", flush=True)
    wall = time.perf_counter() - start
    runs = [finished[path] for path in notebooks]
    total = sum(r.seconds for r in runs)
    print(f"{'total':<{width}}  {'':<7} {total:8.1f}")
    if jobs > 1:
        print(f"{'wall clock':<{width}}  {'':<7} {wall:8.1f}  ({jobs} notebooks at a time)")
    if len(runs) == len(course_notebooks()):
        print(budget_line(wall if jobs > 1 else total, profile, machine))
    _write_times(runs, profile, out_dir, machine)
    for run in runs:
        if run.status != "ok":
            print(f"\nFAILED {run.notebook.name}, {run.error}\n  executed copy: {run.executed}")
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
    where = f"one GPU ({machine['gpu']})" if machine["gpu"] else "2 CPU cores"
    measured = f"{total / 60:.1f} min on {machine['cpu_cores']} CPU cores" + (
        f" and {machine['gpu']}" if machine["gpu"] else "")
    if budget is None:
        return f"Whole course: {measured}; no budget is set for the {profile!r} profile on {where}."
    verdict = "within" if total <= budget * 60 else "OVER"
    return f"Whole course: {measured}; {verdict} the {budget} min budget for the {profile!r} profile on {where}."


def read_times(path: Path) -> list[dict[str, str]]:
    """The rows of a ``times-<profile>.csv`` (none if it is missing or from an older layout)."""
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader) if reader.fieldnames == TIMES_HEADER else []


def _write_times(runs: list[NotebookRun], profile: str, out_dir: Path, machine: dict[str, str]) -> None:
    path = out_dir / f"times-{profile}.csv"
    rows = {row["notebook"]: row for row in read_times(path)}
    for run in runs:
        rows[run.notebook.stem] = {"notebook": run.notebook.stem, "profile": profile, "status": run.status,
                                   "seconds": f"{run.seconds:.1f}", **machine}
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=TIMES_HEADER)
        writer.writeheader()
        writer.writerows(rows[name] for name in sorted(rows))
