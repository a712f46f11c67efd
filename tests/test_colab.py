"""Colab in one click: badges and first cells agree with the one setting, and on a simulated
Colab the first cell installs `labs` and nothing that is already there."""

from __future__ import annotations

import base64
import copy
import fnmatch
import hashlib
import json
import os
import re
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

import labs
from labs import colab
from labs.__main__ import main
from labs.course import colab as course_colab
from labs.course.runner import ROOT, course_notebooks

STAND_IN = Path(__file__).resolve().parent / "colab_stand_in"


def _notebook(first_code: str = "import labs\n\nlabs.setup()", header: str = "# Lab 99 · title\n\ntext"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(header), nbformat.v4.new_code_cell(first_code),
                nbformat.v4.new_code_cell("P = labs.profile()")]
    for i, cell in enumerate(nb.cells):
        cell.id = f"99-{i:02d}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


# --- the one setting -------------------------------------------------------------------


def test_links_come_from_the_one_setting():
    assert course_colab.install_url() == f"git+https://github.com/{course_colab.REPOSITORY}@{course_colab.BRANCH}"
    url = course_colab.colab_url("notebooks/02_xor.ipynb")
    assert url == (f"https://colab.research.google.com/github/{course_colab.REPOSITORY}/blob/{course_colab.BRANCH}"
                   "/notebooks/02_xor.ipynb")
    assert course_colab.badge("02_xor.ipynb") == f"[![Open In Colab]({course_colab.BADGE_IMAGE})]({url})"


def test_a_fork_changes_one_line(monkeypatch):
    monkeypatch.setattr(course_colab, "REPOSITORY", "someone/fork")
    monkeypatch.setattr(course_colab, "BRANCH", "spring")
    assert "github/someone/fork/blob/spring/notebooks/01_a.ipynb" in course_colab.badge("01_a.ipynb")
    assert '"git+https://github.com/someone/fork@spring"' in course_colab.first_cell()


def test_first_cell_installs_labs_alone_on_colab_only():
    cell = course_colab.first_cell()
    title, second = cell.split("\n")[:2]
    assert title.startswith("# @title ") and title.endswith('{ display-mode: "form" }'), "Colab shows a title"
    assert second == "import importlib.util"
    assert 'if "google.colab" in sys.modules and importlib.util.find_spec("labs") is None:' in cell
    assert '%pip install --quiet --no-deps "dnn-labs @ {LABS_SOURCE}"' in cell
    assert f'os.environ.get("LABS_REPO_URL", "{course_colab.install_url()}")' in cell
    assert cell.endswith(f'labs.setup(requires="{labs.__version__}")')
    assert course_colab.first_cell("0.1.0").endswith('labs.setup(requires="0.1.0")')
    for package in ("tensorflow", "keras", "numpy"):
        assert f"install {package}" not in cell.lower()


# --- writing notebooks -----------------------------------------------------------------


def test_apply_writes_badge_metadata_and_first_cell():
    nb = course_colab.apply(_notebook(), "99_demo.ipynb")
    header = nb.cells[0].source.split("\n")
    assert header[0] == course_colab.badge("99_demo.ipynb") and header[1] == "" and header[2] == "# Lab 99 · title"
    assert nb.cells[1].source == course_colab.first_cell()
    assert nb.cells[1].metadata["cellView"] == "form" and nb.cells[1].metadata["jupyter"]["source_hidden"]
    assert nb.cells[2].source == "P = labs.profile()"
    assert nb.metadata["accelerator"] == "GPU" and nb.metadata["colab"]["gpuType"] == "T4"
    assert [c.id for c in nb.cells] == ["99-00", "99-01", "99-02"]
    nbformat.validate(nb)


def test_apply_is_idempotent_and_keeps_other_metadata():
    nb = _notebook()
    nb.metadata["colab"] = {"provenance": [], "toc_visible": True}
    nb.cells[1].metadata["nbgrader"] = {"solution": False}
    once = course_colab.apply(nb, "99_demo.ipynb")
    twice = course_colab.apply(copy.deepcopy(once), "99_demo.ipynb")
    assert twice == once
    assert once.metadata["colab"]["toc_visible"] is True
    assert once.cells[1].metadata["nbgrader"] == {"solution": False}
    assert once.cells[0].source.count("Open In Colab") == 1


