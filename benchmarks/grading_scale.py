"""How grading scales: a fake class of lab 01 and lab 12 submissions graded with several ``--jobs``.

Builds a class from the course's own notebooks, as tests/submissions.py does: each student's
folder holds lab 01 (right answers, the classic wrong sigmoid gradient, or an answer that
raises, in turn) and, for the first students, lab 12 (right answers, exercise 1 left
unanswered, or exercise 1 raising, in turn). The whole class is graded in one run per
``--jobs`` value (both labs at once, as ``python -m labs grade SUBMISSIONS_DIR`` does), with the
same ``--seed``, in the real sandbox, and the script prints per run: wall time, seconds per
submission (wall time / submissions), the mean of the CSV's per-submission ``seconds``, the
peak memory of the grader and all its kernels together, the machine's mean 1-minute load
average during the run (others' work inflates the times), and whether the CSV rows (all but
``seconds``) are identical to the first run's.

    python benchmarks/grading_scale.py                           # 200 of lab 01, 50 of lab 12, --jobs 1 2
    python benchmarks/grading_scale.py --lab01 40 --lab12 10     # a smaller class
    python benchmarks/grading_scale.py --jobs 2 --dask tcp://scheduler:8786   # and a Dask cluster's row
    python benchmarks/grading_scale.py --jobs 1 2 --local-cluster 2            # and a LocalCluster of 2 workers

Peak memory is sampled every half second with psutil over this process and every process it
started (the sandboxed kernels included): ``PSS`` (proportional set size, where each shared
page counts once across processes) when the kernel lets us read it, and the plain sum of RSS
(which counts TensorFlow's shared libraries once per kernel, so it is an upper bound). Each
run includes the masters' own reference run (one kernel per lab). A measurement, not a test:
it never fails on a slow machine; timings on a shared machine are inflated.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/submissions.py makes the fake answers

from labs.course import grading  # noqa: E402


def build_class(folder: Path, lab01: int, lab12: int) -> tuple[int, int]:
    """Write the fake class into ``folder``; return the submissions of each lab."""
    import nbformat

    from tests.submissions import WRONG_SIGMOID_GRADIENT, answered, solution

    first = solution("01_perceptron", 1)
    kinds01 = [answered("01_perceptron"), answered("01_perceptron", {2: WRONG_SIGMOID_GRADIENT}),
               answered("01_perceptron", {1: 'raise RuntimeError("my code is not finished")\n' + first})]
    stub = "# YOUR CODE HERE\nraise NotImplementedError()"
    kinds12 = [answered("12_deep_training"), answered("12_deep_training", {1: stub}),
               answered("12_deep_training", {1: 'raise ValueError("not done")\n' + solution("12_deep_training", 1)})]
    for i in range(max(lab01, lab12)):
        student = folder / f"s{i:04d}"
        student.mkdir(parents=True, exist_ok=True)
        if i < lab01:
            nbformat.write(kinds01[i % len(kinds01)], student / "01_perceptron.ipynb")
        if i < lab12:
            nbformat.write(kinds12[i % len(kinds12)], student / "Copy of 12_deep_training.ipynb")
    return lab01, lab12


class PeakMemory(threading.Thread):
    """The peak, over time, of this process's and all its descendants' memory together."""

    def __init__(self, interval: float = 0.5):
        super().__init__(daemon=True)
        self.interval, self.peak_rss, self.peak_pss, self.pss_readable = interval, 0, 0, True
        self.loads: list[float] = []  # the 1-minute load average, sampled: how shared the machine was
        self._done = threading.Event()

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._done.is_set():
            rss = pss = 0
            try:
                processes = [me, *me.children(recursive=True)]
            except psutil.Error:
                processes = [me]
            for process in processes:
                try:
                    rss += process.memory_info().rss
                    if self.pss_readable:
                        pss += process.memory_full_info().pss
                except psutil.AccessDenied:
                    self.pss_readable = False
                except psutil.Error:  # a kernel that ended between the listing and the reading
                    pass
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.loads.append(os.getloadavg()[0])
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _comparable(results) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "seconds"} for row in grading.csv_rows(results)]


def measure(folder: Path, *, jobs: int = 1, dask: str | None = None, seed: int, cell_timeout: int) -> dict:
    """Grade ``folder`` once; the run's wall time, peak memory and CSV rows."""
    monitor = PeakMemory()
    monitor.start()
    start = time.perf_counter()
    try:
        results = grading.grade_submissions(folder, jobs=jobs, seed=seed, cell_timeout=cell_timeout, dask=dask)
    finally:
        wall = time.perf_counter() - start
        monitor.stop()
    graded = [r for r in results if r.notebook]
    return {"jobs": f"dask {dask}" if dask else str(jobs), "submissions": len(graded), "wall": wall,
            "per_submission": wall / max(1, len(graded)),
            "mean_seconds": sum(r.seconds for r in graded) / max(1, len(graded)),
            "peak_rss": monitor.peak_rss, "peak_pss": monitor.peak_pss if monitor.pss_readable else None,
            "load": sum(monitor.loads) / max(1, len(monitor.loads)), "rows": _comparable(results),
            "points": {(r.student, r.notebook): r.points for r in results},
            "by_lab": {lab: [r.seconds for r in graded if r.notebook == lab] for lab in sorted({r.notebook for r in graded})}}


