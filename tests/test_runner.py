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


def _notebook(folder, stem, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{stem}.ipynb")
    return folder / f"{stem}.ipynb"


def _course(monkeypatch, folder):
    monkeypatch.setattr(runner, "NOTEBOOKS", folder)
    monkeypatch.setattr(runner, "resolve_notebooks", lambda names: runner.course_notebooks(folder))


def test_an_unforeseen_error_fails_one_notebook_and_keeps_the_others(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "notebooks"
    for stem in ("01_first", "02_breaks", "03_third"):
        _notebook(folder, stem, "x = 1")
    _course(monkeypatch, folder)
    real = runner.execute_notebook

    def execute(path, **kwargs):
        if path.stem == "02_breaks":
            raise MemoryError("the machine ran out of memory")  # not a cell error
        return real(path, **kwargs)

    monkeypatch.setattr(runner, "execute_notebook", execute)
    runs = runner.run_course(profile="fast", out_dir=tmp_path / "build", jobs=1)
    assert [r.status for r in runs] == ["ok", "failed", "ok"]
    assert "MemoryError: the machine ran out of memory" in runs[1].error
    rows = runner.read_times(tmp_path / "build" / "times-fast.csv")
    assert [(r["notebook"], r["status"]) for r in rows] == [("01_first", "ok"), ("02_breaks", "failed"),
                                                            ("03_third", "ok")]
    assert "FAILED 02_breaks.ipynb" in capsys.readouterr().out


def test_a_kernel_that_cannot_start_fails_the_notebook_without_raising(tmp_path, monkeypatch):
    path = _notebook(tmp_path, "97_no_kernel", "x = 1")
    monkeypatch.setattr(runner, "KERNEL_ARGV", ["/nonexistent/python", "-f", "{connection_file}"])
    run = runner.execute_notebook(path, profile="fast", out_dir=tmp_path / "build", html=False, timeout=30)
    assert run.status == "failed" and "before the first cell" in run.error
    assert run.executed is not None and run.executed.exists()


def test_the_kernel_is_this_interpreter_whatever_kernelspec_is_installed(tmp_path, monkeypatch):
    """A user's own `python3` kernelspec (here: one that cannot start) is not used."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": ["/nonexistent/other-python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (another one)", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter"))
    path = _notebook(tmp_path, "96_which_python", "import sys\nprint(sys.executable)")
    run = runner.execute_notebook(path, profile="fast", out_dir=tmp_path / "build", html=False, timeout=60)
    assert run.status == "ok", run.error
    printed = nbformat.read(run.executed, as_version=4).cells[0].outputs[0]["text"].strip()
    import sys

    assert printed == sys.executable


def test_cells_have_a_time_limit_by_default(tmp_path, monkeypatch, capsys):
    assert runner.DEFAULT_CELL_TIMEOUT > 0
    import inspect

    assert inspect.signature(runner.execute_notebook).parameters["timeout"].default == runner.DEFAULT_CELL_TIMEOUT
    assert inspect.signature(runner.run_course).parameters["timeout"].default == runner.DEFAULT_CELL_TIMEOUT
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert f"default: {runner.DEFAULT_CELL_TIMEOUT}; 0: no limit" in " ".join(capsys.readouterr().out.split())
    path = _notebook(tmp_path, "95_slow", "import time\ntime.sleep(30)")
    run = runner.execute_notebook(path, profile="fast", out_dir=tmp_path / "build", html=False, timeout=2)
    assert run.status == "failed" and "cell 0" in run.error and "Timeout" in run.error


def test_the_grade_and_run_defaults_in_the_parser_are_the_modules(capsys):
    from labs import __main__ as cli
    from labs.course import grading

    assert (cli.GRADE_CELL_TIMEOUT, cli.GRADE_TIME_LIMIT) == (grading.DEFAULT_CELL_TIMEOUT, grading.DEFAULT_TIME_LIMIT)
    assert cli.RUN_CELL_TIMEOUT == runner.DEFAULT_CELL_TIMEOUT


def test_kernels_do_not_print_the_unencrypted_tcp_warning(tmp_path, capfd):
    path = _notebook(tmp_path, "94_quiet", "x = 1")
    run = runner.execute_notebook(path, profile="fast", out_dir=tmp_path / "build", html=False)
    assert run.status == "ok"
    captured = capfd.readouterr()
    assert "without encryption" not in captured.err + captured.out


def test_progress_names_notebook_cell_and_time_and_data_sources_close_the_run(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "notebooks"
    _notebook(folder, "01_sample", "import labs", "(x, _), _ = labs.load_mnist('sample')", "print(len(x))")
    _notebook(folder, "02_plain", "y = 2")
    _course(monkeypatch, folder)
    runs = runner.run_course(profile="fast", out_dir=tmp_path / "build", jobs=1)
    assert [r.status for r in runs] == ["ok", "ok"]
    out = capsys.readouterr().out
    for k in (1, 2, 3):
        assert f"01_sample: cell {k}/3 (" in out
    assert "02_plain: cell 1/1 (" in out
    assert out.index("01_sample: cell 3/3") < out.index("01_sample  ok")  # shown while it runs
    assert "Data: offline sample (5,000 images), LABS_DATA=sample asks for it (notebooks 01)" in out
    quiet = runner.run_course(profile="fast", out_dir=tmp_path / "build", jobs=1, progress=False)
    assert len(quiet) == 2 and ": cell " not in capsys.readouterr().out


def test_claims_help_needs_no_instructor_package(tmp_path):
    """The students' install has no nbformat, nbclient, nbconvert or nbgrader."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'nbformat', 'nbclient', 'nbconvert', 'nbgrader', 'jupyter_client'}:\n"
        "            raise ImportError(f'{name} is not installed (students install)')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from labs.__main__ import main\n"
        "main(['claims', '--help'])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--seeds" in done.stdout


def test_course_dir_points_the_tools_at_another_course(tmp_path):
    """From an installed wheel the tools need the course's folder: --course-dir names it."""
    import shutil
    import subprocess
    import sys

    (tmp_path / "notebooks").mkdir()
    shutil.copy(runner.NOTEBOOKS / "01_perceptron.ipynb", tmp_path / "notebooks" / "01_perceptron.ipynb")
    out = subprocess.run([sys.executable, "-m", "labs", "--course-dir", str(tmp_path), "release", "--out",
                          str(tmp_path / "release")], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert [p.name for p in (tmp_path / "release").iterdir()] == ["01_perceptron.ipynb"]
    missing = subprocess.run([sys.executable, "-m", "labs", "--course-dir", str(tmp_path / "nowhere"), "release"],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "has no notebooks/ folder" in missing.stderr


def test_the_chinese_edition_runs_into_build_zh_and_keeps_the_english_times(tmp_path, monkeypatch, capsys):
    """`python -m labs run --lang zh 01` runs notebooks/zh/01_*.ipynb; its outputs and times go to
    build/zh/, never over the English build/NN_name.* (no kernel is started here)."""
    from labs.course.translation import edition_notebooks

    chinese = edition_notebooks("zh")[0]
    assert runner.edition_of(nbformat.read(chinese, as_version=4)) == "zh"
    assert runner.edition_of(nbformat.read(runner.course_notebooks()[0], as_version=4)) == "en"
    build = tmp_path / "build"
    assert runner.output_folder(build, "en") == build and runner.output_folder(build, "zh") == build / "zh"
    assert runner.output_folder(build / "zh", "zh") == build / "zh"
    (build / "times-fast.csv").parent.mkdir(parents=True)
    (build / "times-fast.csv").write_text("notebook,profile,status,seconds,cpu_cores,gpu\n"
                                          f"{chinese.stem},fast,ok,60.0,2,\n", encoding="utf-8")
    ran = []

    def fake_execute(path, *, profile, out_dir, **kwargs):
        folder = runner.output_folder(out_dir, runner.edition_of(nbformat.read(path, as_version=4)))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / path.name).write_text("{}", encoding="utf-8")
        ran.append(path)
        return runner.NotebookRun(path, "ok", 1.0, executed=folder / path.name)

    monkeypatch.setattr(runner, "execute_notebook", fake_execute)
    monkeypatch.setattr(runner, "BUILD", build)
    seen = {}
    original = runner.run_course
    monkeypatch.setattr(runner, "run_course", lambda *a, **k: seen.update(k) or original(*a, **k, out_dir=build))
    assert main(["run", "--lang", "zh", "--profile", "fast", chinese.stem[:2]]) == 0
    assert seen["lang"] == "zh" and ran == [chinese]
    assert (build / "zh" / chinese.name).exists() and not (build / chinese.name).exists()
    assert (build / "zh" / "times-fast.csv").read_text().splitlines()[1].startswith(f"{chinese.stem},fast,ok,1.0")
    assert ",60.0," in (build / "times-fast.csv").read_text(), "the English times are left alone"
    assert f"{build / 'zh'}/" in capsys.readouterr().out
    assert main(["run", "--lang", "fr"]) == 2
