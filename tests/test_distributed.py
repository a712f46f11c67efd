"""Grading on a Dask cluster gives what local grading gives; the scale benchmark still runs."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from labs.course import grading

from .submissions import EXPECTED, make_fake_set

distributed = pytest.importorskip("distributed")
needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "grading_scale.py"
SEED = 1616


def _rows(results):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in grading.csv_rows(results)]


@needs_bwrap
@pytest.mark.notebook
@pytest.mark.xdist_group("dask")
def test_a_local_cluster_grades_the_fake_class_exactly_as_local_grading(tmp_path):
    folder = make_fake_set(tmp_path / "submissions")
    settings = {"notebook": "01", "cell_timeout": 20, "time_limit": 600, "seed": SEED}
    local = grading.grade_submissions(folder, jobs=2, **settings)
    # worker processes of their own (each task and the masters travel pickled), one grading at a time each
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_cluster = grading.grade_submissions(folder, dask=cluster.scheduler_address, **settings)
    assert _rows(on_cluster) == _rows(local)
    assert {r.student for r in on_cluster} == set(EXPECTED)
    points = {r.student: (r.points, r.max_points) for r in on_cluster}
    assert points == {student: expected[:2] for student, expected in EXPECTED.items()}
    assert all(r.seconds > 0 for r in on_cluster if r.notebook and r.scores[0].status != "missing")


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
    runs = _benchmark().main(["--lab01", "3", "--lab12", "0", "--jobs", "1", "2", "--seed", "5"])
    out = capsys.readouterr().out
    assert "s/submission" in out and "peak RSS GiB" in out
    assert [r["submissions"] for r in runs] == [3, 3] and runs[0]["rows"] == runs[1]["rows"]
    assert all(r["peak_rss"] > 0 for r in runs)
    assert "mean grading seconds by lab, jobs 2: 01_perceptron" in out
    assert [line for line in out.splitlines() if line.rstrip().endswith("yes")]
