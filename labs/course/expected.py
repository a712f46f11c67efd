"""The self-checks' expected values, made by running the masters' solutions on the checks' cases.

``python -m labs expected`` executes the solution cells (the code cells holding ``### BEGIN
SOLUTION``) of the source notebooks in a fresh namespace, calls each master answer on the fixed
public cases its check defines (``labs.checks.labNN._<exercise>_cases()``) and writes
``labs/checks/expected.npz``, keyed like ``lab05.se_gradient.case0``. The checks read that file,
so the package students install ships values for a few fixed inputs, not an implementation of any
answer. The values a check uses to name a typical mistake (PCA fitted on the wrong rows, the
gradient without a factor f'(a), …) come from the master too, called on transformed inputs.
Run it again whenever a master solution or a check's cases change; ``--check`` only compares.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from labs.checks import lab03, lab04, lab05, lab06, lab07, lab08, lab09, lab10, lab11
from labs.checks._common import EXPECTED_FILE
from labs.course.runner import NOTEBOOKS, resolve_notebooks
from labs.i18n import _

SOLUTION_MARKER = "### BEGIN SOLUTION"


@dataclass(frozen=True)
class Exercise:
    """One graded answer a check compares with: where the master is and which values to store."""

    key: str  # "lab05.se_gradient": the stored values are "<key>.case<i>[.<part>]"
    notebook: str  # "05"
    master: str  # the name the master's solution defines, e.g. "se_gradient"
    cases: Callable[[], list]  # the check's fixed cases
    values: Callable[[Callable, Any], dict[str, Any]]  # (master, case) -> {part ("" = the answer): value}


def _answer(master: Callable, case: Any) -> dict[str, Any]:
    return {"": master(*case)}


def _bp_gradients(master: Callable, case: tuple) -> dict[str, Any]:
    from labs.backprop import Network, forward

    x, t, W_ih, theta_h, W_hj, theta_j = case
    right = master(*case)
    _z_i, z_h, z_j = (a[0] for a in forward(Network([W_ih, W_hj], [theta_h, theta_j], "sigmoid", "squared"),
                                         x[None, :]).outputs)
    # Without f' at the output, δ_j = z_j − t: the master's (z_j − t')·z_j(1 − z_j) for this t'.
    t_out = z_j - (z_j - t) / (z_j * (1 - z_j))
    no_output = master(x, t_out, W_ih, theta_h, W_hj, theta_j)
    # Without f' at the hidden units, δ_h and each column of ∂E/∂W_ih lose the factor z_h(1 − z_h).
    no_hidden = [right[0] / (z_h * (1 - z_h)), right[1] / (z_h * (1 - z_h)), right[2], right[3]]
    values = {}
    for prefix, grads in (("", right), ("no_output_fprime.", no_output), ("no_hidden_fprime.", no_hidden)):
        values.update({prefix + name: g for name, g in zip(lab03.BP_NAMES, grads)})
    return values


def _activation(which: str) -> Callable[[Callable, Any], dict[str, Any]]:
    def values(master: Callable, case: tuple) -> dict[str, Any]:
        z, leaky_alpha, elu_alpha = case
        return {"": master(z.copy(), leaky_alpha if which == "leaky_relu" else elu_alpha)}

    return values


def _chain_gradient(master: Callable, case: tuple) -> dict[str, Any]:
    w, z = case
    return {"": master(w, z), "no_weights": master(np.ones_like(w), z),
            "sum": sum(master(w[k:k + 1], z[k:k + 1]) for k in range(len(w)))}  # one factor per chain of 1


def _minibatch_indices(master: Callable, case: tuple) -> dict[str, Any]:
    n, batch = case
    return {"batches": len(master(n, batch, np.random.default_rng(0)))}


def _trajectory(master: Callable, case: dict) -> dict[str, Any]:
    """Weights (and state) after 0 … ``steps`` steps of the master's rule on the case's bowl."""
    from labs.optimizers import elongated_bowl

    grad = elongated_bowl(*case["bowl"]).grad
    settings = [case[name] for name in ("lr", "decay", "momentum") if name in case]
    w, state = np.array(case["w"], dtype=np.float64), case.get("state")
    weights, states = [w], [state]
    for _step in range(case["steps"]):
        if state is None:
            w = np.asarray(master(w.copy(), grad(w), *settings), dtype=np.float64)
        else:
            w, state = (np.asarray(v, dtype=np.float64) for v in master(w.copy(), grad(w), state.copy(), *settings))
        weights.append(w)
        states.append(state)
    return {"w": np.stack(weights)} if state is None else {"w": np.stack(weights), "state": np.stack(states)}


def _test_weights(master: Callable, case: dict) -> dict[str, Any]:
    return {"": master(case["W"].copy(), case["keep_prob"])}


def _pca_reconstruction(master: Callable, case: tuple) -> dict[str, Any]:
    X_fit, X, k = case
    values = {
        "": master(X_fit, X, k),
        # [X_fit; −X_fit] has mean 0 and X_fit's principal directions: PCA without centring
        "not_centred": master(np.vstack([X_fit, -X_fit]), X, k),
        "fit_on_X": master(X, X, k),
    }
    if k < X.shape[1]:
        values.update({f"k{other}": master(X_fit, X, other) for other in (k - 1, k + 1) if other >= 1})
    return values


def _kl_sparsity(master: Callable, case: tuple) -> dict[str, Any]:
    H, rho = case
    return {
        "": master(H, rho),
        "row_means": master(H.T, rho),  # ρ̂ averaged over each row of H instead of each column
        # KL(ρ̂_j ‖ ρ): a unit whose mean activation is ρ, scored against the target ρ̂_j, for each j
        "reversed": sum(master(np.full((1, 1), rho), float(r)) for r in H.mean(axis=0)),
    }


EXERCISES = (
    Exercise("lab03.bp_gradients", "03", "bp_gradients", lab03._bp_gradients_cases, _bp_gradients),
    Exercise("lab04.confusion_matrix", "04", "confusion_matrix", lab04._confusion_matrix_cases, _answer),
    Exercise("lab05.ce_gradient", "05", "ce_gradient", lab05._gradient_cases, _answer),
    Exercise("lab05.se_gradient", "05", "se_gradient", lab05._gradient_cases, _answer),
    Exercise("lab06.updates_per_epoch", "06", "updates_per_epoch", lab06._updates_per_epoch_cases, _answer),
    Exercise("lab06.minibatch_indices", "06", "minibatch_indices", lab06._minibatch_indices_cases,
             _minibatch_indices),
    Exercise("lab07.leaky_relu", "07", "leaky_relu", lab07._activations_cases, _activation("leaky_relu")),
    Exercise("lab07.elu", "07", "elu", lab07._activations_cases, _activation("elu")),
    Exercise("lab07.chain_gradient", "07", "chain_gradient", lab07._chain_gradient_cases, _chain_gradient),
    Exercise("lab08.adagrad_update", "08", "adagrad_update", lab08._adagrad_update_cases, _trajectory),
    Exercise("lab08.momentum_update", "08", "momentum_update", lab08._momentum_update_cases, _trajectory),
    Exercise("lab09.test_weights", "09", "my_test_weights", lab09._test_weights_cases, _test_weights),
    Exercise("lab09.decay_update", "09", "decay_update", lab09._decay_update_cases, _trajectory),
    Exercise("lab10.pca_reconstruction", "10", "pca_reconstruct", lab10._pca_reconstruction_cases,
             _pca_reconstruction),
    Exercise("lab10.kl_sparsity", "10", "kl_sparsity_penalty", lab10._kl_sparsity_cases, _kl_sparsity),
    Exercise("lab11.parameter_count", "11", "count_parameters", lab11._parameter_count_cases,
             lambda master, sizes: {"": master(list(sizes))}),
    Exercise("lab11.shallow_width", "11", "shallow_width", lab11._shallow_width_cases, _answer),
)


def _namespace() -> dict[str, Any]:
    """What the solution cells find defined above them in their notebooks."""
    import labs
    from labs.backprop import softmax
    from labs.neurons import sigmoid, sign

    return {"__name__": "__master__", "np": np, "labs": labs, "softmax": softmax, "sign": sign,
            "sigmoid": sigmoid}


def master_solutions(notebook: str, names: list[str], folder: Path = NOTEBOOKS) -> dict[str, Callable]:
    """Execute the solution cells of ``notebook`` that define ``names``, in order, in one fresh
    namespace; return those functions."""
    path = resolve_notebooks([notebook], folder)[0]
    namespace = _namespace()
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or SOLUTION_MARKER not in source:
            continue
        if any(f"\ndef {name}(" in f"\n{source}" for name in names):
            exec(compile(source, f"{path.name}:{cell.get('id', '?')}", "exec"), namespace)  # noqa: S102
    missing = [name for name in names if not callable(namespace.get(name))]
    if missing:
        raise ValueError(_("{name} has no solution cell defining {functions}.").format(
            name=path.name, functions=", ".join(missing)))
    return {name: namespace[name] for name in names}


def masters(folder: Path = NOTEBOOKS) -> dict[str, Callable]:
    """Every exercise's master answer, by its key (``lab05.se_gradient`` → the master's function)."""
    found: dict[str, Callable] = {}
    for notebook in sorted({e.notebook for e in EXERCISES}):
        chosen = [e for e in EXERCISES if e.notebook == notebook]
        functions = master_solutions(notebook, [e.master for e in chosen], folder)
        found.update({e.key: functions[e.master] for e in chosen})
    return found


def expected_values(folder: Path = NOTEBOOKS) -> dict[str, np.ndarray]:
    """All the checks' expected values, computed now from the masters' solutions."""
    answers = masters(folder)
    values: dict[str, np.ndarray] = {}
    for exercise in EXERCISES:
        for i, case in enumerate(exercise.cases()):
            for part, value in exercise.values(answers[exercise.key], case).items():
                values[f"{exercise.key}.case{i}" + (f".{part}" if part else "")] = np.asarray(value)
    return values


def differences(stored: dict[str, np.ndarray], fresh: dict[str, np.ndarray]) -> list[str]:
    """What differs between two sets of expected values (empty when they agree)."""
    problems = [_("{key}: missing").format(key=key) for key in sorted(set(fresh) - set(stored))]
    problems += [_("{key}: no longer made by any master").format(key=key) for key in sorted(set(stored) - set(fresh))]
    for key in sorted(set(stored) & set(fresh)):
        old, new = stored[key], fresh[key]
        if old.shape != new.shape or old.dtype.kind != new.dtype.kind:
            problems.append(_("{key}: stored {stored}, the master gives {fresh}").format(
                key=key, stored=f"{old.dtype}{list(old.shape)}", fresh=f"{new.dtype}{list(new.shape)}"))
        elif not np.allclose(old, new, rtol=1e-10, atol=1e-12):
            problems.append(_("{key}: the stored values differ from the master's").format(key=key))
    return problems


def stored_values(path: Path = EXPECTED_FILE) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def write(values: dict[str, np.ndarray], path: Path = EXPECTED_FILE) -> Path:
    np.savez_compressed(path, **values)
    return path


def run_command(check: bool = False, path: Path = EXPECTED_FILE) -> int:
    """``python -m labs expected [--check]``: write (or only compare) ``labs/checks/expected.npz``."""
    fresh = expected_values()
    problems = (differences(stored_values(path), fresh) if path.exists()
                else [_("{path} is missing").format(path=path)])
    if not problems:  # leave the file alone: a rewrite would change its bytes (zip dates), not its values
        print(_("expected values are up to date ({values} values of {exercises} exercises)").format(
            values=len(fresh), exercises=len(EXERCISES)))
        return 0
    for problem in problems:
        print(problem)
    if check:
        print(_("run `python -m labs expected` to update them"))
        return 1
    print(_("wrote {values} expected values of {exercises} exercises to {path}").format(
        values=len(fresh), exercises=len(EXERCISES), path=write(fresh, path)))
    return 0
