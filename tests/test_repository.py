"""The repository keeps its promises: CI runs the README's test command, files are in place."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text)[:2]


def test_readme_opens_with_two_commands():
    main_job, tests = _readme_commands()
    assert "python -m labs run" in main_job and "requirements.txt" in main_job
    assert "python -m pytest" in tests and "requirements-dev.txt" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    _, tests = _readme_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci_lines


def test_every_notebook_is_in_the_readme_table():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"(notebooks/{path.name})" in text, f"{path.name} is missing from the README's table"


def test_top_level_layout():
    for name in ("requirements.txt", "requirements-dev.txt", "environment.yml", "pyproject.toml",
                 ".pre-commit-config.yaml", "labs", "notebooks", "tests", "data"):
        assert (ROOT / name).exists(), name


def test_github_workflow_runs_the_readme_commands_verbatim():
    main_job, tests = _readme_commands()
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    runs = [line.strip().removeprefix("run: ") for line in workflow.splitlines() if line.strip().startswith("run: ")]
    assert tests in runs and main_job in runs
    assert re.search(r"LABS_PROFILE: fast", workflow), "the course job runs in the fast profile"


def test_import_labs_imports_no_instructor_tooling():
    """What a notebook imports never pulls in the instructor's side (runner, grading, nbgrader)."""
    import subprocess
    import sys

    code = ("import sys, labs; print(sorted(m for m in sys.modules if m.startswith('labs.course') "
            "or m.split('.')[0] in ('nbgrader', 'nbclient', 'psutil')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out


STACKS = ("oldest", "colab", "newest")


def _pins(path: Path) -> dict[str, str]:
    from packaging.requirements import Requirement

    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", f"{path.name}: {line} is not a pin"
            pins[requirement.name] = spec.version
    return pins


def test_every_stack_has_constraints_a_script_and_a_ci_job():
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    script = (ROOT / "ci" / "stack.sh").read_text(encoding="utf-8")
    assert 'constraints="ci/${stack}.txt"' in script and '-m "not notebook"' in script
    assert "python -m labs run" in script
    for stack in STACKS:
        assert (ROOT / "ci" / f"{stack}.txt").is_file(), stack
        assert f"stack: {stack}" in workflow, f"the CI matrix has no {stack} stack"
    assert "bash ci/stack.sh ${{ matrix.stack }}" in workflow
    assert _pins(ROOT / "ci" / "newest.txt") == {}


def test_the_oldest_stack_is_the_requirements_floor_and_the_pins_fit_them():
    """Each pin satisfies requirements.txt; in the oldest stack each pin has the floor's
    major.minor (a floor raised because the lowest release fails is raised in requirements.txt too)."""
    from packaging.requirements import Requirement
    from packaging.version import Version

    floors = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            floors[requirement.name] = requirement
    for stack in ("oldest", "colab"):
        for name, version in _pins(ROOT / "ci" / f"{stack}.txt").items():
            if name in floors:
                assert floors[name].specifier.contains(version), f"{stack}: {name}=={version} breaks {floors[name]}"
    oldest = _pins(ROOT / "ci" / "oldest.txt")
    for name, requirement in floors.items():
        lows = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        if not lows:
            continue
        assert name in oldest, f"ci/oldest.txt does not pin {name}"
        assert (Version(oldest[name]).release + (0,))[:2] == (lows[0].release + (0,))[:2], f"{name}: {oldest[name]} vs {requirement}"