def test_apply_refuses_a_first_cell_that_is_not_the_setup_cell():
    with pytest.raises(ValueError, match="first code cell of 99_demo.ipynb is not the set-up cell"):
        course_colab.apply(_notebook("x = 1"), "99_demo.ipynb")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import labs\n\nlabs.setup()")]
    with pytest.raises(ValueError, match="markdown header cell"):
        course_colab.apply(nb, "99_demo.ipynb")


def test_update_notebook_writes_only_when_asked(tmp_path):
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(_notebook(), path)
    before = path.read_text()
    assert course_colab.update_notebook(path, check=True) is True
    assert path.read_text() == before
    assert course_colab.update_notebook(path) is True
    assert course_colab.update_notebook(path) is False
    assert course_colab.update_notebook(path, check=True) is False


def test_update_readme_points_links_at_the_setting(tmp_path):
    readme = tmp_path / "README.md"
    old = "[![Open In Colab](x.svg)](https://colab.research.google.com/github/old/name/blob/dev/notebooks/01_a.ipynb)"
    readme.write_text(f"| 01 | {old} |\n")
    assert course_colab.update_readme(readme, check=True) is True
    assert course_colab.update_readme(readme) is True
    assert course_colab.colab_links(readme.read_text()) == [course_colab.colab_url("01_a.ipynb")]
    assert course_colab.update_readme(readme) is False


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.stem)
def test_committed_notebook_agrees_with_the_setting(path):
    assert not course_colab.update_notebook(path, check=True), (
        f"{path.name}: its badge, GPU metadata or first cell differ from what the labs write; "
        "run `python -m labs colab`"
    )


@pytest.mark.parametrize("readme", ["README.md", "README.zh.md"])
def test_readme_colab_links_agree_with_the_setting(readme):
    text = (ROOT / readme).read_text(encoding="utf-8")
    links = course_colab.colab_links(text)
    assert links or readme == "README.md", f"{readme} has no Colab link"
    for link in links:
        path = link.split("/blob/", 1)[1].split("/", 1)[1]  # notebooks/NAME or notebooks/zh/NAME
        lang = "zh" if path.startswith("notebooks/zh/") else "en"
        name = path.rsplit("/", 1)[1]
        assert link == course_colab.colab_url(name, lang=lang), f"{readme} link {link} is stale; run `python -m labs colab`"
        assert (ROOT / path).exists(), f"{readme} links to a missing notebook {path}"


def test_update_readme_keeps_an_editions_folder(tmp_path):
    readme = tmp_path / "README.zh.md"
    old = "[Colab](https://colab.research.google.com/github/old/name/blob/dev/notebooks/zh/01_a.ipynb)"
    readme.write_text(old + "\n", encoding="utf-8")
    assert course_colab.update_readme(readme) is True
    assert course_colab.colab_links(readme.read_text()) == [course_colab.colab_url("01_a.ipynb", lang="zh")]
    assert "/notebooks/zh/01_a.ipynb" in readme.read_text()


