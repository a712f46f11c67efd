"""The course runner: notebook discovery, names on the command line, failures reported."""

import json

import nbformat
import pytest

from labs.__main__ import main
from labs.course import runner


def test_resolve_names():
    stems = [p.stem for p in runner.course_notebooks()]
    assert stems == sorted(stems) and stems[:2] == ["01_perceptron", "02_xor"]
    assert runner.resolve_notebooks(["02"])[0].stem == "02_xor"
    assert runner.resolve_notebooks(["01_perceptron"])[0].stem == "01_perceptron"
    with pytest.raises(ValueError, match="choose one of"):
        runner.resolve_notebooks(["99"])


def test_cli_rejects_unknown_notebook(capsys):
    assert main(["run", "nope"]) == 2
    assert "matches 0 notebooks" in capsys.readouterr().err


def test_cli_rejects_unknown_profile():
    with pytest.raises(SystemExit):
        main(["run", "--profile", "medium"])


def test_failing_cell_is_named(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("1 / 0")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "99_broken.ipynb"
    nbformat.write(nb, path)
    run = runner.execute_notebook(path, profile="fast", out_dir=tmp_path / "build")
    assert run.status == "failed"
    assert "cell 1" in run.error and "ZeroDivisionError" in run.error
    assert run.executed.exists() and run.html.exists()


def test_run_course_writes_build_and_times(tmp_path, monkeypatch, capsys):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import labs\nlabs.record('answer', 42)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(nb, folder / "01_tiny.ipynb")
    monkeypatch.setattr(runner, "NOTEBOOKS", folder)
    monkeypatch.setattr(runner, "resolve_notebooks", lambda names: runner.course_notebooks(folder))
    runs = runner.run_course(profile="fast", out_dir=tmp_path / "build")
    assert [r.status for r in runs] == ["ok"]
    assert (tmp_path / "build" / "01_tiny.html").exists()
    assert (tmp_path / "build" / "times-fast.csv").read_text().startswith("notebook,profile,status,seconds")
    assert '"answer": 42' in runs[0].results.read_text()
    assert "01_tiny" in capsys.readouterr().out


def test_notebooks_run_at_once_record_their_own_results(tmp_path, monkeypatch, capsys):
    """With --jobs 2 two kernels run side by side; each records to its own results file and
    sees the profile it was given (settings reach a kernel through its own environment)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for stem, answer in (("01_one", 1), ("02_two", 2)):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(
            f"import os, time\nimport labs\ntime.sleep(1)\nlabs.record('answer', {answer})\n"
            "labs.record('profile', os.environ['LABS_PROFILE'])")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / f"{stem}.ipynb")
    monkeypatch.setattr(runner, "NOTEBOOKS", folder)
    monkeypatch.setattr(runner, "resolve_notebooks", lambda names: runner.course_notebooks(folder))
    runs = runner.run_course(profile="fast", out_dir=tmp_path / "build", jobs=2)
    assert [r.notebook.stem for r in runs] == ["01_one", "02_two"]
    assert [json.loads(r.results.read_text()) for r in runs] == [
        {"answer": 1, "profile": "fast"}, {"answer": 2, "profile": "fast"}]
    assert "2 notebooks at a time" in capsys.readouterr().out
    assert main(["run", "--jobs", "0"]) == 2


def test_default_jobs():
    assert runner.default_jobs({"cpu_cores": "2", "gpu": ""}) == 2
    assert runner.default_jobs({"cpu_cores": "16", "gpu": ""}) == 2
    assert runner.default_jobs({"cpu_cores": "1", "gpu": ""}) == 1
    assert runner.default_jobs({"cpu_cores": "16", "gpu": "NVIDIA H100"}) == 1


def test_executed_copies_keep_the_plots(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2]);")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "98_plot.ipynb"
    nbformat.write(nb, path)
    run = runner.execute_notebook(path, profile="fast", out_dir=tmp_path / "build", html=False)
    outputs = nbformat.read(run.executed, as_version=4).cells[0].outputs
    assert any("image/png" in o.get("data", {}) for o in outputs), "figures must be rendered inline"


def test_times_keep_other_notebooks_and_name_the_machine(tmp_path):
    machine = {"cpu_cores": "2", "gpu": ""}
    first = [runner.NotebookRun(runner.NOTEBOOKS / f"{s}.ipynb", "ok", t) for s, t in (("01_a", 10.0), ("02_b", 20.0))]
    runner._write_times(first, "fast", tmp_path, machine)
    runner._write_times([runner.NotebookRun(runner.NOTEBOOKS / "02_b.ipynb", "ok", 5.04)], "fast", tmp_path,
                        {"cpu_cores": "16", "gpu": "NVIDIA H100"})
    rows = runner.read_times(tmp_path / "times-fast.csv")
    assert [(r["notebook"], r["seconds"], r["cpu_cores"], r["gpu"]) for r in rows] == [
        ("01_a", "10.0", "2", ""), ("02_b", "5.0", "16", "NVIDIA H100")]
    (tmp_path / "times-full.csv").write_text("notebook,profile,status,seconds\n01_a,full,ok,3.0\n")
    assert runner.read_times(tmp_path / "times-full.csv") == []
    assert runner.read_times(tmp_path / "missing.csv") == []


def test_budget_line():
    cpu = {"cpu_cores": "2", "gpu": ""}
    assert "within the 5 min budget for the 'fast' profile on 2 CPU cores" in runner.budget_line(240, "fast", cpu)
    assert "OVER the 45 min budget" in runner.budget_line(50 * 60, "full", cpu)
    gpu = runner.budget_line(300, "full", {"cpu_cores": "16", "gpu": "Tesla T4"})
    assert "within the 10 min budget for the 'full' profile on one GPU (Tesla T4)" in gpu
    assert "no budget is set" in runner.budget_line(60, "fast", {"cpu_cores": "8", "gpu": "Tesla T4"})
    assert set(runner.machine_summary()) == {"cpu_cores", "gpu"}
