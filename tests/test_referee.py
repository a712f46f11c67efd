"""The referee: judges, records read as data only, and the static read of answers."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from labs import probes
from labs.course import referee, sandbox


def _record(folder, name, values, judge="close", **options):
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(folder / f"{name}.npz", **values)
    (folder / f"{name}.json").write_text(json.dumps({"judge": judge, "options": options}))


@pytest.fixture
def folders(tmp_path):
    return tmp_path / "reference", tmp_path / "student"


# --- records and judges --------------------------------------------------------------------------


def test_probe_records_only_under_grading_and_checks_its_values(tmp_path, monkeypatch):
    monkeypatch.delenv(probes.DIR_VARIABLE, raising=False)
    probes.record("ok", {"a": [np.zeros(2), np.ones(3)], "s": "relu"})  # ragged lists are split
    assert not list(tmp_path.iterdir())
    with pytest.raises(TypeError, match="must be numbers or strings"):
        probes.record("bad", {"a": object()})
    with pytest.raises(ValueError, match="judge must be one of"):
        probes.record("bad", {"a": 1}, judge="lenient")
    with pytest.raises(ValueError, match="name must be a short identifier"):
        probes.record("../x", {"a": 1})
    monkeypatch.setenv(probes.DIR_VARIABLE, str(tmp_path))
    monkeypatch.setenv(probes.EXERCISE_VARIABLE, "2")
    probes.record("ok", {"a": [np.zeros(2), np.ones(3)]}, rtol=1e-3)
    assert sorted(p.name for p in (tmp_path / "2").iterdir()) == ["ok.json", "ok.npz"]
    assert sorted(np.load(tmp_path / "2" / "ok.npz").files) == ["a.0", "a.1"]


def test_rng_follows_the_grading_seed(monkeypatch):
    monkeypatch.setenv(probes.SEED_VARIABLE, "11")
    a = probes.rng("x").normal(size=3)
    assert np.array_equal(a, probes.rng("x").normal(size=3))
    assert not np.array_equal(a, probes.rng("y").normal(size=3))
    monkeypatch.setenv(probes.SEED_VARIABLE, "12")
    assert not np.array_equal(a, probes.rng("x").normal(size=3))


@pytest.mark.parametrize(("judge", "options", "want", "got", "passes"), [
    ("close", {"rtol": 1e-6}, np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), True),
    ("close", {"rtol": 1e-6}, np.array([1.0, 2.0]), np.array([1.0, 2.1]), False),
    ("close", {}, np.array([1.0, 2.0]), np.array([-1.0, -2.0]), False),
    ("close", {}, np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0]), False),
    ("close", {}, np.array([1.0]), np.array([np.nan]), False),
    ("equal", {}, np.array(["relu", "softmax"]), np.array(["relu", "softmax"]), True),
    ("equal", {}, np.array(["relu", "softmax"]), np.array(["sigmoid", "softmax"]), False),
    ("equal", {}, np.array([3, 4]), np.array([3.0, 4.0]), True),
    ("at_least", {"threshold": 0.9}, np.array(0.95), np.array(0.91), True),
    ("at_least", {"threshold": 0.9}, np.array(0.95), np.array(0.89), False),
    ("at_most", {"threshold": 1000}, np.array(800), np.array(1200), False),
    ("same_distribution", {"alpha": 1e-3}, np.random.default_rng(0).uniform(-1, 1, 4000),
     np.random.default_rng(1).uniform(-1, 1, 4000), True),
    ("same_distribution", {"alpha": 1e-3}, np.random.default_rng(0).uniform(-1, 1, 4000),
     np.random.default_rng(1).normal(0, 1, 4000), False),
])
def test_judges(folders, judge, options, want, got, passes):
    reference, student = folders
    _record(reference, "r", {"v": want}, judge, **options)
    _record(student, "r", {"v": got}, "close", rtol=1e9)  # the student's own judge is never used
    verdict = referee.judge_exercise(reference, student)
    assert verdict.passed is passes, verdict.message
    assert str(np.ravel(want)[-1]) not in verdict.message  # never an expected value


def test_missing_forged_and_linked_records_fail(folders, tmp_path):
    reference, student = folders
    _record(reference, "r", {"v": np.arange(3.0)})
    assert not referee.judge_exercise(reference, student).passed  # nothing recorded
    student.mkdir()
    (student / "r.npz").write_bytes(b"not an npz")
    assert "cannot be read" in referee.judge_exercise(reference, student).message
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.savez(student / "r.npz", v=np.array([{"a": 1}], dtype=object))  # a pickled object: refused
    assert "cannot be read" in referee.judge_exercise(reference, student).message
    (student / "r.npz").unlink()
    secret = tmp_path / "secret.npz"
    np.savez(secret, v=np.arange(3.0))
    os.symlink(secret, student / "r.npz")
    assert "not a plain file" in referee.judge_exercise(reference, student).message


def test_split_check_and_twins():
    source = "labs.checks.check_x(f)\n### BEGIN HIDDEN TESTS\n# twins: a.b, c.d.e\nrecord()\n### END HIDDEN TESTS"
    public, hidden = referee.split_check(source)
    assert public == "labs.checks.check_x(f)\n" and hidden.startswith("# twins") and "END" not in hidden
    assert referee.twins_of(hidden) == ["a.b", "c.d.e"]
    assert referee.split_check("check()") == ("check()", "")


# --- the static read of answers ------------------------------------------------------------------

HOSTILE_ANSWERS = {
    "get_ipython().input_transformers_cleanup.append(lambda l: ['pass'])": "get_ipython",
    "labs.checks.check_perceptron_update = print": "changes an imported module",
    "setattr(labs.checks, 'check_x', print)": "calls setattr",
    "import sys\nsys.modules['labs.checks'] = None": "reads sys.modules",
    "np.allclose = lambda *a, **k: True": "changes an imported module",
    "f.__code__ = g.__code__": "__code__",
    "exec(open('x.py').read())": "calls exec",
    "import importlib\nimportlib.reload(labs)": "imports importlib",
    "import ctypes": "imports ctypes",
    "import subprocess\nsubprocess.run(['ls'])": "imports subprocess",
    "import os\nos.system('ls')": "runs a shell command",
    "import socket": "imports socket",
    "open('/home/x/notes.txt', 'w')": "outside the working folder",
    "open('../../labs/checks/lab01.py', 'a')": "outside the working folder",
    "!pip install something": "IPython magic or shell command",
    "import builtins\nbuiltins.print = None": "imports builtins",
}


@pytest.mark.parametrize("source", sorted(HOSTILE_ANSWERS))
def test_reaches_into_grading_are_flagged(source):
    flags = referee.read_answer(source).flags
    assert any(HOSTILE_ANSWERS[source] in f for f in flags), flags


@pytest.mark.parametrize("source", [
    "def f(w, b, x, t, lr):\n    z = np.sign(x @ w + b)\n    return w + lr * (t - z) * x, b\n",
    "import sys\nprint('debug', file=sys.stderr)\nanswer = 42",
    "import os\nx = os.path.join('a', 'b')",
    "with open('results.txt', 'w') as out:\n    out.write('ok')",
    "model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10)])",
    "def f(x):\n    return getattr(x, 'shape')",
])
def test_honest_answers_are_not_flagged(source):
    assert referee.read_answer(source).flags == []


@pytest.mark.parametrize(("source", "twin"), [
    ("perceptron_update = labs.neurons.perceptron_update", "labs.neurons.perceptron_update"),
    ("from labs.neurons import perceptron_update as p\ndef perceptron_update(*a):\n    return p(*a)",
     "labs.neurons.perceptron_update"),
    ("def f(*a):\n    return getattr(labs.neurons, 'perceptron_update')(*a)", "labs.neurons.perceptron_update"),
    ("def f(*a):\n    return labs.checks.lab01.whatever(*a)", "labs.checks"),
    ("from sklearn.decomposition import PCA", "sklearn.decomposition.PCA"),
])
def test_twins_are_found(source, twin):
    twins = ["labs.neurons.perceptron_update", "labs.checks", "sklearn.decomposition.PCA"]
    assert referee.read_answer(source, twins).twins == [twin]


def test_an_answer_defining_its_own_function_is_not_a_twin():
    source = "def perceptron_update(w, b, x, t, lr):\n    return perceptron_step(w)\n"
    assert referee.read_answer(source, ["labs.neurons.perceptron_update"]).twins == []


# --- the sandbox's command line -----------------------------------------------------------------


def test_bwrap_command_hides_the_checkout_and_the_network(tmp_path):
    box = sandbox.Sandbox("bwrap")
    cmd = box.command(["python", "-m", "ipykernel_launcher"], runtime_dir=tmp_path / "rt", workdir=tmp_path / "wd",
                      env={"LABS_GRADING": "1"})
    assert cmd[0] == "prlimit" and f"--as={sandbox.DEFAULT_MEMORY}" in cmd
    assert {"--unshare-all", "--die-with-parent", "--clearenv"} <= set(cmd)
    checkout = str(sandbox.package_dir().parent)
    bound = [cmd[i + 1] for i, a in enumerate(cmd) if a in ("--bind", "--ro-bind", "--ro-bind-try")]
    assert checkout not in bound and not any(checkout.startswith(b.rstrip("/") + "/") and b != "/" for b in bound
                                             if not b.startswith(sys_prefixes()))
    env = {cmd[i + 1]: cmd[i + 2] for i, a in enumerate(cmd) if a == "--setenv"}
    assert env["LABS_GRADING"] == "1" and env["HOME"] == sandbox.INSIDE_HOME
    assert not any(k.endswith(("TOKEN", "PROXY", "proxy")) for k in env)


def sys_prefixes() -> tuple[str, ...]:
    import sys

    return (sys.prefix, sys.base_prefix)


def test_container_command_has_no_network_and_cgroup_limits(tmp_path):
    cmd = sandbox.Sandbox("docker", sandbox.Limits(memory=2**30, processes=64)).command(
        ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "k.json"], runtime_dir=tmp_path, workdir=tmp_path,
        env={})
    joined = " ".join(cmd)
    assert "--network none" in joined and "--read-only" in joined and f"--memory {2**30}" in joined
    assert "--pids-limit 64" in joined and cmd[-4:] == ["-m", "ipykernel_launcher", "-f", "k.json"]


def test_a_missing_sandbox_tool_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap"):
        sandbox.Sandbox("bwrap").check_available()
    with pytest.raises(ValueError, match="sandbox must be one of"):
        sandbox.Sandbox("chroot")
    sandbox.Sandbox("none").check_available()


# --- the masters themselves ----------------------------------------------------------------------


@pytest.mark.parametrize("path", __import__("labs.course.runner", fromlist=["x"]).course_notebooks(),
                         ids=lambda p: p.stem)
def test_every_exercise_has_a_hidden_test_and_its_solution_reads_clean(path):
    """Each graded exercise records hidden results; the master's own answer uses no twin and
    nothing the static read flags (so an honest answer in the master's style is never flagged)."""
    from labs.course.grading import Master

    master = Master.load(path)
    assert master.exercises
    for exercise in master.exercises:
        hidden = master.hidden.get(exercise.number, "")
        assert "labs.probes.record(" in hidden, f"{path.stem} exercise {exercise.number} has no hidden test"
        assert master.twins.get(exercise.number), f"{path.stem} exercise {exercise.number} names no twins"
        reading = referee.read_answer(master.solutions[exercise.answer_id], master.twins[exercise.number])
        assert reading.twins == [] and reading.flags == [], (path.stem, exercise.number, reading)
