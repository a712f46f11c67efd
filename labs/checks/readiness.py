"""'Will this pass?': every public check of a lab at once, from the notebook's own namespace.

A last cell ``labs.checks.summary("13")`` (Jupyter, Colab) runs the public checks of lab 13's
exercises on what the running notebook has defined, and prints which pass, which are not
written yet, which are not run yet and which fail (with the check's message), then what grading
does beyond that. It needs no notebook file (on Colab its path is unknown): :data:`CHECKS` holds
each lab's check calls, the very lines of its check cells (``tests/test_feedback.py`` keeps them
equal to the masters'), and they are evaluated in the notebook's namespace. A check whose cell
already ran on the same function or value is not run again: its outcome is remembered (a check
that trains a network would otherwise train it twice). It says nothing a student cannot see in
the notebook: the hidden tests live only in the course's masters.

``python -m labs check "Copy of 13_cnn.ipynb"`` does the same from a shell: it runs the notebook
(fast profile) up to its last check, in a fresh kernel, then prints the summary.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from labs.i18n import LANGUAGES, N_, _, speaking

# lab -> the public check call of each exercise, in order (the first line of each check cell)
CHECKS: dict[str, tuple[str, ...]] = {
    '01_perceptron': ('labs.checks.check_perceptron_update(perceptron_update)',
        'labs.checks.check_sigmoid_gradient(sigmoid_unit_gradient)',
        'labs.checks.check_and_choice(lr_and, b0_and, w0_and)'),
    '02_xor': ('labs.checks.check_xor_network(W1, b1, w2, b2)',
        'labs.checks.check_separating_line(H, 2 * t01 - 1, w_line, b_line)',
        'labs.checks.check_xor_design(hidden_units, learning_rate)'),
    '03_backprop': ('labs.checks.check_bp_gradients(bp_gradients)',
        'labs.checks.check_cross_validate(cross_validate)',
        'labs.checks.check_keras_twin(keras_twin, net, X_small)',
        'labs.checks.check_bp_design(design)'),
    '04_mnist_mlp': ('labs.checks.check_mlp_architecture(model, "784-500-500-10", activation="sigmoid")',
        'labs.checks.check_confusion_matrix(confusion_matrix)',
        'labs.checks.check_fast_training(LEARNING_RATE, BATCH_SIZE, EPOCHS, x_train, y_train, x_test, y_test)'),
    '05_loss': ('labs.checks.check_ce_gradient(ce_gradient)',
        'labs.checks.check_se_gradient(se_gradient)',
        'labs.checks.check_se_learning_rate(se_learning_rate)'),
    '06_minibatch': ('labs.checks.check_updates_per_epoch(updates_per_epoch)',
        'labs.checks.check_minibatch_indices(minibatch_indices)',
        'labs.checks.check_batch_size_for_budget(batch_size_for_budget)'),
    '07_activation': ('labs.checks.check_chain_gradient(chain_gradient)',
        'labs.checks.check_activations(leaky_relu, elu)',
        'labs.checks.check_deep_net(deep_net_settings, x, y)'),
    '08_optimizers': ('labs.checks.check_adagrad_update(adagrad_update)',
        'labs.checks.check_momentum_update(momentum_update)',
        'labs.checks.check_momentum_settings(momentum_settings)'),
    '09_dropout': ('labs.checks.check_penalty_coefficient(penalty_coefficient)',
        'labs.checks.check_weight_decay_update(decay_update)',
        'labs.checks.check_hand_dropout(my_dropout, my_test_weights)'),
    '10_autoencoders': ('labs.checks.check_pca_reconstruction(pca_reconstruct)',
        'labs.checks.check_kl_sparsity(kl_sparsity_penalty)',
        'labs.checks.check_sparse_choice(kl_sparsity_penalty, *my_sparse_settings())'),
    '11_why_deep': ('labs.checks.check_parameter_count(count_parameters)',
        'labs.checks.check_shallow_width(shallow_width)',
        'labs.checks.check_one_layer_sawtooth(one_layer_sawtooth)'),
    '12_deep_training': ('labs.checks.check_xavier_uniform(xavier_uniform)',
        'labs.checks.check_he_normal(he_normal)',
        'labs.checks.check_leaky_relu_std(leaky_relu_std)',
        'labs.checks.check_residual_block(residual_block)'),
    '13_cnn': ('labs.checks.check_conv2d(conv2d)',
        'labs.checks.check_stack_prediction(predict_stack)',
        'labs.checks.check_small_network(my_network)'),
    '14_rnn': ('labs.checks.check_gru_step(gru_step)',
        'labs.checks.check_bptt(bptt)',
        'labs.checks.check_recurrent_gain(RECURRENT_GAIN)'),
    '15_generative': ('labs.checks.check_gan_losses(discriminator_loss, generator_loss_saturating, generator_loss_non_saturating)',
        'labs.checks.check_kl_standard_normal(kl_to_standard_normal)',
        'labs.checks.check_reparameterize(reparameterize)',
        'labs.checks.check_beta_for_budget(beta_for_budget)'),
}

# English here (the feedback pages and the tests read them); shown through _() in the student's language
GRADING_STEPS = (
    N_("Only your answer cells are taken from your notebook and run, in order, inside the course's own copy of it, "
       "in a fresh kernel with no network; other cells you added or changed are not run."),
    N_("After each exercise's public check, hidden tests run your answer on new inputs drawn for that grading run "
       "and compare what comes out with the course's solution on the same inputs: passing the public check is "
       "necessary, not sufficient."),
    N_("An answer that calls a library function doing what the exercise asks scores 0 for that exercise."),
    N_("Each cell has a time limit; a cell that runs on is interrupted and its exercise scores 0."),
)
PASSES, NOT_WRITTEN, NOT_RUN, FAILS = N_("passes"), N_("not written yet"), N_("not run yet"), N_("fails")

# check name -> (the arguments of its last call, what came of it); the cells' own runs fill it
_LAST: dict[str, tuple[tuple, dict, str, str]] = {}


def remembered(check: Callable[..., None]) -> Callable[..., None]:
    """``check``, remembering the outcome of its last call for :func:`summary`."""

    @functools.wraps(check)
    def run(*args: Any, **kwargs: Any) -> None:
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(_Tee(out)):
                check(*args, **kwargs)
        except Exception as error:
            _LAST[check.__name__] = (args, kwargs, *_outcome_of(error))
            raise
        _LAST[check.__name__] = (args, kwargs, PASSES, _last_line(out.getvalue()))

    return run


class _Tee(io.TextIOBase):
    """Writes to the notebook's output and keeps a copy."""

    def __init__(self, copy: io.StringIO):
        self.copy, self.out = copy, sys.stdout

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


