"""Grading on a Dask cluster gives what local grading gives; the scale benchmark still runs."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from labs.course import grading

from .conftest import GRADED_CLASS_GROUP, GRADED_CLASS_SETTINGS
from .submissions import EXPECTED

distributed = pytest.importorskip("distributed")
needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "grading_scale.py"


def _rows(results):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in grading.csv_rows(results)]


@needs_bwrap
@pytest.mark.notebook
@pytest.mark.xdist_group(GRADED_CLASS_GROUP)
def test_a_local_cluster_grades_the_fake_class_exactly_as_local_grading(graded_class, tmp_path):
    """The suite's graded class (graded here with --jobs 2, tests/conftest.py) graded again on a
    LocalCluster with the same seed and limits: every row of lab 01's fake class is the same."""
    with open(graded_class.csv, newline="", encoding="utf-8") as handle:
        local = [row for row in csv.DictReader(handle) if row["student"] in EXPECTED]
    # worker processes of their own (each task and the masters travel pickled), one grading at a time each
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_cluster = grading.grade_submissions(graded_class.folder, notebook="01", dask=cluster.scheduler_address,
                                               **GRADED_CLASS_SETTINGS)
    with open(grading.write_csv(on_cluster, tmp_path / "cluster.csv"), newline="", encoding="utf-8") as handle:
        cluster_rows = [row for row in csv.DictReader(handle) if row["student"] in EXPECTED]
    assert _without_seconds(cluster_rows) == _without_seconds(local)
    assert {r.student for r in on_cluster} >= set(EXPECTED)
    points = {r.student: (r.points, r.max_points) for r in on_cluster if r.student in EXPECTED}
    assert points == {student: expected[:2] for student, expected in EXPECTED.items()}
    assert all(r.seconds > 0 for r in on_cluster if r.notebook and r.scores[0].status != "missing")


def _without_seconds(rows):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


def test_an_unreachable_scheduler_is_an_error_not_a_hang(tmp_path):
    from labs.course import distributed as ours

    with pytest.raises(RuntimeError, match="cannot reach the Dask scheduler"):
        ours._client("tcp://127.0.0.1:9", timeout="2s")


def test_reference_records_travel_as_files(tmp_path):
    from labs.course import distributed as ours

    (tmp_path / "1").mkdir()
    (tmp_path / "1" / "answer.npz").write_bytes(b"\x00records")
    files = ours.record_files(tmp_path)
    assert files == {"1/answer.npz": b"\x00records"}
    master = grading.Master.load(grading.NOTEBOOKS / "01_perceptron.ipynb")
    reference = ours._worker_reference("run", master, grading.Settings(seed=3), files)
    assert (reference.records() / "1" / "answer.npz").read_bytes() == b"\x00records"  # no kernel is started
    ours._forget("run")
    assert not reference.records().exists()


def _benchmark():
    spec = importlib.util.spec_from_file_location("grading_scale", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@needs_bwrap
@pytest.mark.notebook
@pytest.mark.xdist_group("dask")
def test_the_scale_benchmark_runs_on_a_tiny_class(capsys):
    runs = _benchmark().main(["--lab01", "1", "--lab12", "0", "--jobs", "1", "2", "--seed", "5"])
    out = capsys.readouterr().out
    assert "s/submission" in out and "peak RSS GiB" in out
    assert [r["submissions"] for r in runs] == [1, 1] and runs[0]["rows"] == runs[1]["rows"]
    assert all(r["peak_rss"] > 0 for r in runs)
    assert "mean grading seconds by lab, jobs 2: 01_perceptron" in out
    assert [line for line in out.splitlines() if line.rstrip().endswith("yes")]