def test_cli(capsys):
    assert main(["colab", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["colab", "nope"]) == 2
    assert "matches 0 notebooks" in capsys.readouterr().err


def test_cli_check_fails_on_a_stale_notebook(tmp_path, monkeypatch, capsys):
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(_notebook(), path)
    assert main(["colab", "--check", str(path)]) == 1
    assert "python -m labs colab" in capsys.readouterr().out
    assert main(["colab", str(path)]) == 0
    assert main(["colab", "--check", str(path)]) == 0


# --- installing only what is missing ---------------------------------------------------

INSTALLED = {"tensorflow": "2.19.0", "keras": "3.10.0", "numpy": "1.24.4", "pandas": "2.2.2",
             "mlxtend": "0.22.0"}


def test_missing_requirements_spares_tensorflow_keras_numpy():
    requirements = ["tensorflow>=2.16,<3", "keras>=3.0", "numpy>=1.26", "pandas>=2.0", "mlxtend>=0.23",
                    "scikit-learn>=1.3", 'pytest>=8; extra == "dev"']
    to_install, kept = colab.missing_requirements(requirements, INSTALLED.get)
    assert to_install == ["mlxtend>=0.23", "scikit-learn>=1.3"]
    assert kept == ["numpy>=1.26 (installed: 1.24.4)"]


def test_missing_requirements_nothing_when_all_satisfied():
    assert colab.missing_requirements(["pandas>=2.0", "keras>=3"], INSTALLED.get) == ([], [])


def test_install_missing_runs_pip_only_for_what_is_missing(monkeypatch, capsys):
    monkeypatch.setattr("importlib.metadata.requires", lambda name: ["pandas>=2.0", "mlxtend>=0.23", "numpy>=2"])
    monkeypatch.setattr(colab, "installed_version", INSTALLED.get)
    calls, pins, invalidated = [], [], []
    monkeypatch.setattr("importlib.invalidate_caches", lambda: invalidated.append(1))

    def run(command):
        calls.append(command)
        pins.append(Path(command[command.index("--constraint") + 1]).read_text().split())

    with pytest.warns(UserWarning, match=r"numpy>=2 \(installed: 1.24.4\): left as it is"):
        assert colab.install_missing(run=run) == ["mlxtend>=0.23"]
    assert calls[0][:4] == [sys.executable, "-m", "pip", "install"] and calls[0][-1] == "mlxtend>=0.23"
    assert pins == [["tensorflow==2.19.0", "keras==3.10.0", "numpy==1.24.4"]]
    assert invalidated == [1], "the kernel must look for the new packages"
    assert "installing what this machine lacks: mlxtend>=0.23" in capsys.readouterr().out


def test_install_missing_says_when_nothing_is_needed(monkeypatch, capsys):
    monkeypatch.setattr("importlib.metadata.requires", lambda name: ["pandas>=2.0"])
    monkeypatch.setattr(colab, "installed_version", INSTALLED.get)
    assert colab.install_missing(run=pytest.fail) == []
    assert "already installed" in capsys.readouterr().out


# --- a simulated Colab -----------------------------------------------------------------


def _toml():
    """The TOML reader: the standard library's from Python 3.11, ``tomli`` (the same code) on 3.10."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10, which the course supports
        import tomli as tomllib
    return tomllib


def _with_extra(requirement: str, extra: str) -> str:
    """``requirement`` for ``extra`` only, its own marker (if any) kept, as a build backend writes it."""
    name, _, marker = requirement.partition(";")
    marker = f"({marker.strip()}) and " if marker.strip() else ""
    return f'{name.strip()}; {marker}extra == "{extra}"'


def build_wheel(root: Path, out_dir: Path) -> Path:
    """A wheel of this checkout's ``labs``, written directly (no build backend, no network)."""
    project = _toml().loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dist = f"dnn_labs-{labs.__version__}"
    metadata = [f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {labs.__version__}"]
    metadata += [f"Requires-Dist: {r}" for r in project["dependencies"]]
    for extra, requirements in project.get("optional-dependencies", {}).items():
        metadata += [f"Provides-Extra: {extra}"] + [f"Requires-Dist: {_with_extra(r, extra)}" for r in requirements]
    shipped = [*(root / "labs").rglob("*.py"), root / "labs" / "checks" / "expected.npz",  # code + package data
               *(root / "labs" / "locale").glob("*/LC_MESSAGES/*.mo")]
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(shipped) if "__pycache__" not in p.parts}
    files[f"{dist}.dist-info/METADATA"] = ("\n".join(metadata) + "\n").encode()
    files[f"{dist}.dist-info/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = [f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
              f"{len(data)}" for name, data in files.items()]
    files[f"{dist}.dist-info/RECORD"] = ("\n".join([*record, f"{dist}.dist-info/RECORD,,"]) + "\n").encode()
    wheel = out_dir / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel


def test_hand_made_wheel_carries_the_package_data(tmp_path):
    tomllib = pytest.importorskip("tomllib")
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    with zipfile.ZipFile(build_wheel(ROOT, tmp_path)) as wheel:
        shipped = {name for name in wheel.namelist() if name.startswith("labs/") and not name.endswith(".py")}
    declared = {f"{package.replace('.', '/')}/{name}" for package, names in data.items() for name in names}
    assert declared == {"labs/checks/expected.npz", "labs/locale/*/LC_MESSAGES/*.mo"}
    assert {pattern for pattern in declared if any(fnmatch.fnmatch(name, pattern) for name in shipped)} == declared
    assert "labs/locale/zh/LC_MESSAGES/labs.mo" in shipped


def colab_like_venv(folder: Path) -> tuple[Path, Path]:
    """A throw-away environment that sees this one's packages but not its ``labs`` (like Colab,
    which has TensorFlow and friends but not the course's package). Returns (python, site-packages)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    own = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                         check=True, capture_output=True, text=True).stdout.strip()
    # A plain path entry, not a site directory: its .pth files (the editable `labs`) are not run.
    Path(own, "_colab_preinstalled.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return python, Path(own)


def _outputs(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.mark.notebook
@pytest.mark.skipif(sys.platform == "win32", reason="the simulation uses a POSIX venv layout")
def test_first_cells_on_a_simulated_colab(tmp_path):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    python, own_packages = colab_like_venv(tmp_path / "venv")
    wheel = build_wheel(ROOT, tmp_path)
    spec = tmp_path / "kernels" / "colab-sim"
    spec.mkdir(parents=True)
    spec.joinpath("kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "simulated Colab", "language": "python",
        "env": {"PYTHONPATH": str(STAND_IN), "LABS_REPO_URL": wheel.as_uri(), "LABS_DATA": "sample",
                "LABS_PROFILE": "fast", "MPLBACKEND": "agg", "PIP_NO_INDEX": "1",
                "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    }))
    before = sorted(p.name for p in own_packages.iterdir())

    notebooks = course_notebooks()
    cells = [nbformat.read(p, as_version=4).cells for p in notebooks]
    first_cells = [next(c for c in nb if c.cell_type == "code").source for nb in cells]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in first_cells]
    nb.cells.append(nbformat.v4.new_code_cell("print(labs.__file__, labs.on_colab())"))
    nb.cells.append(nbformat.v4.new_code_cell("labs.checks.check_updates_per_epoch(lambda n, b: -(-n // b))"))
    km = KernelManager(kernel_name="colab-sim", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec.parent)]))
    NotebookClient(nb, km=km, timeout=600, resources={"metadata": {"path": str(tmp_path)}}).execute()

    first, *others = [_outputs(c) for c in nb.cells[:-2]]
    assert "every package the labs need is already installed" in first, first
    for name, out in zip([p.name for p in notebooks], [first, *others]):
        assert "Running on Colab: yes" in out, f"{name}: {out}"
        assert "installing" not in out.lower(), f"{name}'s first cell installed something: {out}"
    labs_file, on_colab = _outputs(nb.cells[-2]).split()
    assert labs_file.startswith(str(own_packages)) and on_colab == "True"
    assert "✓" in _outputs(nb.cells[-1]), "the installed checks do not find their expected values"
    added = sorted(set(p.name for p in own_packages.iterdir()) - set(before))
    assert [re.sub(r"-[\d.]+\.dist-info$", "", a) for a in added] == ["dnn_labs", "labs"], (
        f"the first cell installed more than labs: {added}"
    )


# --- pip really running: the constraints keep NumPy where it is ----------------------------


def fake_wheel(out_dir: Path, name: str, version: str, requires: tuple[str, ...] = ()) -> Path:
    """A wheel of an empty package ``name`` (a module that holds its version), built with zipfile."""
    dist = f"{name.replace('-', '_')}-{version}"
    module = name.replace("-", "_")
    metadata = "\n".join([f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}",
                          *[f"Requires-Dist: {r}" for r in requires]]) + "\n"
    files = {f"{module}/__init__.py": f"__version__ = {version!r}\n".encode(),
             f"{dist}.dist-info/METADATA": metadata.encode(),
             f"{dist}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = [f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}"
              for n, d in files.items()]
    files[f"{dist}.dist-info/RECORD"] = ("\n".join([*record, f"{dist}.dist-info/RECORD,,"]) + "\n").encode()
    wheel = out_dir / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for n, d in files.items():
            archive.writestr(n, d)
    return wheel


_INSTALL_IN_VENV = """
import importlib.util, sys
from importlib import metadata
spec = importlib.util.spec_from_file_location("labs_colab", sys.argv[1])  # labs/colab.py alone
colab = importlib.util.module_from_spec(spec)
spec.loader.exec_module(colab)
try:
    colab.install_missing()
except Exception as error:
    print("failed:", type(error).__name__)
print("numpy", metadata.version("numpy"))
print("mlxtend", colab.installed_version("mlxtend"))
"""


@pytest.fixture(scope="module")
def pip_venv(tmp_path_factory):
    """A fresh venv (pip from ensurepip, offline) with a fake NumPy 1.0 and a fake dnn-labs that
    asks for mlxtend; a local wheel folder where the newest mlxtend wants NumPy 2."""
    root = tmp_path_factory.mktemp("pip-venv")
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True, timeout=300)
    python = root / "venv" / "bin" / "python"
    wheels = root / "wheels"
    wheels.mkdir()
    for name, version, requires in [("numpy", "1.0", ()), ("numpy", "2.0", ()),
                                    ("mlxtend", "0.23.0", ("numpy>=1.0",)), ("mlxtend", "0.24.0", ("numpy>=2",)),
                                    ("dnn-labs", "0.0.1", ("mlxtend>=0.23", "numpy>=1.0"))]:
        fake_wheel(wheels, name, version, requires)
    # pip sees only the wheel folder: no index, no configuration of this machine's
    env = {"PATH": "/usr/bin:/bin", "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1",
           "PIP_FIND_LINKS": str(wheels), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    for args in (["numpy==1.0"], ["--no-deps", "dnn-labs==0.0.1"]):
        subprocess.run([python, "-m", "pip", "install", "--quiet", *args], check=True, env=env, timeout=300)
    # labs/colab.py needs `packaging`: this environment's copy, on the path
    shim = root / "shim"
    shim.mkdir()
    import packaging

    (shim / "packaging").symlink_to(Path(packaging.__file__).parent)
    return python, wheels, {**env, "PYTHONPATH": str(shim)}


@pytest.mark.skipif(sys.platform == "win32", reason="the venv layout is POSIX")
def test_pip_keeps_numpy_and_picks_the_mlxtend_that_fits(pip_venv):
    python, _, env = pip_venv
    colab_py = Path(colab.__file__)
    done = subprocess.run([python, "-c", _INSTALL_IN_VENV, str(colab_py)], capture_output=True, text=True,
                          env=env, timeout=300, cwd=python.parents[2])  # not a checkout with its egg-info
    assert done.returncode == 0, done.stderr[-3000:]
    assert "numpy 1.0" in done.stdout, "pip replaced the runtime's NumPy:\n" + done.stdout
    assert "mlxtend 0.23.0" in done.stdout, done.stdout  # the newest that fits NumPy 1.0


@pytest.mark.skipif(sys.platform == "win32", reason="the venv layout is POSIX")
def test_pip_fails_loudly_when_nothing_fits_the_kept_numpy(pip_venv, tmp_path):
    python, wheels, env = pip_venv
    only_new = tmp_path / "wheels"
    only_new.mkdir()
    for wheel in wheels.glob("*.whl"):
        if not wheel.name.startswith("mlxtend-0.23"):
            (only_new / wheel.name).write_bytes(wheel.read_bytes())
    subprocess.run([python, "-m", "pip", "uninstall", "--yes", "--quiet", "mlxtend"], env=env, timeout=300)
    done = subprocess.run([python, "-c", _INSTALL_IN_VENV, str(Path(colab.__file__))], capture_output=True,
                          text=True, env={**env, "PIP_FIND_LINKS": str(only_new)}, timeout=300, cwd=tmp_path)
    assert "failed: CalledProcessError" in done.stdout, done.stdout + done.stderr[-2000:]
    assert "numpy 1.0" in done.stdout and "mlxtend None" in done.stdout
    assert "conflicting dependencies" in done.stderr  # pip says why
