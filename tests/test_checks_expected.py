"""The self-checks' stored expected values are the masters' answers, and the package holds no answer.

``labs/checks/expected.npz`` is made by ``python -m labs expected`` from the solution cells of the
source notebooks; these tests make it again and compare, run every check on the masters, and call
every function of the checks (and of the generator) on fresh inputs to see that none of them
returns an exercise's answer.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import shutil
import warnings

import numpy as np
import pytest

import labs.checks
from labs import checks
from labs.__main__ import main
from labs.course import expected
from labs.course.runner import NOTEBOOKS


@pytest.fixture(scope="module")
def masters():
    return expected.masters()


def test_shipped_expected_values_are_the_masters_answers_today():
    problems = expected.differences(expected.stored_values(), expected.expected_values())
    assert not problems, (
        "labs/checks/expected.npz no longer matches the masters' solutions and the checks' cases: run "
        "`python -m labs expected` and commit the file.\n" + "\n".join(problems)
    )


def test_a_changed_master_makes_the_stored_values_stale(tmp_path):
    for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"):
        shutil.copy(path, tmp_path / path.name)
    [path] = tmp_path.glob("05_*.ipynb")
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if "def se_gradient(" in source:
            cell["source"] = source.replace("return 2 * y *", "return 3 * y *")
    path.write_text(json.dumps(nb), encoding="utf-8")
    problems = expected.differences(expected.stored_values(), expected.expected_values(tmp_path))
    assert problems == ["lab05.se_gradient.case0: the stored values differ from the master's"]


def test_cli_check(capsys):
    assert main(["expected", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_command_writes_only_stale_values(tmp_path, capsys):
    path = tmp_path / "expected.npz"
    assert expected.run_command(check=True, path=path) == 1 and not path.exists()
    assert expected.run_command(path=path) == 0 and "wrote" in capsys.readouterr().out
    written = path.stat().st_mtime_ns
    assert expected.run_command(path=path) == 0 and "up to date" in capsys.readouterr().out
    assert path.stat().st_mtime_ns == written
    values = expected.stored_values(path)
    values["lab07.chain_gradient.case0"] = values["lab07.chain_gradient.case0"] * 2
    expected.write(values, path)
    assert expected.run_command(check=True, path=path) == 1
    assert "lab07.chain_gradient.case0: the stored values differ" in capsys.readouterr().out


def test_every_check_passes_on_the_masters(masters, capsys):
    m = masters
    dropout = expected.master_solutions("09", ["my_dropout"])["my_dropout"]
    checks.check_bp_gradients(m["lab03.bp_gradients"])
    checks.check_confusion_matrix(m["lab04.confusion_matrix"])
    checks.check_ce_gradient(m["lab05.ce_gradient"])
    checks.check_se_gradient(m["lab05.se_gradient"])
    checks.check_updates_per_epoch(m["lab06.updates_per_epoch"])
    checks.check_minibatch_indices(m["lab06.minibatch_indices"])
    checks.check_activations(m["lab07.leaky_relu"], m["lab07.elu"])
    checks.check_chain_gradient(m["lab07.chain_gradient"])
    checks.check_adagrad_update(m["lab08.adagrad_update"])
    checks.check_momentum_update(m["lab08.momentum_update"])
    checks.check_hand_dropout(dropout, m["lab09.test_weights"])
    checks.check_weight_decay_update(m["lab09.decay_update"])
    checks.check_pca_reconstruction(m["lab10.pca_reconstruction"])
    checks.check_kl_sparsity(m["lab10.kl_sparsity"])
    checks.check_parameter_count(m["lab11.parameter_count"])
    checks.check_shallow_width(m["lab11.shallow_width"])
    assert capsys.readouterr().out.count("✓") == 16


def test_a_check_says_when_it_has_no_values_for_its_settings():
    with pytest.raises(ValueError, match=r"expected values for \[\{'lr': 0.5\}\] only; got \{'lr': 0.3\}"):
        checks.check_adagrad_update(lambda w, g, s, lr: (w, s), learning_rate=0.3)


# --- nothing in the package answers an exercise ----------------------------------------------


def _fresh(key: str, seed: int) -> tuple:
    """New inputs of the right shapes for exercise ``key``: not any check's fixed case."""
    rng = np.random.default_rng(seed)
    d, n_h, c = 4, 5, 3
    sigmoid_codes = 1 / (1 + np.exp(-rng.normal(-1.0, 1.0, size=(25, 5))))
    return {
        "lab03.bp_gradients": lambda: (rng.normal(size=d), rng.uniform(size=c), rng.normal(size=(d, n_h)),
                                       rng.normal(size=n_h), rng.normal(size=(n_h, c)), rng.normal(size=c)),
        "lab04.confusion_matrix": lambda: (rng.integers(0, 5, size=40), rng.integers(0, 5, size=40), 6),
        "lab05.ce_gradient": lambda: (rng.normal(size=(6, 5)), np.eye(5)[rng.integers(0, 5, size=6)]),
        "lab05.se_gradient": lambda: (rng.normal(size=(6, 5)), np.eye(5)[rng.integers(0, 5, size=6)]),
        "lab06.updates_per_epoch": lambda: (int(rng.integers(1000, 90000)), int(rng.integers(7, 300))),
        "lab06.minibatch_indices": lambda: (int(rng.integers(30, 90)), int(rng.integers(3, 9)),
                                            np.random.default_rng(seed + 1)),
        "lab07.leaky_relu": lambda: (rng.normal(size=11), float(rng.uniform(0.01, 0.5))),
        "lab07.elu": lambda: (rng.normal(size=11), float(rng.uniform(0.5, 2.0))),
        "lab07.chain_gradient": lambda: (rng.normal(size=7), rng.normal(size=7)),
        "lab08.adagrad_update": lambda: (rng.normal(size=3), rng.normal(size=3), rng.uniform(0, 2, size=3),
                                         float(rng.uniform(0.01, 1.0))),
        "lab08.momentum_update": lambda: (rng.normal(size=3), rng.normal(size=3), rng.normal(size=3),
                                          float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.5, 0.99))),
        "lab09.test_weights": lambda: (rng.normal(size=(4, 6)), float(rng.uniform(0.3, 0.9))),
        "lab09.decay_update": lambda: (rng.normal(size=3), rng.normal(size=3), float(rng.uniform(0.01, 0.5)),
                                       float(rng.uniform(0.01, 0.2))),
        "lab10.pca_reconstruction": lambda: (rng.normal(size=(30, 8)) + 2, rng.normal(size=(5, 8)) + 2, 3),
        "lab10.kl_sparsity": lambda: (sigmoid_codes, float(rng.uniform(0.02, 0.3))),
        "lab11.parameter_count": lambda: ([int(n) for n in rng.integers(3, 900, size=4)],),
        "lab11.shallow_width": lambda: (int(rng.integers(10**5, 10**7)), int(rng.integers(10, 900)),
                                        int(rng.integers(2, 50))),
    }[key]()


