"""Self-checks of lab 03 (back-propagation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from labs.checks._common import _call, _expected, _passed, check_close
from labs.i18n import N_, _


class _SpyModel:
    """A stand-in classifier that records the rows it is trained and tested on (column 0 = row id)."""

    def __init__(self, log: list):
        self.fitted: set[int] = set()
        self.tested: list[int] = []
        log.append(self)

    def fit(self, X: np.ndarray, y: np.ndarray) -> _SpyModel:
        self.fitted.update(np.asarray(X)[:, 0].astype(int).tolist())
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        ids = np.asarray(X)[:, 0].astype(int)
        self.tested.extend(ids.tolist())
        truth = (ids >= 30).astype(int)  # the spy data: rows 0..29 are class 0, 30..49 class 1
        return np.where(ids % 4 == 1, 1 - truth, truth)  # wrong on every 4th row, right elsewhere


BP_NAMES = ("dW_ih", "dtheta_h", "dW_hj", "dtheta_j")
BP_MISTAKES = ("no_output_fprime", "no_hidden_fprime")  # δ without f'(a) of the output / hidden units


def _bp_gradients_cases() -> list[tuple[np.ndarray, ...]]:
    """One sample (x, t, W_ih, theta_h, W_hj, theta_j) for a 2-3-2 and for a 3-2-1 sigmoid network."""
    rng = np.random.default_rng(3)
    cases = []
    for d, n_h, c in ((2, 3, 2), (3, 2, 1)):
        x, t = rng.normal(size=d), rng.uniform(size=c)
        W_ih, theta_h = rng.normal(size=(d, n_h)), rng.normal(size=n_h)
        W_hj, theta_j = rng.normal(size=(n_h, c)), rng.normal(size=c)
        cases.append((x, t, W_ih, theta_h, W_hj, theta_j))
    return cases


def _bp_expected(case: int, mistake: str = "") -> list[np.ndarray]:
    prefix = f"lab03.bp_gradients.case{case}" + (f".{mistake}" if mistake else "")
    return [_expected(f"{prefix}.{name}") for name in BP_NAMES]


def check_bp_gradients(gradients: Callable) -> None:
    """Homework 4: ``gradients(x, t, W_ih, theta_h, W_hj, theta_j)`` → the four ∂E/∂ for one sample."""
    names = BP_NAMES
    for case, args in enumerate(_bp_gradients_cases()):
        d, n_h, c = args[2].shape + args[4].shape[1:]
        result = _call(gradients, "gradients", *(a.copy() for a in args))
        if not isinstance(result, (tuple, list)) or len(result) != 4:
            raise AssertionError(_("gradients must return four arrays: (dW_ih, dtheta_h, dW_hj, dtheta_j)."))
        expected = _bp_expected(case)
        for name, got, want in zip(names, result, expected):
            if np.shape(got) == want.T.shape != want.shape:
                raise AssertionError(_(
                    "{name} has shape {shape}, the transpose of {expected}: row index = "
                    "the layer the weight comes from, column = the layer it goes to, e.g. np.outer(x, δ_h)."
                ).format(name=name, shape=np.shape(got), expected=want.shape))
        if all(np.allclose(np.asarray(g, float), -e) for g, e in zip(result, expected)):
            raise AssertionError(_(
                "Every gradient has the opposite sign: ∂E/∂z_j = z_j − t_j, so δ_j = (z_j − t_j) f'(a_j) "
                "(the slides' −(t_j − z_j) f'(a_j)). The update then subtracts η times the gradient."
            ))
        missing_factor = (
            _("The output error term is missing the derivative f'(a) = z(1 − z) of the output units: "
              "δ_j needs that factor."),
            _("The hidden error term is missing the derivative f'(a) = z(1 − z) of the hidden units: "
              "δ_h needs that factor."),
        )
        for mistake, message in zip(BP_MISTAKES, missing_factor):
            wrong = _bp_expected(case, mistake)
            if all(np.allclose(np.asarray(g, float), w) for g, w in zip(result, wrong)):
                raise AssertionError(message)
        hints = {
            "dW_hj": _("∂E/∂w_hj = δ_j · z_h with δ_j = (z_j − t_j) z_j (1 − z_j)."),
            "dtheta_j": _("∂E/∂θ_j = δ_j (the threshold is a weight on a constant input 1)."),
            "dW_ih": _("∂E/∂w_ih = δ_h · x_i with δ_h = z_h (1 − z_h) Σ_j w_hj δ_j."),
            "dtheta_h": "∂E/∂θ_h = δ_h.",
        }
        for name in ("dtheta_j", "dW_hj", "dtheta_h", "dW_ih"):  # output layer first, as BP goes
            i = names.index(name)
            check_close(name, result[i], expected[i], rtol=1e-7, atol=1e-10,
                        hint=_("For a {d}-{n_h}-{c} network: {hint}").format(d=d, n_h=n_h, c=c, hint=hints[name]))
    _passed(_("all four gradients match back-propagation for a 2-3-2 and a 3-2-1 network."))


def check_cross_validate(cross_validate: Callable, folds: int = 5) -> None:
    """Exercise #1: ``cross_validate(make_model, X, y, folds, seed)`` → one test accuracy per fold."""
    n = 50
    X = np.c_[np.arange(n), np.random.default_rng(0).normal(size=n)]
    y = (np.arange(n) >= 30).astype(int)  # sorted by class: folds cut in order are not stratified
    log: list[_SpyModel] = []
    scores = _call(cross_validate, "cross_validate", lambda: _SpyModel(log), X, y, folds, 0)
    if scores is None:
        raise AssertionError(_("cross_validate returned None: return the array of fold accuracies."))
    scores = np.asarray(scores, dtype=float).ravel()
    if len(scores) != folds:
        raise AssertionError(_("cross_validate returned {count} number(s); expected one accuracy per fold "
                               "({folds}).").format(count=len(scores), folds=folds))
    used = [m for m in log if m.fitted]
    if len(used) != folds:
        raise AssertionError(_(
            "make_model() gave {count} trained model(s) for {folds} folds: build a fresh model inside the "
            "loop, so that no fold starts from a model that has already seen its test rows."
        ).format(count=len(used), folds=folds))
    counts, expected = np.zeros(n, dtype=int), []
    for k, model in enumerate(used, start=1):
        test = np.array(sorted({i for i in model.tested if i not in model.fitted}), dtype=int)
        if test.size == 0:
            raise AssertionError(_("fold {k} was tested only on rows it was trained on: hold the test fold out of "
                                   "training.").format(k=k))
        counts[test] += 1
        share = np.mean(test >= 30)
        if abs(share - 0.4) > 0.1:
            raise AssertionError(_(
                "fold {k}'s test part is {share:.0%} class 1 but the data is 40% class 1: split with "
                "StratifiedKFold so that every fold keeps the class mix."
            ).format(k=k, share=share))
        expected.append(np.mean(test % 4 != 1))  # the spy is wrong exactly on rows with id % 4 == 1
    if np.any(counts != 1):
        i = int(np.flatnonzero(counts != 1)[0])
        raise AssertionError(_(
            "row {i} was tested {times} times (rows a fold also trained on do not count); in k-fold "
            "cross-validation every row is tested exactly once, by the one model that did not train on it."
        ).format(i=i, times=counts[i]))
    if not np.allclose(np.sort(scores), np.sort(expected)):
        raise AssertionError(_(
            "the scores {scores} are not the test accuracies of the folds "
            "{expected}: score a fold by mean(model.predict(X_test) == y_test)."
        ).format(scores=np.round(scores, 3).tolist(), expected=np.round(expected, 3).tolist()))
    _passed(_("{folds} stratified folds, a fresh model for each, every row tested once, scores are the fold "
              "accuracies.").format(folds=folds))