def table(runs: list[dict]) -> str:
    """The runs as a text table; ``identical`` compares each run's CSV rows with the first's."""
    lines = [f"{'submissions':>11}  {'jobs':<10} {'wall s':>8} {'s/submission':>12} {'mean seconds':>12} "
             f"{'peak PSS GiB':>12} {'peak RSS GiB':>12} {'load':>5}  identical"]
    for run in runs:
        pss = f"{run['peak_pss'] / 2**30:12.2f}" if run["peak_pss"] else f"{'n/a':>12}"
        lines.append(f"{run['submissions']:>11}  {run['jobs']:<10} {run['wall']:8.1f} {run['per_submission']:12.2f} "
                     f"{run['mean_seconds']:12.2f} {pss} {run['peak_rss'] / 2**30:12.2f} {run['load']:5.1f}  "
                     f"{'yes' if run['rows'] == runs[0]['rows'] else 'NO'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab01", type=int, default=200, help="submissions of lab 01 (default: 200)")
    parser.add_argument("--lab12", type=int, default=50, help="submissions of lab 12 (default: 50)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values to run (default: 1 2)")
    parser.add_argument("--dask", metavar="ADDRESS", help="also grade on this Dask scheduler's workers")
    parser.add_argument("--local-cluster", type=int, metavar="N", default=0,
                        help="also grade on a Dask LocalCluster of N worker processes, one thread each")
    parser.add_argument("--seed", type=int, default=16, help="the hidden tests' seed, the same for every run")
    parser.add_argument("--cell-timeout", type=int, default=grading.DEFAULT_CELL_TIMEOUT)
    parser.add_argument("--keep", type=Path, help="write the class into this folder and keep it (default: a temp)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with tempfile.TemporaryDirectory(prefix="labs-class-") as scratch:
        folder = args.keep or Path(scratch) / "class"
        lab01, lab12 = build_class(folder, args.lab01, args.lab12)
        print(f"fake class: {lab01} submissions of lab 01, {lab12} of lab 12; --seed {args.seed}; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
        runs = []
        for jobs in args.jobs:
            runs.append(measure(folder, jobs=jobs, seed=args.seed, cell_timeout=args.cell_timeout))
            print(table(runs).splitlines()[-1], flush=True)
        if args.dask:
            runs.append(measure(folder, dask=args.dask, seed=args.seed, cell_timeout=args.cell_timeout))
        if args.local_cluster:
            from dask.distributed import LocalCluster

            with LocalCluster(n_workers=args.local_cluster, threads_per_worker=1, dashboard_address=None) as cluster:
                run = measure(folder, dask=cluster.scheduler_address, seed=args.seed, cell_timeout=args.cell_timeout)
            run["jobs"] = f"{args.local_cluster} workers"
            runs.append(run)
        print(table(runs))
        for run in runs:
            means = ", ".join(f"{lab} {sum(s) / len(s):.1f} s ({len(s)})" for lab, s in run["by_lab"].items())
            print(f"mean grading seconds by lab, jobs {run['jobs']}: {means}")
        for run in runs[1:]:
            differ = [(a, b) for a, b in zip(runs[0]["rows"], run["rows"]) if a != b]
            for first, other in differ[:10]:  # say where, so that a difference can be explained
                print(f"differs, jobs {runs[0]['jobs']} vs {run['jobs']}: {first['student']} {first['notebook']} "
                      f"exercise {first['exercise']}: {first['status']} {first['message'][:150]!r} vs "
                      f"{other['status']} {other['message'][:150]!r}")
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return runs


if __name__ == "__main__":
    main()