def _same(got, want) -> bool:
    if isinstance(want, (tuple, list)):
        return isinstance(got, (tuple, list)) and len(got) == len(want) and all(map(_same, got, want))
    try:
        got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-6, atol=1e-12))


def _package_functions():
    """Every function defined in labs.checks' modules and in the generator, public or private
    (the generator's two commands, which write or re-run everything, left out)."""
    modules = [importlib.import_module(f"labs.checks.{m.name}") for m in pkgutil.iter_modules(labs.checks.__path__)]
    modules += [labs.checks, expected]
    for module in modules:
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and (module, name) not in ((expected, "write"),
                                                                          (expected, "run_command")):
                yield f"{module.__name__}.{name}", fn


def test_fresh_inputs_cover_every_exercise():
    for exercise in expected.EXERCISES:
        _fresh(exercise.key, 0)


@pytest.mark.parametrize("key", [e.key for e in expected.EXERCISES])
def test_no_function_in_the_package_returns_an_answer(key, masters, capsys):
    want = masters[key](*_fresh(key, 12345))
    functions = list(_package_functions())
    assert len(functions) > 40
    answering = []
    for name, fn in functions:
        args = _fresh(key, 12345)
        try:
            inspect.signature(fn).bind(*args)
        except TypeError:
            continue
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got = fn(*args)
        except Exception:  # a check given arrays instead of functions, a helper given the wrong kind of input
            continue
        if _same(got, want):
            answering.append(name)
    capsys.readouterr()
    assert not answering, f"{', '.join(answering)} return(s) the answer of {key} on fresh inputs"