LOSSES_TEXT = {"squared": N_("sigmoid-output"), "cross_entropy": N_("softmax-output")}


def _twin_problem(model: Any, net: Any, X: Any) -> None:
    """Raise an AssertionError naming what differs between the Keras ``model`` and ``net``."""
    import keras

    from labs.backprop import LOSSES, predict_proba

    if not isinstance(model, keras.Model):
        raise AssertionError(_("model must be a Keras model (e.g. keras.Sequential); got {kind}.").format(
            kind=type(model).__name__))
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if len(dense) != len(net.weights):
        raise AssertionError(_(
            "model has {count} Dense layer(s); the network has {layers} ({hidden} hidden, 1 output)."
        ).format(count=len(dense), layers=len(net.weights), hidden=len(net.weights) - 1))
    wanted = [net.hidden] * (len(dense) - 1) + [LOSSES[net.loss]]
    for k, (layer, w, t, act) in enumerate(zip(dense, net.weights, net.thresholds, wanted)):
        if layer.dtype != "float64":
            raise AssertionError(_(
                "layer {layer!r} holds {dtype} weights: pass dtype='float64' to every layer "
                "so that Keras computes with the same precision as NumPy."
            ).format(layer=layer.name, dtype=layer.dtype))
        kernel, bias = (np.asarray(v) for v in layer.get_weights())
        if kernel.shape != w.shape:
            raise AssertionError(_("layer {layer!r} has a {shape} kernel; expected {expected}.").format(
                layer=layer.name, shape=kernel.shape, expected=w.shape))
        if not (np.array_equal(kernel, w) and np.array_equal(bias, t)):
            raise AssertionError(_(
                "layer {layer!r} does not hold the network's weights {weights}, "
                "{thresholds}: copy them with layer.set_weights([weights[{k}], thresholds[{k}]])."
            ).format(layer=layer.name, weights=net.param_names[2 * k], thresholds=net.param_names[2 * k + 1], k=k))
        name = getattr(layer.activation, "__name__", str(layer.activation))
        if name != act:
            last = k == len(dense) - 1
            why = (_(" (a network trained with {loss} has {act} outputs: bp.LOSSES[net.loss])").format(
                loss=net.loss.replace('_', '-'), act=act) if last else "")
            raise AssertionError(_("layer {layer!r} uses activation {name!r}; the network uses {act!r} there{why}.").format(
                layer=layer.name, name=name, act=act, why=why))
    got = np.asarray(model(np.asarray(X, dtype=np.float64)))
    check_close("model(X)", got, predict_proba(net, X), rtol=1e-10, atol=1e-12,
                hint=_("Same weights and activations should give the same outputs."))


