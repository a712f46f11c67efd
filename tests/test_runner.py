"""The course runner: notebook discovery, names on the command line, failures reported."""

import nbformat
import pytest

from labs import runner
from labs.__main__ import main


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


def test_executed_copies_keep_the_plots(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2]);")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "98_plot.ipynb"
    nbformat.write(nb, path)
    run = runner.execute_notebook(path, profile="fast", out_dir=tmp_path / "build", html=False)
    outputs = nbformat.read(run.executed, as_version=4).cells[0].outputs
    assert any("image/png" in o.get("data", {}) for o in outputs), "figures must be rendered inline"
