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