def _other_twin_case(net: Any) -> Any:
    """A network like ``net`` but with the other loss (so the other output unit), another hidden
    activation and thresholds that are not zero: a twin that copies only one case fails here."""
    from labs.backprop import HIDDEN, LOSSES, Network

    rng = np.random.default_rng(7)
    sizes = list(net.sizes)
    loss = next(name for name in LOSSES if name != net.loss)
    hidden = next(name for name in HIDDEN if name != net.hidden)
    weights = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    return Network(weights, [rng.normal(size=b) for b in sizes[1:]], hidden, loss)


def check_keras_twin(keras_twin: Callable, net: Any, X: Any) -> None:
    """Exercise: ``keras_twin(net)`` builds a Keras model with ``net``'s layers, activations and
    weights; checked on ``net`` and on a network with the other loss and hidden activation."""
    other = _other_twin_case(net)
    for case in (net, other):
        _twin_problem(_call(keras_twin, "keras_twin", case), case, X)
    _passed(_("the Keras model reproduces the NumPy network's outputs on {samples} samples, for a "
              "{hidden}/{output} and a {other_hidden}/{other_output} network.").format(
                  samples=len(X), hidden=net.hidden, output=_(LOSSES_TEXT[net.loss]), other_hidden=other.hidden,
                  other_output=_(LOSSES_TEXT[other.loss])))



# --- the design exercise: settings that learn the digits in one epoch -----------------------------

DESIGN_KEYS = ("hidden", "activation", "loss", "learning_rate", "batch_size")
DESIGN_MAX_PARAMETERS = 1300
DESIGN_EPOCHS = 1
DESIGN_TARGET = 0.90
DESIGN_SPLITS = (0, 1, 2)  # the public check's data splits (the grader draws others)
DIGITS_TRAIN = 1437  # training rows of an 80/20 split of the 1,797 digits


def _design_settings(design: Any) -> dict[str, Any]:
    """The design's settings, validated, or an AssertionError that says which one is off."""
    from labs.backprop import HIDDEN, LOSSES

    if not isinstance(design, dict):
        raise AssertionError(_("design must be a dict with the keys {keys}; got {kind}.").format(
            keys=", ".join(DESIGN_KEYS), kind=type(design).__name__))
    missing = [key for key in DESIGN_KEYS if key not in design]
    if missing:
        raise AssertionError(_("design lacks {missing}: it needs all of {keys}.").format(
            missing=", ".join(missing), keys=", ".join(DESIGN_KEYS)))
    hidden = design["hidden"]
    if isinstance(hidden, (int, np.integer)):
        hidden = (int(hidden),)
    if not isinstance(hidden, (tuple, list)) or not hidden or not all(
            isinstance(h, (int, np.integer)) and h >= 1 for h in hidden):
        raise AssertionError(_("design['hidden'] must list the hidden layers' widths, e.g. (16,); got {hidden!r}.").format(
            hidden=hidden))
    if design["activation"] not in HIDDEN:
        raise AssertionError(_("design['activation'] must be one of {choices}; got {value!r}.").format(
            choices=HIDDEN, value=design["activation"]))
    if design["loss"] not in LOSSES:
        raise AssertionError(_("design['loss'] must be one of {choices}; got {value!r}.").format(
            choices=tuple(LOSSES), value=design["loss"]))
    lr = design["learning_rate"]
    if not isinstance(lr, (int, float, np.floating, np.integer)) or not np.isfinite(lr) or lr <= 0:
        raise AssertionError(_("design['learning_rate'] must be a positive number; got {value!r}.").format(value=lr))
    batch = design["batch_size"]
    if not isinstance(batch, (int, np.integer)) or batch < 1:
        raise AssertionError(_("design['batch_size'] must be a whole number of samples >= 1; got {value!r}.").format(
            value=batch))
    return {"hidden": tuple(int(h) for h in hidden), "activation": design["activation"], "loss": design["loss"],
            "learning_rate": float(lr), "batch_size": int(batch)}