def _outcome_of(error: Exception) -> tuple[str, str]:
    text = " ".join(str(error).split())
    if isinstance(error, AssertionError):
        unwritten = NOT_WRITTEN in text or _(NOT_WRITTEN) in text  # _common's "… is not written yet: …"
        return (NOT_WRITTEN if unwritten else FAILS), text
    return FAILS, f"{type(error).__name__}: {text}"


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _call_parts(call: str) -> tuple[str, list[ast.expr], dict[str, ast.expr]]:
    node = ast.parse(call, mode="eval").body
    assert isinstance(node, ast.Call)
    return ast.unparse(node.func).rsplit(".", 1)[-1], list(node.args), {k.arg: k.value for k in node.keywords}


def names_of(call: str) -> list[str]:
    """The notebook's names a check call reads (``labs`` aside), in order."""
    found = [n.id for n in ast.walk(ast.parse(call, mode="eval")) if isinstance(n, ast.Name) and n.id != "labs"]
    return list(dict.fromkeys(found))


def _same(a: Any, b: Any) -> bool:
    return a is b or (isinstance(a, (str, int, float, bool)) and type(a) is type(b) and a == b)


def _reusable(value: Any) -> bool:
    """Values whose identity says they did not change since the check ran: functions and plain constants."""
    return callable(value) or isinstance(value, (str, int, float, bool, type(None)))


def _run_check(call: str, namespace: Mapping[str, Any]) -> tuple[str, str]:
    import labs

    scope = dict(namespace)
    scope.setdefault("labs", labs)
    name, args, kwargs = _call_parts(call)
    values = []
    for a in args:  # the notebook's own names; a starred argument (*settings()) is spread out
        value = eval(compile(ast.Expression(a.value if isinstance(a, ast.Starred) else a), "<summary>", "eval"), scope)  # noqa: S307
        if isinstance(a, ast.Starred):
            values.extend(value)
        else:
            values.append(value)
    keywords = {k: eval(compile(ast.Expression(v), "<summary>", "eval"), scope) for k, v in kwargs.items()}  # noqa: S307
    last = _LAST.get(name)
    if (last and len(last[0]) == len(values) and all(map(_same, last[0], values)) and last[1].keys() == keywords.keys()
            and all(_same(last[1][k], v) for k, v in keywords.items())
            and all(map(_reusable, [*values, *keywords.values()]))):
        return last[2], last[3]
    check = getattr(labs.checks, name)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            getattr(check, "__wrapped__", check)(*values, **keywords)
    except Exception as error:
        return _outcome_of(error)
    return PASSES, _last_line(out.getvalue())


def lab_of(name: str | int) -> str:
    """The lab stem a user's ``"13"``, ``13`` or ``"13_cnn"`` names."""
    text = f"{name:02d}" if isinstance(name, int) else str(name).strip()
    matches = [stem for stem in CHECKS if stem == text or stem.split("_", 1)[0] == text.zfill(2)]
    if len(matches) != 1:
        raise ValueError(_("lab must be one of {labs} (or its number); got {name!r}.").format(
            labs=", ".join(CHECKS), name=name))
    return matches[0]


