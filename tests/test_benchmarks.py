"""The speed benchmark still runs (a smoke test with tiny sizes; the timing itself is not tested)."""

import importlib.util
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "train_speed.py"


def _load():
    spec = importlib.util.spec_from_file_location("train_speed", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_and_reports_both_paths(capsys):
    _load().main(["--epochs", "1", "--rounds", "1", "--n-train", "300", "--matmul-size", "256"])
    out = capsys.readouterr().out
    for text in ("plain model.fit", "labs.training.train", "ratio labs / plain", "GFLOP/s", "of matmul",
                 "matrix products at batch 100"):
        assert text in out