def design_parameters(design: dict) -> int:
    """Weights and thresholds of the design's 64-…-10 network."""
    from labs.models import mlp_parameters

    return mlp_parameters([64, *_design_settings(design)["hidden"], 10])


def design_accuracy(design: dict, split: int) -> float:
    """Validation accuracy of the design's NumPy network after :data:`DESIGN_EPOCHS` epoch(s) on
    the 8x8 digits: a stratified 80/20 split drawn with ``split``, standardised on the training part."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from labs import backprop as bp

    settings = _design_settings(design)
    digits = load_digits()
    X_fit, X_val, y_fit, y_val = train_test_split(digits.data, digits.target, test_size=0.2,
                                                  stratify=digits.target, random_state=split)
    scaler = StandardScaler().fit(X_fit)
    net = bp.init_network([64, *settings["hidden"], 10], hidden=settings["activation"], loss=settings["loss"],
                          seed=split)
    with np.errstate(all="ignore"):  # a huge learning rate overflows; the accuracy then says so
        run = bp.train(net, scaler.transform(X_fit), bp.one_hot(y_fit, 10), lr=settings["learning_rate"],
                       epochs=DESIGN_EPOCHS, batch_size=settings["batch_size"], seed=split)
        predicted = bp.predict_proba(run.net, scaler.transform(X_val)).argmax(axis=1)
    return float(np.mean(predicted == y_val))


def check_bp_design(design: Any) -> None:
    """Thought exercise: settings of the NumPy BP network (``hidden``, ``activation``, ``loss``,
    ``learning_rate``, ``batch_size``) with at most :data:`DESIGN_MAX_PARAMETERS` parameters that
    reach :data:`DESIGN_TARGET` validation accuracy on the digits after one epoch."""
    if design is None:
        raise AssertionError(_("design is None: set it to a dict of your settings."))
    settings = _design_settings(design)
    parameters = design_parameters(settings)
    if parameters > DESIGN_MAX_PARAMETERS:
        raise AssertionError(_(
            "a 64-{hidden}-10 network has {parameters:,} weights and thresholds; "
            "the budget is {budget:,}. Each hidden unit of a single hidden layer costs 64 + 1 + 10 = 75."
        ).format(hidden="-".join(map(str, settings["hidden"])), parameters=parameters, budget=DESIGN_MAX_PARAMETERS))
    accuracies = [design_accuracy(settings, split) for split in DESIGN_SPLITS]
    mean = float(np.mean(accuracies))
    if mean < DESIGN_TARGET:
        updates = -(-DIGITS_TRAIN // settings["batch_size"]) * DESIGN_EPOCHS
        hints = []
        if settings["loss"] == "squared":
            hints.append(_("sigmoid outputs with squared error learn slowly while the outputs are far off "
                           "(their error term carries the factor ŷ(1 − ŷ))"))
        if updates < 100:
            hints.append(_("batches of {batch} make only {updates} updates in one epoch").format(
                batch=settings["batch_size"], updates=updates))
        if not hints:
            hints.append(_("look at the sweep's table: which settings learned fastest in the first epochs? "
                           "And a learning rate can be too large as well as too small"))
        raise AssertionError(_(
            "after one epoch the network reaches a mean validation accuracy of {mean:.3f} over "
            "{splits} splits; the target is {target:.2f}. Hint: {hints}."
        ).format(mean=mean, splits=len(DESIGN_SPLITS), target=DESIGN_TARGET, hints=_("; ").join(hints)))
    _passed(_("{parameters:,} parameters, validation accuracy after one epoch {mean:.3f} on average over "
              "{splits} splits (target {target:.2f}).").format(
                  parameters=parameters, mean=mean, splits=len(DESIGN_SPLITS), target=DESIGN_TARGET))