def _guess_lab(namespace: Mapping[str, Any]) -> str:
    counts = {stem: sum(n in namespace for call in calls for n in names_of(call)) for stem, calls in CHECKS.items()}
    best = max(counts.values())
    found = [stem for stem, count in counts.items() if count == best]
    if best == 0 or len(found) > 1:
        raise ValueError(_("cannot tell which lab this is: say it, e.g. labs.checks.summary(\"13\")."))
    return found[0]


def results(lab: str | int, namespace: Mapping[str, Any]) -> list[tuple[int, str, str, str]]:
    """(exercise number, what it checks, outcome, message) for each exercise of ``lab``."""
    rows = []
    for number, call in enumerate(CHECKS[lab_of(lab)], 1):
        names = names_of(call)
        label = ", ".join(names) if len(", ".join(names)) <= 32 else names[0] + ", …"
        missing = [n for n in names if n not in namespace]
        if missing:
            rows.append((number, label, NOT_RUN,
                         _("run the cell that defines {names} first").format(names=", ".join(missing))))
            continue
        rows.append((number, label, *_run_check(call, namespace)))
    return rows


def report(lab: str | int, rows: list[tuple[int, str, str, str]]) -> str:
    """The summary as text: a table of the exercises, then what grading does beyond it."""
    width = max(len(label) for _, label, _, _ in rows)
    shown = {outcome: _(outcome) for outcome in (PASSES, NOT_WRITTEN, NOT_RUN, FAILS)}
    column = max(_display_width(text) for text in shown.values())
    lines = [_("Lab {lab}: what the public checks say now").format(lab=lab_of(lab)), ""]
    for number, label, outcome, message in rows:
        text = shown.get(outcome, outcome)
        text += " " * (column - _display_width(text))
        lines.append(f"{number:>2}  {label:<{width}}  {text}  {message}".rstrip())
    passing = sum(outcome == PASSES for _n, _l, outcome, _m in rows)
    lines += ["", _passing_line(passing, len(rows)), "", _("When the notebook is graded:")]
    lines += [f"- {_(step)}" for step in GRADING_STEPS]
    return "\n".join(lines)


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal or a notebook's output (a Chinese character takes two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _passing_line(passing: int, total: int) -> str:
    return _("{passing} of {total} exercises pass their public check.").format(passing=passing, total=total)


def summary(lab: str | int | None = None, namespace: Mapping[str, Any] | None = None) -> None:
    """Print which exercises of ``lab`` pass their public checks (called in a notebook's last cell).

    ``namespace`` defaults to the calling notebook's (its globals); ``lab`` to the lab whose
    answers the namespace holds. Returns None (a number would be partial credit to nbgrader).
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    stem = lab_of(lab) if lab is not None else _guess_lab(namespace)
    print(report(stem, results(stem, namespace)))


# --- python -m labs check NOTEBOOK ----------------------------------------------------------------


def notebook_lab(nb: Any, path: Path) -> str:
    """Which lab a notebook is: its nbgrader ids, else a lab's name in the file name."""
    ids = {str(c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")) for c in nb.cells}
    for stem in sorted(CHECKS, key=len, reverse=True):
        if any(i.startswith(f"{stem}-") for i in ids) or stem in path.name:
            return stem
    raise ValueError(_("cannot tell which lab {name} is: keep the lab's name (e.g. 13_cnn) in the file name.").format(
        name=path.name))


def run_notebook(path: str | Path, *, timeout: int = 600) -> int:
    """Run a student's copy (fast profile) up to its last check in a fresh kernel and print the summary;
    0 when every exercise passes its public check."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(_("no notebook {path}").format(path=path))
    nb = nbformat.read(path, as_version=4)
    stem = notebook_lab(nb, path)
    checks = [call.split("(", 1)[0] + "(" for call in CHECKS[stem]]
    last = max((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and any(k in c.source for k in checks)),
               default=len(nb.cells) - 1)
    nb.cells = nb.cells[: last + 1] + [nbformat.v4.new_code_cell(f"labs.checks.summary({stem!r})")]
    print(_("running {name} as lab {stem} (fast profile) up to its last check…").format(name=path.name, stem=stem),
          flush=True)
    os.environ.setdefault("LABS_PROFILE", "fast")
    client = NotebookClient(nb, timeout=timeout, allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    client.execute()
    outputs = nb.cells[-1].get("outputs", [])
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    errors = [f"{o.ename}: {o.evalue}" for o in outputs if o.get("output_type") == "error"]
    print(text.rstrip() or "\n".join(errors))
    total = len(CHECKS[stem])
    every = set()
    for lang in LANGUAGES:  # the copy may speak another language than this shell (a Chinese notebook)
        with speaking(lang):
            every.add(_passing_line(total, total))
    return 0 if text and any(line in text for line in every) else 1
