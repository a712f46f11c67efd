"""What a student reads: the executed pages carry the lesson, not the course's machinery.

Each lab's executed notebook (the suite's own fast run) is read as a student would: no stray
value echoed after a cell, no per-seed training log outside lab 04 (which teaches ``fit``),
no data-loading chatter, and no profile variable names in the prose. Stub signatures are
checked on the masters: a student's release keeps each function exercise's ``def`` line and
docstring.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from labs.course.runner import course_notebooks

from .conftest import notebook_stems

# Lines a training helper prints per run or per epoch (labs.training's verbose formats).
TRAINING_LOG = re.compile(r"^\S.*\bseed \d+: .*\bloss\b|^epoch +\d+/\d+ ", re.MULTILINE)
DATA_CHATTER = re.compile(r"Downloading data from|asks for [\d,]+ images|SHA-256")
PROFILE_NAME = re.compile(r"\bP\.[a-z_][a-z0-9_]*")
LAB_TEACHING_FIT = "04_mnist_mlp"


def _stream_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def page_problems(nb, stem: str) -> list[str]:
    """Everything on an executed page that a student should not have to read past."""
    problems = []
    for number, cell in enumerate(nb.cells, start=1):
        where = f"cell {number} ({cell.get('id', '?')})"
        if cell.cell_type == "markdown":
            names = sorted(set(PROFILE_NAME.findall(cell.source)))
            if names:
                problems.append(f"{where}: markdown names profile settings {names}: show their numbers")
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "execute_result" and set(output.get("data", {})) <= {"text/plain"}:
                shown = output["data"].get("text/plain", "")[:80]
                problems.append(f"{where}: echoes a stray value {shown!r} (end the line with ';' or drop it)")
            if output.output_type == "stream" and output.get("name") == "stderr":
                problems.append(f"{where}: writes to stderr: {output.get('text', '')[:80]!r}")
        text = _stream_text(cell)
        if stem != LAB_TEACHING_FIT and TRAINING_LOG.search(text):
            problems.append(f"{where}: prints a training log line {TRAINING_LOG.search(text).group(0)!r}")
        if DATA_CHATTER.search(text):
            problems.append(f"{where}: data-loading chatter {DATA_CHATTER.search(text).group(0)!r}")
    return problems


@pytest.mark.notebook
@pytest.mark.parametrize("stem", notebook_stems())
def test_executed_page_is_quiet(stem, executed):
    run, _ = executed(stem)
    nb = nbformat.read(run.executed, as_version=4)
    problems = page_problems(nb, stem)
    assert not problems, f"{stem}:\n  " + "\n  ".join(problems)


HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.notebook
@pytest.mark.parametrize("stem", notebook_stems())
def test_chinese_page_is_quiet_and_speaks_chinese(stem, executed_zh):
    """The Chinese edition's run: as quiet as the English one, and what the course prints (the
    set-up report, every self-check's ✓ line) is in Chinese."""
    run, _ = executed_zh(stem)
    nb = nbformat.read(run.executed, as_version=4)
    problems = page_problems(nb, stem)
    assert not problems, f"zh/{stem}:\n  " + "\n  ".join(problems)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "设备" in _stream_text(code[0]), "the set-up report is not in Chinese"
    ticks = [line for c in code for line in _stream_text(c).splitlines() if line.startswith("✓")]
    assert ticks, f"zh/{stem} printed no ✓ line"
    english = [line for line in ticks if not HAN.search(line)]
    assert not english, f"zh/{stem}: self-checks answered in English: {english[:3]}"


def test_page_problems_are_found():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("We train for P.opt_train images."),
                nbformat.v4.new_code_cell("x")]
    nb.cells[1].outputs = [
        nbformat.v4.new_output("execute_result", data={"text/plain": "True"}, execution_count=1),
        nbformat.v4.new_output("stream", name="stdout", text="relu        seed 0: loss 0.3  accuracy 0.9  (2.0 s)\n"),
        nbformat.v4.new_output("stream", name="stderr", text="RuntimeWarning: overflow\n"),
    ]
    found = "\n".join(page_problems(nb, "99_x"))
    for expected in ("P.opt_train", "stray value 'True'", "stderr", "training log"):
        assert expected in found
    assert "training log" not in "\n".join(page_problems(nb, LAB_TEACHING_FIT))


def _solution_blocks(source: str) -> list[tuple[str, str]]:
    """(text before, text inside) for each ``### BEGIN/END SOLUTION`` block of a cell."""
    blocks, rest = [], source
    while "### BEGIN SOLUTION" in rest:
        before, _, after = rest.partition("### BEGIN SOLUTION")
        inside, _, rest = after.partition("### END SOLUTION")
        blocks.append((before, inside))
    return blocks


def stub_problems(nb) -> list[str]:
    problems = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for before, inside in _solution_blocks(cell.source):
            hidden = [line for line in inside.splitlines() if re.match(r"(async )?def |class ", line)]
            if hidden:
                problems.append(f"{cell.get('id', '?')}: {hidden[0].strip()!r} sits inside the solution block")
            elif re.search(r"^def ", before, re.MULTILINE) and '"""' not in before:
                problems.append(f"{cell.get('id', '?')}: the function above the solution block has no docstring")
    return problems


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.stem)
def test_function_stubs_keep_their_signature(path):
    problems = stub_problems(nbformat.read(path, as_version=4))
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_stub_problems_are_found():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('### BEGIN SOLUTION\ndef f(x):\n    """Doc."""\n    return x\n### END SOLUTION'),
                nbformat.v4.new_code_cell('def g(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION'),
                nbformat.v4.new_code_cell('def h(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION')]
    found = stub_problems(nb)
    assert len(found) == 2 and "'def f(x):'" in found[0] and "no docstring" in found[1]
