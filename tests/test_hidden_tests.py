"""Every graded exercise ends its check cell with a hidden test the grader's referee can use.

The hidden test (between nbgrader's ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``)
names the functions that would answer the exercise (``# twins:``), draws its cases from
``labs.probes.rng(name)`` and hands raw results to ``labs.probes.record``. It runs in the
student's kernel right after the public check, so it binds only names that start with ``_``
(the notebook's own names stay as they were) and prints nothing.
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from labs.course.runner import course_notebooks

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
TWINS = re.compile(r"^# twins: ([\w.]+)(, [\w.]+)*$")


def check_cells(path):
    """(id, source) of every check cell: the code cell after an answer cell."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    return [(after.id, after.source) for cell, after in zip(code, code[1:]) if "### BEGIN SOLUTION" in cell.source]


def hidden_block(source: str) -> str:
    return source.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")


def bound_names(tree: ast.Module) -> set[str]:
    """Names the block binds in the notebook's namespace (not inside functions or comprehensions)."""
    names: set[str] = set()
    local_scopes = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        if isinstance(node, local_scopes):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


CELLS = [(path.stem, cell_id, source) for path in course_notebooks() for cell_id, source in check_cells(path)]


@pytest.mark.parametrize(("stem", "cell_id", "source"), CELLS, ids=[f"{s}-{c}" for s, c, _ in CELLS])
def test_check_cell_ends_with_a_hidden_test(stem, cell_id, source):
    lines = source.splitlines()
    assert lines[0].startswith("labs.checks.check_"), "the public check comes first"
    assert source.count(BEGIN) == 1 and source.count(END) == 1 and lines[-1] == END
    block = hidden_block(source)
    first = block.splitlines()[0]
    assert TWINS.match(first), f"the hidden test must open with '# twins: a.b, c.d'; got {first!r}"
    tree = ast.parse(block)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    called = {ast.unparse(n.func) for n in calls}
    assert "print" not in called, "a hidden test prints nothing"
    rng_names = [n.args[0].value for n in calls if ast.unparse(n.func) == "labs.probes.rng"]
    records = [n for n in calls if ast.unparse(n.func) == "labs.probes.record"]
    assert len(rng_names) == 1, "draw the cases from one labs.probes.rng(name)"
    assert records and all(r.args[0].value.startswith(rng_names[0]) for r in records), (
        "every record's name starts with the exercise's rng name")
    clashing = sorted(name for name in bound_names(tree) if not name.startswith("_"))
    assert not clashing, f"the hidden test would overwrite the notebook's names {clashing}"


def test_hidden_test_names_are_unique():
    names = []
    for _, _, source in CELLS:
        names += re.findall(r'labs\.probes\.record\(\s*"(\w+)"', hidden_block(source))
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
