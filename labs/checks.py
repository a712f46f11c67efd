"""Self-checks for the exercises: each says what is wrong, not just "assert failed".

A check prints a line starting with ✓ when the answer is right and raises an
``AssertionError`` whose message explains the mistake otherwise. They need nothing but
NumPy, so they run the same on Colab, in Jupyter and under the grader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from labs import neurons


def relative_error(a: Any, b: Any) -> float:
    """max |a − b| / max(|a| + |b|, tiny), the CS231n measure for comparing gradients."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))


def _passed(message: str) -> None:
    print(f"✓ {message}")


def check_close(
    name: str, got: Any, expected: Any, *, rtol: float = 1e-6, atol: float = 1e-8, hint: str = ""
) -> None:
    """Check that ``got`` matches ``expected`` (shape, sign, values) with a specific message."""
    if got is None:
        raise AssertionError(f"{name} is None: did you forget a `return`?")
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{name} must be numbers; got {type(got).__name__}.") from None
    want = np.asarray(expected, dtype=np.float64)
    if got_arr.shape != want.shape:
        raise AssertionError(f"{name} has shape {got_arr.shape}; expected {want.shape}. {hint}".strip())
    if np.any(~np.isfinite(got_arr)):
        raise AssertionError(f"{name} contains NaN or inf. {hint}".strip())
    if np.allclose(got_arr, want, rtol=rtol, atol=atol):
        return
    if np.any(want != 0) and np.allclose(got_arr, -want, rtol=rtol, atol=atol):
        raise AssertionError(f"{name} has the right size but the opposite sign. {hint}".strip())
    flat = np.abs(got_arr - want).ravel()
    worst = int(flat.argmax())
    index = tuple(int(i) for i in np.unravel_index(worst, want.shape)) if want.shape else ()
    raise AssertionError(
        f"{name} differs from the expected value: at index {index} you have "
        f"{got_arr[index]:.6g}, expected {want[index]:.6g} (relative error "
        f"{relative_error(got_arr, want):.2e}). {hint}".strip()
    )


def _call(fn: Callable, label: str, *args: Any) -> Any:
    if not callable(fn):
        raise AssertionError(f"{label} must be a function; got {type(fn).__name__}.")
    try:
        return fn(*args)
    except NotImplementedError:
        raise AssertionError(f"{label} is not written yet: replace the `raise NotImplementedError`.") from None


# --- lab 01 ---------------------------------------------------------------------------------


def check_perceptron_update(update: Callable) -> None:
    """Exercise: ``update(w, b, x, t, lr) -> (w_new, b_new)`` implements the perceptron rule."""
    cases = [
        (np.array([0.0, 0.0]), 0.0, np.array([1.0, 1.0]), -1.0, 0.5, "a misclassified -1 sample"),
        (np.array([0.5, -0.5]), -0.5, np.array([1.0, 0.0]), 1.0, 0.5, "a misclassified +1 sample"),
        (np.array([1.0, 1.0]), -1.5, np.array([1.0, 1.0]), 1.0, 0.5, "a correctly classified sample"),
        (np.array([0.2, 0.7]), 0.1, np.array([0.0, 1.0]), -1.0, 0.1, "a small learning rate"),
    ]
    for w, b, x, t, lr, what in cases:
        result = _call(update, "update", w.copy(), b, x, t, lr)
        if not isinstance(result, tuple) or len(result) != 2:
            raise AssertionError("update must return a pair (new_w, new_b).")
        w_exp, b_exp = neurons.perceptron_update(w, b, x, t, lr)
        hint = (
            f"For {what} (w={w}, b={b}, x={x}, t={t}, lr={lr}) the rule gives "
            f"z = sign(w·x + b) = {neurons.sign(x @ w + b):+.0f}, Δw = lr·(t − z)·x."
        )
        check_close("new_w", result[0], w_exp, hint=hint)
        check_close("new_b", result[1], b_exp, hint=hint)
    _passed("perceptron update matches the rule Δw = η (t − z) x on all four cases.")


def check_sigmoid_gradient(gradient: Callable) -> None:
    """Exercise: ``gradient(w, b, X, t) -> (dE_dw, dE_db)`` for one sigmoid unit, E = ½Σ(t − z)²."""
    rng = np.random.default_rng(1)
    X, w, b = rng.normal(size=(6, 3)), rng.normal(size=3), 0.3
    t = rng.uniform(size=6)
    result = _call(gradient, "gradient", w.copy(), b, X, t)
    if not isinstance(result, tuple) or len(result) != 2:
        raise AssertionError("gradient must return a pair (dE_dw, dE_db).")
    gw, gb = neurons.delta_rule_gradient(w, b, X, t, "sigmoid")
    lgw, _ = neurons.delta_rule_gradient(w, b, X, t, "linear")
    got = np.asarray(result[0], dtype=float)
    if got.shape == gw.shape and np.allclose(got, lgw):
        raise AssertionError(
            "dE_dw equals the linear unit's gradient: multiply each δ by f'(s) = z(1 − z)."
        )
    check_close(
        "dE_dw", result[0], gw,
        hint="Use δ_k = f'(s_k)(t_k − z_k) with f'(s) = z(1 − z), and ∂E/∂w = −Σ_k δ_k x_k.",
    )
    check_close("dE_db", result[1], gb, hint="The bias acts as a weight on a constant input 1: ∂E/∂b = −Σ_k δ_k.")
    _passed(f"sigmoid-unit gradient is right (relative error {relative_error(result[0], gw):.1e}).")


# --- lab 02 ---------------------------------------------------------------------------------


def forward_sign_network(W1: Any, b1: Any, w2: Any, b2: Any, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hidden outputs and final output of a 2-layer network of sign units."""
    hidden = neurons.sign(X @ np.asarray(W1, dtype=float) + np.asarray(b1, dtype=float))
    return hidden, neurons.sign(hidden @ np.asarray(w2, dtype=float) + float(b2))


def check_xor_network(W1: Any, b1: Any, w2: Any, b2: Any) -> None:
    """Exercise: hand-set weights of a 2-2-1 sign network that computes XOR (targets ±1)."""
    from labs.data import truth_table

    shapes = {"W1": ((2, 2), W1), "b1": ((2,), b1), "w2": ((2,), w2), "b2": ((), b2)}
    for label, (shape, value) in shapes.items():
        if value is None:
            raise AssertionError(f"{label} is None: fill in the weights.")
        if np.shape(value) != shape:
            raise AssertionError(f"{label} must have shape {shape}; got {np.shape(value)}.")
    X, t = truth_table("xor", bipolar=True)
    hidden, out = forward_sign_network(W1, b1, w2, b2, X)
    wrong = [
        f"x={X[k].astype(int).tolist()} gives {out[k]:+.0f} (hidden {hidden[k].astype(int).tolist()}), "
        f"expected {t[k]:+.0f}"
        for k in range(4)
        if out[k] != t[k]
    ]
    if wrong:
        raise AssertionError(
            "Not XOR yet: " + "; ".join(wrong) + ". Hint: let one hidden unit compute OR and the "
            "other NAND; the output unit then computes AND of the two."
        )
    _passed("your 2-2-1 sign network computes XOR on all four inputs.")


def check_separating_line(H: Any, t: Any, w: Any, b: Any) -> None:
    """Exercise: a line ``w·h + b = 0`` that puts every hidden point ``h`` on its target's side."""
    H = np.asarray(H, dtype=float)
    t = np.asarray(t, dtype=float)
    if H.ndim != 2 or H.shape[1] != 2:
        raise AssertionError(f"H must have shape (n, 2); got {H.shape}.")
    if np.shape(w) != (2,):
        raise AssertionError(f"w must have shape (2,); got {np.shape(w)}.")
    side = neurons.sign(H @ np.asarray(w, dtype=float) + float(b))
    wrong = np.flatnonzero(side != np.sign(t))
    if wrong.size:
        k = int(wrong[0])
        raise AssertionError(
            f"{wrong.size} of {len(t)} points are on the wrong side, e.g. h={H[k].round(3).tolist()} "
            f"has w·h + b = {H[k] @ np.asarray(w, float) + float(b):+.3g} but target {t[k]:+.0f}."
        )
    _passed("the line separates the two classes in the hidden space: XOR became linearly separable.")


# --- lab 03 ---------------------------------------------------------------------------------


def _one_sample_gradients(x, t, W_ih, theta_h, W_hj, theta_j, *, output_fprime=True, hidden_fprime=True):
    """Reference gradients of E = ½ Σ (t − z)² for one sample of a sigmoid d-n_H-c network."""
    from labs.backprop import Network, backward

    net = Network([W_ih, W_hj], [theta_h, theta_j], "sigmoid", "squared")
    if output_fprime and hidden_fprime:
        return backward(net, x[None, :], t[None, :])
    z_h = neurons.sigmoid(x @ W_ih + theta_h)
    z_j = neurons.sigmoid(z_h @ W_hj + theta_j)
    delta_j = (z_j - t) * (z_j * (1 - z_j) if output_fprime else 1.0)
    delta_h = (W_hj @ delta_j) * (z_h * (1 - z_h) if hidden_fprime else 1.0)
    return [np.outer(x, delta_h), delta_h, np.outer(z_h, delta_j), delta_j]


def check_bp_gradients(gradients: Callable) -> None:
    """Homework 4: ``gradients(x, t, W_ih, theta_h, W_hj, theta_j)`` → the four ∂E/∂ for one sample."""
    names = ("dW_ih", "dtheta_h", "dW_hj", "dtheta_j")
    rng = np.random.default_rng(3)
    for d, n_h, c in ((2, 3, 2), (3, 2, 1)):
        x, t = rng.normal(size=d), rng.uniform(size=c)
        W_ih, theta_h = rng.normal(size=(d, n_h)), rng.normal(size=n_h)
        W_hj, theta_j = rng.normal(size=(n_h, c)), rng.normal(size=c)
        args = (x, t, W_ih, theta_h, W_hj, theta_j)
        result = _call(gradients, "gradients", *(a.copy() for a in args))
        if not isinstance(result, (tuple, list)) or len(result) != 4:
            raise AssertionError("gradients must return four arrays: (dW_ih, dtheta_h, dW_hj, dtheta_j).")
        expected = _one_sample_gradients(*args)
        for name, got, want in zip(names, result, expected):
            if np.shape(got) == want.T.shape != want.shape:
                raise AssertionError(
                    f"{name} has shape {np.shape(got)}, the transpose of {want.shape}: row index = "
                    "the layer the weight comes from, column = the layer it goes to, e.g. np.outer(x, δ_h)."
                )
        if all(np.allclose(np.asarray(g, float), -e) for g, e in zip(result, expected)):
            raise AssertionError(
                "Every gradient has the opposite sign: ∂E/∂z_j = z_j − t_j, so δ_j = (z_j − t_j) f'(a_j) "
                "(the slides' −(t_j − z_j) f'(a_j)). The update then subtracts η times the gradient."
            )
        for flag, where in (("output_fprime", "output"), ("hidden_fprime", "hidden")):
            wrong = _one_sample_gradients(*args, **{flag: False})
            if all(np.allclose(np.asarray(g, float), w) for g, w in zip(result, wrong)):
                raise AssertionError(
                    f"The {where} error term is missing the derivative f'(a) = z(1 − z) of the {where} "
                    f"units: δ_{'j' if where == 'output' else 'h'} needs that factor."
                )
        hints = {
            "dW_hj": "∂E/∂w_hj = δ_j · z_h with δ_j = (z_j − t_j) z_j (1 − z_j).",
            "dtheta_j": "∂E/∂θ_j = δ_j (the threshold is a weight on a constant input 1).",
            "dW_ih": "∂E/∂w_ih = δ_h · x_i with δ_h = z_h (1 − z_h) Σ_j w_hj δ_j.",
            "dtheta_h": "∂E/∂θ_h = δ_h.",
        }
        for name in ("dtheta_j", "dW_hj", "dtheta_h", "dW_ih"):  # output layer first, as BP goes
            i = names.index(name)
            check_close(name, result[i], expected[i], rtol=1e-7, atol=1e-10,
                        hint=f"For a {d}-{n_h}-{c} network: {hints[name]}")
    _passed("all four gradients match back-propagation for a 2-3-2 and a 3-2-1 network.")


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


def check_cross_validate(cross_validate: Callable, folds: int = 5) -> None:
    """Exercise #1: ``cross_validate(make_model, X, y, folds, seed)`` → one test accuracy per fold."""
    n = 50
    X = np.c_[np.arange(n), np.random.default_rng(0).normal(size=n)]
    y = (np.arange(n) >= 30).astype(int)  # sorted by class: folds cut in order are not stratified
    log: list[_SpyModel] = []
    scores = _call(cross_validate, "cross_validate", lambda: _SpyModel(log), X, y, folds, 0)
    if scores is None:
        raise AssertionError("cross_validate returned None: return the array of fold accuracies.")
    scores = np.asarray(scores, dtype=float).ravel()
    if len(scores) != folds:
        raise AssertionError(f"cross_validate returned {len(scores)} number(s); expected one accuracy per fold ({folds}).")
    used = [m for m in log if m.fitted]
    if len(used) != folds:
        raise AssertionError(
            f"make_model() gave {len(used)} trained model(s) for {folds} folds: build a fresh model inside the "
            "loop, so that no fold starts from a model that has already seen its test rows."
        )
    counts, expected = np.zeros(n, dtype=int), []
    for k, model in enumerate(used, start=1):
        test = np.array(sorted({i for i in model.tested if i not in model.fitted}), dtype=int)
        if test.size == 0:
            raise AssertionError(f"fold {k} was tested only on rows it was trained on: hold the test fold out of training.")
        counts[test] += 1
        share = np.mean(test >= 30)
        if abs(share - 0.4) > 0.1:
            raise AssertionError(
                f"fold {k}'s test part is {share:.0%} class 1 but the data is 40% class 1: split with "
                "StratifiedKFold so that every fold keeps the class mix."
            )
        expected.append(np.mean(test % 4 != 1))  # the spy is wrong exactly on rows with id % 4 == 1
    if np.any(counts != 1):
        i = int(np.flatnonzero(counts != 1)[0])
        raise AssertionError(
            f"row {i} was tested {counts[i]} times (rows a fold also trained on do not count); in k-fold "
            "cross-validation every row is tested exactly once, by the one model that did not train on it."
        )
    if not np.allclose(np.sort(scores), np.sort(expected)):
        raise AssertionError(
            f"the scores {np.round(scores, 3).tolist()} are not the test accuracies of the folds "
            f"{np.round(expected, 3).tolist()}: score a fold by mean(model.predict(X_test) == y_test)."
        )
    _passed(f"{folds} stratified folds, a fresh model for each, every row tested once, scores are the fold accuracies.")


def check_keras_twin(keras_twin: Callable, net: Any, X: Any) -> None:
    """Exercise #2: ``keras_twin(net)`` builds a Keras model with ``net``'s layers, activations and weights."""
    import keras

    from labs.backprop import LOSSES, predict_proba

    model = _call(keras_twin, "keras_twin", net)
    if not isinstance(model, keras.Model):
        raise AssertionError(f"model must be a Keras model (e.g. keras.Sequential); got {type(model).__name__}.")
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if len(dense) != len(net.weights):
        raise AssertionError(
            f"model has {len(dense)} Dense layer(s); the network has {len(net.weights)} "
            f"({len(net.weights) - 1} hidden, 1 output)."
        )
    wanted = [net.hidden] * (len(dense) - 1) + [LOSSES[net.loss]]
    for k, (layer, w, t, act) in enumerate(zip(dense, net.weights, net.thresholds, wanted)):
        if layer.dtype != "float64":
            raise AssertionError(
                f"layer {layer.name!r} holds {layer.dtype} weights: pass dtype='float64' to every layer "
                "so that Keras computes with the same precision as NumPy."
            )
        kernel, bias = (np.asarray(v) for v in layer.get_weights())
        if kernel.shape != w.shape:
            raise AssertionError(f"layer {layer.name!r} has a {kernel.shape} kernel; expected {w.shape}.")
        if not (np.array_equal(kernel, w) and np.array_equal(bias, t)):
            raise AssertionError(
                f"layer {layer.name!r} does not hold the network's weights {net.param_names[2 * k]}, "
                f"{net.param_names[2 * k + 1]}: copy them with layer.set_weights([weights[{k}], thresholds[{k}]])."
            )
        name = getattr(layer.activation, "__name__", str(layer.activation))
        if name != act:
            raise AssertionError(f"layer {layer.name!r} uses activation {name!r}; the network uses {act!r} there.")
    got = np.asarray(model(np.asarray(X, dtype=np.float64)))
    check_close("model(X)", got, predict_proba(net, X), rtol=1e-10, atol=1e-12,
                hint="Same weights and activations should give the same outputs.")
    _passed(f"the Keras model reproduces the NumPy network's outputs on {len(got)} samples.")


# --- labs 04-07 -----------------------------------------------------------------------------


def _activation_after(layers: list, i: int) -> str:
    """Name of the activation applied to Dense layer ``layers[i]``'s output (own or next layer's)."""
    layer = layers[i]
    name = getattr(getattr(layer, "activation", None), "__name__", "linear")
    if name == "linear" and i + 1 < len(layers) and type(layers[i + 1]).__name__ == "Activation":
        name = getattr(layers[i + 1].activation, "__name__", "linear")
    return name


def check_mlp_architecture(
    model: Any, layers: str = "784-500-500-10", *, activation: str = "sigmoid",
    output_activation: str = "softmax",
) -> None:
    """Exercise: a Keras model with the layer sizes ``layers``, ``activation`` in the hidden
    layers and ``output_activation`` at the output (Dense layers, activations in them or after)."""
    from labs.models import parse_layers

    sizes = parse_layers(layers)
    if model is None:
        raise AssertionError("model is None: build it with keras.Sequential([...]).")
    if not hasattr(model, "layers") or not hasattr(model, "count_params"):
        raise AssertionError(f"model must be a Keras model (keras.Sequential); got {type(model).__name__}.")
    stack = list(model.layers)
    dense = [i for i, layer in enumerate(stack) if type(layer).__name__ == "Dense"]
    if len(dense) != len(sizes) - 1:
        raise AssertionError(
            f"your model has {len(dense)} Dense layers; {layers} needs {len(sizes) - 1} "
            f"({len(sizes) - 2} hidden and 1 output)."
        )
    try:
        inputs = model.input_shape[-1]
    except (AttributeError, ValueError):
        raise AssertionError("the model does not know its input size: start with keras.Input(shape=(784,)).") from None
    if inputs != sizes[0]:
        raise AssertionError(f"the input has {inputs} values; expected {sizes[0]} (28 × 28 pixels, flattened).")
    for k, (i, units) in enumerate(zip(dense, sizes[1:]), start=1):
        last = k == len(dense)
        what = "the output layer" if last else f"hidden layer {k}"
        if stack[i].units != units:
            raise AssertionError(f"{what} has {stack[i].units} units; expected {units}.")
        want = output_activation if last else activation
        got = _activation_after(stack, i)
        if got != want:
            why = " so that the outputs are probabilities that add up to 1" if want == "softmax" else ""
            raise AssertionError(f"{what} uses the {got!r} activation; expected {want!r}{why}.")
    expected = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    if model.count_params() != expected:
        raise AssertionError(
            f"the model has {model.count_params():,} parameters; {layers} has {expected:,} "
            "(weights and biases of every layer). Did you turn off a bias or add a layer?"
        )
    _passed(f"{layers} with {activation} hidden units and a {output_activation} output: {expected:,} parameters.")


def check_confusion_matrix(confusion_matrix: Callable) -> None:
    """Exercise: ``confusion_matrix(y_true, y_pred, n_classes)`` counts (true, predicted) pairs."""
    y_true = np.array([0, 1, 2, 2, 1, 0, 2])
    y_pred = np.array([0, 2, 2, 2, 1, 1, 0])
    expected = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 2]])
    got = _call(confusion_matrix, "confusion_matrix", y_true, y_pred, 4)
    if got is None:
        raise AssertionError("confusion_matrix returned None: did you forget a `return`?")
    got = np.asarray(got)
    if got.shape != (4, 4):
        raise AssertionError(
            f"with n_classes=4 the matrix must have shape (4, 4); got {got.shape}. Size it from "
            "n_classes, not from the labels that happen to occur (class 3 never occurs here)."
        )
    got = got[:3, :3]
    if np.array_equal(got, expected.T) and not np.array_equal(got, expected):
        raise AssertionError("your matrix is transposed: rows must be the true classes, columns the predictions.")
    if got.sum() != len(y_true):
        raise AssertionError(f"the counts add up to {got.sum()}, but there are {len(y_true)} samples: "
                             "each sample adds exactly 1 to one entry.")
    wrong = np.argwhere(got != expected)
    if wrong.size:
        i, j = (int(v) for v in wrong[0])
        raise AssertionError(
            f"entry [{i}, {j}] (true class {i}, predicted {j}) is {got[i, j]}; expected {expected[i, j]} "
            f"for y_true={y_true.tolist()}, y_pred={y_pred.tolist()}."
        )
    _passed("confusion_matrix counts every (true, predicted) pair, rows = truth, columns = prediction.")


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _gradient_cases() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    z = rng.normal(scale=2.0, size=(5, 4))
    t = np.eye(4)[[0, 3, 1, 1, 2]]
    return z, t


def check_ce_gradient(ce_gradient: Callable) -> None:
    """Exercise: ``ce_gradient(z, t)`` = ∂L/∂z of L = −Σ t·ln softmax(z), one row per sample."""
    z, t = _gradient_cases()
    got = _call(ce_gradient, "ce_gradient", z.copy(), t.copy())
    y = _softmax(z)
    if got is not None and np.shape(got) == z.shape and np.allclose(got, z - t):
        raise AssertionError("you returned z − t: the network's output is y = softmax(z), so use y − t.")
    check_close("ce_gradient(z, t)", got, y - t, rtol=1e-5, atol=1e-8,
                hint="Softmax and cross-entropy together give ∂L/∂z = y − t with y = softmax(z) (row-wise).")
    _passed("∂L/∂z = softmax(z) − t for cross-entropy: it stays large while the output is wrong.")


def se_gradient_reference(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    """∂L/∂z of L = Σ (softmax(z) − t)², row by row: 2·y⊙[(y − t) − Σ (y − t)·y]."""
    y = _softmax(np.asarray(z, dtype=np.float64))
    error = y - np.asarray(t, dtype=np.float64)
    return 2 * y * (error - np.sum(error * y, axis=-1, keepdims=True))


def check_se_gradient(se_gradient: Callable) -> None:
    """Exercise: ``se_gradient(z, t)`` = ∂L/∂z of L = Σ (softmax(z) − t)², one row per sample."""
    z, t = _gradient_cases()
    got = _call(se_gradient, "se_gradient", z.copy(), t.copy())
    y = _softmax(z)
    if got is not None and np.shape(got) == z.shape:
        if np.allclose(got, 2 * (y - t)):
            raise AssertionError("you returned 2(y − t), the gradient with respect to y. Carry it through "
                                 "the softmax: ∂y_i/∂z_j = y_i(δ_ij − y_j).")
        if np.allclose(got, 2 * (y - t) * y * (1 - y)):
            raise AssertionError("you used only the diagonal of the softmax's Jacobian, y_j(1 − y_j); every "
                                 "output depends on every z_j, so add the terms −y_i·y_j for i ≠ j.")
    check_close("se_gradient(z, t)", got, se_gradient_reference(z, t), rtol=1e-5, atol=1e-8,
                hint="∂L/∂z_j = Σ_i 2(y_i − t_i)·y_i(δ_ij − y_j).")
    _passed("∂L/∂z of the square error carries the factor y(δ − y): it vanishes where the output saturates.")


def check_updates_per_epoch(updates_per_epoch: Callable) -> None:
    """Exercise: ``updates_per_epoch(n, batch_size)``: how many updates one epoch makes."""
    cases = [(4000, 100, 40), (4000, 4000, 1), (1000, 300, 4), (10, 1, 10), (5, 10, 1), (60000, 128, 469)]
    for n, batch, want in cases:
        got = _call(updates_per_epoch, "updates_per_epoch", n, batch)
        if got is None:
            raise AssertionError("updates_per_epoch returned None: did you forget a `return`?")
        if got != want:
            hint = " The last, smaller batch is an update too: round up, not down." if got == n // batch else ""
            raise AssertionError(f"updates_per_epoch({n}, {batch}) gave {got}; expected {want}.{hint}")
    _passed("updates per epoch = ⌈n / batch size⌉, the last batch included.")


def check_minibatch_indices(minibatch_indices: Callable) -> None:
    """Exercise: ``minibatch_indices(n, batch_size, rng)``: shuffled index batches covering 0..n−1."""
    for n, batch in ((50, 8), (40, 10), (7, 7)):
        batches = _call(minibatch_indices, "minibatch_indices", n, batch, np.random.default_rng(0))
        if batches is None:
            raise AssertionError("minibatch_indices returned None: did you forget a `return`?")
        batches = [np.asarray(b) for b in batches]
        want = -(-n // batch)
        if len(batches) != want:
            raise AssertionError(f"n={n}, batch_size={batch} should give {want} batches; got {len(batches)}.")
        sizes = [len(b) for b in batches]
        if any(s != batch for s in sizes[:-1]) or not 0 < sizes[-1] <= batch:
            raise AssertionError(f"batch sizes are {sizes}: every batch but the last must hold {batch} samples.")
        joined = np.concatenate(batches)
        if sorted(joined.tolist()) != list(range(n)):
            missing = sorted(set(range(n)) - set(joined.tolist()))
            raise AssertionError(f"one epoch must use every sample exactly once; missing {missing[:5]} "
                                 "or some index repeats.")
        if n > batch and np.array_equal(joined, np.arange(n)):
            raise AssertionError("the samples come in their original order: shuffle them first, with rng.permutation(n).")
    _passed("every sample once per epoch, in shuffled batches of the right size.")


def check_activations(leaky_relu: Callable, elu: Callable) -> None:
    """Exercise: NumPy ``leaky_relu(z, alpha)`` and ``elu(z, alpha)`` as the slides define them."""
    z = np.array([-3.0, -1.0, -0.25, 0.0, 0.5, 2.0])
    for label, fn, alpha, want, negative in (
        ("leaky_relu", leaky_relu, 0.2, np.where(z > 0, z, 0.2 * z), "α·z"),
        ("elu", elu, 1.0, np.where(z > 0, z, np.expm1(np.minimum(z, 0))), "α·(e^z − 1)"),
    ):
        got = _call(fn, label, z.copy(), alpha)
        if got is None:
            raise AssertionError(f"{label} returned None: did you forget a `return`?")
        got = np.asarray(got, dtype=np.float64)
        if got.shape != z.shape:
            raise AssertionError(f"{label} must work element-wise: input shape {z.shape}, output {got.shape}.")
        if not np.allclose(got[z > 0], z[z > 0]):
            raise AssertionError(f"{label}(z) must equal z for z > 0; got {got[z > 0]} for z = {z[z > 0]}.")
        bad = np.flatnonzero(~np.isclose(got, want, atol=1e-7))
        if bad.size:
            k = int(bad[0])
            raise AssertionError(f"{label}({z[k]:g}) with α={alpha} gave {got[k]:.6g}; expected {want[k]:.6g} "
                                 f"(for z ≤ 0 it is {negative}).")
    _passed("leaky ReLU and ELU match their definitions on both sides of 0.")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def check_chain_gradient(chain_gradient: Callable) -> None:
    """Exercise: ``chain_gradient(w, z)``: ∂a_L/∂a_0 = Π w_k σ'(z_k) along a chain of sigmoid units."""
    w = np.array([1.5, -0.8, 2.0, 1.2])
    z = np.array([0.3, -1.0, 2.0, 0.0])
    got = _call(chain_gradient, "chain_gradient", w.copy(), z.copy())
    s = _sigmoid(z)
    want = float(np.prod(w * s * (1 - s)))
    if got is None:
        raise AssertionError("chain_gradient returned None: did you forget a `return`?")
    if np.ndim(got) != 0:
        raise AssertionError(f"chain_gradient must return one number (the product); got shape {np.shape(got)}.")
    got = float(got)
    for wrong, hint in ((np.prod(s * (1 - s)), "you left out the weights w_k"),
                        (np.prod(w * s), "you used σ(z_k) where the chain rule needs σ'(z_k) = σ(z_k)(1 − σ(z_k))"),
                        (np.sum(w * s * (1 - s)), "the chain rule multiplies the factors of the layers, it does not add them")):
        if np.isclose(got, wrong) and not np.isclose(got, want):
            raise AssertionError(f"chain_gradient gave {got:.6g}; expected {want:.6g}: {hint}.")
    if not np.isclose(got, want, rtol=1e-6):
        raise AssertionError(f"chain_gradient gave {got:.6g}; expected {want:.6g} = Π w_k σ'(z_k).")
    _passed("∂a_L/∂a_0 = Π w_k σ'(z_k): each sigmoid layer multiplies the gradient by at most |w|/4.")



# --- labs 08-11 -----------------------------------------------------------------------------

_RULE_STEPS = 10


def _same(got: Any, want: np.ndarray) -> bool:
    """True when ``got`` is numbers of ``want``'s shape and equal to it within 1e-6 (relative)."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(want) and bool(np.allclose(got, want, rtol=1e-6))


def _check_rule_steps(
    label: str,
    student: Callable,
    reference: Callable,
    state_name: str,
    state0: np.ndarray,
    variants: dict[str, tuple[Callable, str]],
    keras_optimizer: Any,
) -> float:
    """Step a student's update rule next to the reference on the elongated bowl, then run it for
    ``_RULE_STEPS`` steps against ``keras_optimizer``; return the largest relative difference."""
    from labs import optimizers

    bowl = optimizers.elongated_bowl(1.0, 10.0)
    w0 = np.array([-4.0, 1.5])
    w, state = w0.copy(), state0.copy()
    for step in range(1, _RULE_STEPS + 1):
        g = bowl.grad(w)
        result = _call(student, label, w.copy(), g.copy(), state.copy())
        if not isinstance(result, tuple) or len(result) != 2:
            raise AssertionError(f"{label} must return a pair (new_w, new_{state_name}).")
        want_w, want_state = reference(w, g, state)
        where = f"At step {step} (w={np.round(w, 4)}, g={np.round(g, 4)}, {state_name}={np.round(state, 4)})"
        if not _same(result[0], want_w):
            for variant, message in variants.values():
                wrong_w, wrong_state = variant(w, g, state)
                if _same(result[0], wrong_w) and _same(result[1], wrong_state):
                    raise AssertionError(f"{where} new_w = {np.round(result[0], 6)}: {message}")
        check_close(f"new_w at step {step}", result[0], want_w, rtol=1e-6, hint=where + ".")
        check_close(f"new_{state_name} at step {step}", result[1], want_state, rtol=1e-6,
                    hint=where + f": return the updated {state_name}, not the old one.")
        w, state = want_w, want_state

    def as_rule(w, g, memory):
        new_w, new_state = student(w, g, memory.get(state_name, state0.copy()))
        return np.asarray(new_w, dtype=np.float64), {state_name: np.asarray(new_state, dtype=np.float64)}

    ours = optimizers.run_steps(as_rule, bowl.grad, w0, _RULE_STEPS)
    theirs = optimizers.keras_steps(keras_optimizer, bowl.grad, w0, _RULE_STEPS)
    difference = float(np.max(np.abs(ours - theirs)) / np.max(np.abs(ours)))
    if difference > 1e-4:
        raise AssertionError(
            f"Step by step your rule matches, but over {_RULE_STEPS} steps it differs from Keras by "
            f"{difference:.1e} of the parameters' size (expected < 1e-4): does it keep state between calls?"
        )
    return difference


def check_adagrad_update(update: Callable, learning_rate: float = 0.5) -> None:
    """Exercise: ``update(w, g, sum_sq, lr) -> (new_w, new_sum_sq)`` is Adagrad, as in Keras."""
    from labs import optimizers

    lr, eps = learning_rate, 1e-7

    def reference(w, g, s):
        return w - lr * g / np.sqrt(s + g**2 + eps), s + g**2

    variants = {
        "no root": (lambda w, g, s: (w - lr * g / (s + g**2 + eps), s + g**2),
                    "you divide by Σg² itself; Adagrad divides by its square root √(Σg²)."),
        "old sum": (lambda w, g, s: (w - lr * g / np.sqrt(s + eps), s + g**2),
                    "the sum must include this step's g² before you divide (add first, then divide)."),
        "no memory": (lambda w, g, s: (w - lr * g / np.sqrt(g**2 + eps), s + g**2),
                      "you divide by this step's |g| only; Adagrad divides by the root of the sum of ALL past g²."),
        "plain": (lambda w, g, s: (w - lr * g, s + g**2),
                  "that is plain gradient descent; divide the step by √(Σ past g²)."),
        "sign": (lambda w, g, s: (w + lr * g / np.sqrt(s + g**2 + eps), s + g**2),
                 "the step goes uphill: subtract η g / √(Σg²), don't add it."),
    }
    diff = _check_rule_steps(
        "update", lambda w, g, s: update(w, g, s, lr), reference, "sum_sq", np.zeros(2), variants,
        optimizers.keras_optimizer("adagrad", learning_rate=lr),
    )
    _passed(f"your Adagrad takes the same {_RULE_STEPS} steps as keras.optimizers.Adagrad"
            f"(initial_accumulator_value=0) (largest difference {diff:.1e} of the parameters' size).")


def check_momentum_update(update: Callable, learning_rate: float = 0.02, momentum: float = 0.9) -> None:
    """Exercise: ``update(w, g, movement, lr, momentum) -> (new_w, new_movement)`` is Keras' SGD momentum."""
    from labs import optimizers

    lr, lam = learning_rate, momentum

    def reference(w, g, v):
        movement = lam * v - lr * g
        return w + movement, movement

    variants = {
        "plain": (lambda w, g, v: (w - lr * g, lam * v - lr * g),
                  "that is plain gradient descent; add the momentum term λ·(previous movement)."),
        "sign": (lambda w, g, v: (w + lam * v + lr * g, lam * v + lr * g),
                 "the gradient term has the wrong sign: movement = λ·movement − η·g (downhill)."),
        "minus": (lambda w, g, v: (w - (lam * v - lr * g), lam * v - lr * g),
                  "you subtract the movement; with movement = λ·movement − η·g, the new w is w + movement."),
        "no lr": (lambda w, g, v: (w + lam * v - g, lam * v - g),
                  "the gradient must be scaled by the learning rate η inside the movement."),
    }
    diff = _check_rule_steps(
        "update", lambda w, g, v: update(w, g, v, lr, lam), reference, "movement", np.zeros(2), variants,
        optimizers.keras_optimizer("momentum", learning_rate=lr, momentum=lam),
    )
    _passed(f"your momentum rule takes the same {_RULE_STEPS} steps as keras.optimizers.SGD"
            f"(momentum={lam}) (largest difference {diff:.1e} of the parameters' size).")


def check_hand_dropout(dropout: Callable, test_weights: Callable, keep_prob: float = 0.8) -> None:
    """Exercise: ``dropout(a, keep_prob, rng)`` is the slides' training-time dropout and
    ``test_weights(W, keep_prob)`` the slides' test-time scaling."""
    a = np.random.default_rng(3).uniform(0.5, 1.5, size=(400, 50))
    out = _call(dropout, "dropout", a.copy(), keep_prob, np.random.default_rng(0))
    if out is None:
        raise AssertionError("dropout returned None: did you forget a `return`?")
    out = np.asarray(out, dtype=np.float64)
    if out.shape != a.shape:
        raise AssertionError(f"dropout must return the same shape as its input {a.shape}; got {out.shape}.")
    kept = out != 0
    if np.allclose(out[kept], a[kept] / keep_prob):
        raise AssertionError("the kept activations are divided by keep_prob: that is Keras' inverted dropout. "
                             "The slides' rule leaves them unchanged and scales the weights at test time.")
    if not np.allclose(out[kept], a[kept]):
        raise AssertionError("each activation must be either kept unchanged or set to 0 (multiply by a 0/1 mask).")
    share, spread = kept.mean(), 5 * np.sqrt(keep_prob * (1 - keep_prob) / a.size)
    if abs(share - (1 - keep_prob)) < spread and abs(share - keep_prob) > spread:
        raise AssertionError(f"you keep {share:.1%} of the units with keep_prob={keep_prob}: keep_prob is the "
                             "probability of KEEPING a unit (use rng.random(shape) < keep_prob).")
    if abs(share - keep_prob) > spread:
        raise AssertionError(f"you keep {share:.1%} of the units; with keep_prob={keep_prob} expect about "
                             f"{keep_prob:.0%} (within {spread:.1%}).")
    again = np.asarray(_call(dropout, "dropout", a.copy(), keep_prob, np.random.default_rng(1)))
    if np.array_equal(again != 0, kept):
        raise AssertionError("two calls with different random generators drop the same units: "
                             "draw a new mask from `rng` every time.")
    W = np.random.default_rng(4).normal(size=(5, 3))
    scaled = _call(test_weights, "test_weights", W.copy(), keep_prob)
    if scaled is not None and np.shape(scaled) == W.shape:
        if np.allclose(scaled, W / keep_prob):
            raise AssertionError("test_weights divides by keep_prob; the slides multiply the weights by p "
                                 "(a weight 1 trained with p = 0.5 becomes 0.5 at test time).")
        if np.allclose(scaled, W * (1 - keep_prob)):
            raise AssertionError("test_weights multiplies by 1 − keep_prob (the drop rate); multiply by keep_prob.")
    check_close("test_weights(W, keep_prob)", scaled, W * keep_prob, hint="Multiply every weight by keep_prob.")
    _passed(f"your dropout keeps {share:.1%} of the units unchanged (keep_prob {keep_prob}) and the "
            "test-time weights are scaled by p.")


def check_weight_decay_update(update: Callable, learning_rate: float = 0.1, decay: float = 0.05) -> None:
    """Exercise: ``update(w, g, lr, decay) -> new_w`` is the slides' w ← w(1 − ηλ) − η g, as Keras'
    ``SGD(weight_decay=λ)`` does it."""
    from labs import optimizers

    lr, lam = learning_rate, decay
    bowl = optimizers.elongated_bowl(1.0, 3.0)
    w0 = np.array([-4.0, 1.5])
    wrong = {
        "no lr": (lambda w, g: w * (1 - lam) - lr * g, "the decay factor is (1 − ηλ): include the learning rate."),
        "grows": (lambda w, g: w * (1 + lr * lam) - lr * g, "the weights grow: multiply by (1 − ηλ), not (1 + ηλ)."),
        "no decay": (lambda w, g: w - lr * g, "that is plain gradient descent; shrink w by the factor (1 − ηλ) too."),
        "L2 twice": (lambda w, g: w * (1 - 2 * lr * lam) - lr * g,
                     "you shrink by (1 − 2ηλ): that is the gradient of λ·Σw² (no ½); the slides' factor is (1 − ηλ)."),
    }
    w = w0.copy()
    for step in range(1, 6):
        g = bowl.grad(w)
        got = _call(update, "update", w.copy(), g.copy(), lr, lam)
        want = w * (1 - lr * lam) - lr * g
        where = f"At step {step} (w={np.round(w, 4)}, g={np.round(g, 4)}, η={lr}, λ={lam})"
        if not _same(got, want):
            for variant, message in wrong.values():
                if _same(got, variant(w, g)):
                    raise AssertionError(f"{where}: {message}")
        check_close(f"new_w at step {step}", got, want, rtol=1e-6, hint=where + ".")
        w = want
    import keras

    ours = optimizers.run_steps(lambda w, g, s: (np.asarray(update(w, g, lr, lam), dtype=np.float64), s),
                                bowl.grad, w0, _RULE_STEPS)
    theirs = optimizers.keras_steps(keras.optimizers.SGD(learning_rate=lr, weight_decay=lam), bowl.grad, w0,
                                    _RULE_STEPS)
    difference = float(np.max(np.abs(ours - theirs)) / np.max(np.abs(ours)))
    if difference > 1e-4:
        raise AssertionError(f"over {_RULE_STEPS} steps your rule differs from Keras' SGD(weight_decay) by "
                             f"{difference:.1e} of the weights' size.")
    _passed(f"your weight-decay step matches keras.optimizers.SGD(weight_decay={lam}) over {_RULE_STEPS} steps "
            f"(largest difference {difference:.1e}).")



# lab 10 autoencoders


def pca_reconstruction(X_fit: Any, X: Any, k: int) -> np.ndarray:
    """x̄ + V Vᵀ (x − x̄) with V the first ``k`` principal directions of ``X_fit`` (NumPy SVD)."""
    X_fit, X = np.asarray(X_fit, dtype=np.float64), np.asarray(X, dtype=np.float64)
    mean = X_fit.mean(axis=0)
    _, _, Vt = np.linalg.svd(X_fit - mean, full_matrices=False)
    V = Vt[:k].T
    return mean + (X - mean) @ V @ V.T


def check_pca_reconstruction(reconstruct: Callable) -> None:
    """Exercise: ``reconstruct(X_fit, X, k)`` returns PCA's g(f(x)) = x̄ + V Vᵀ (x − x̄) for each row of X."""
    rng = np.random.default_rng(10)
    X_fit = rng.normal(size=(60, 12)) @ rng.normal(size=(12, 12)) + rng.uniform(1, 3, size=12)
    X = rng.normal(size=(7, 12)) @ rng.normal(size=(12, 12)) + rng.uniform(1, 3, size=12)
    for k in (1, 3, 12):
        got = _call(reconstruct, "reconstruct", X_fit.copy(), X.copy(), k)
        want = pca_reconstruction(X_fit, X, k)
        if got is None:
            raise AssertionError("reconstruct returned None: did you forget a `return`?")
        shape = np.shape(got)
        if shape == (len(X), k) and k != X.shape[1]:
            raise AssertionError(f"reconstruct returned shape {shape}: that is the code f(x) = Vᵀ(x − x̄). "
                                 "Decode it too: g(h) = x̄ + V h.")
        if shape != want.shape:
            raise AssertionError(f"reconstruct(X_fit, X, k={k}) has shape {shape}; expected {want.shape} "
                                 "(one reconstructed row per row of X).")
        got = np.asarray(got, dtype=np.float64)
        if np.allclose(got, want, atol=1e-6):
            continue
        mean = X_fit.mean(axis=0)
        _, _, Vt = np.linalg.svd(X_fit, full_matrices=False)
        hints = [
            (X @ Vt[:k].T @ Vt[:k], "you did not centre: subtract the mean image x̄ of X_fit before the SVD "
                                    "and before projecting, then add it back."),
            (want - mean, "add the mean x̄ back after projecting: g(h) = x̄ + V h."),
            (pca_reconstruction(X, X, k), "fit the mean and the directions on X_fit, not on X."),
        ]
        for wrong, hint in hints:
            if np.allclose(got, wrong, atol=1e-6):
                raise AssertionError(f"With k={k}: {hint}")
        if k < X.shape[1]:
            for other in (k - 1, k + 1):
                if other >= 1 and np.allclose(got, pca_reconstruction(X_fit, X, other), atol=1e-6):
                    raise AssertionError(f"With k={k} you kept {other} directions: keep the first k rows of Vᵀ.")
        check_close(f"reconstruct(X_fit, X, k={k})", got, want, atol=1e-6,
                    hint="Use the first k rows of Vᵀ from np.linalg.svd(X_fit − x̄, full_matrices=False).")
    _passed("PCA reconstruction x̄ + V Vᵀ(x − x̄) is right for k = 1, 3 and 12 (k = all: exact).")


def kl_sparsity(H: Any, rho: float) -> float:
    """Σ_j KL(ρ ‖ ρ̂_j) with ρ̂_j the mean activation of hidden unit j (column j of ``H``)."""
    rho_hat = np.asarray(H, dtype=np.float64).mean(axis=0)
    return float(np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))))


def check_kl_sparsity(penalty: Callable) -> None:
    """Exercise: ``penalty(H, rho)`` is the sparse autoencoder's Σ_j KL(ρ ‖ ρ̂_j) for sigmoid codes ``H``."""
    rng = np.random.default_rng(11)
    H = 1 / (1 + np.exp(-rng.normal(-1.0, 1.5, size=(40, 6))))
    for rho in (0.05, 0.2):
        got = _call(penalty, "penalty", H.copy(), rho)
        want = kl_sparsity(H, rho)
        if np.ndim(got) != 0:
            raise AssertionError(f"penalty must return one number (summed over units); got shape {np.shape(got)}.")
        got = float(got)
        rho_hat = H.mean(axis=0)
        hints = [
            (want / H.shape[1], "you averaged over the hidden units: the penalty sums KL(ρ ‖ ρ̂_j) over units j."),
            (float(np.sum(rho * np.log(rho / rho_hat))), "the second term (1 − ρ) log((1 − ρ)/(1 − ρ̂_j)) is missing."),
            (float(np.sum(rho * np.log(rho / H.mean(axis=1)) + (1 - rho) * np.log((1 - rho) / (1 - H.mean(axis=1))))),
             "ρ̂_j is the mean of unit j over the samples: average each column of H (axis=0), not each row."),
            (float(np.sum(rho_hat * np.log(rho_hat / rho) + (1 - rho_hat) * np.log((1 - rho_hat) / (1 - rho)))),
             "that is KL(ρ̂_j ‖ ρ); the penalty is KL(ρ ‖ ρ̂_j) = ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j))."),
        ]
        if np.isclose(got, want, rtol=1e-6):
            continue
        for wrong, hint in hints:
            if np.isclose(got, wrong, rtol=1e-6):
                raise AssertionError(f"With ρ = {rho}: {hint}")
        raise AssertionError(f"With ρ = {rho} the penalty is {got:.6g}; expected {want:.6g}. "
                             "Compute ρ̂_j = mean of column j, then sum ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j)).")
    _passed("the KL sparsity penalty matches Σ_j KL(ρ ‖ ρ̂_j) for ρ = 0.05 and 0.2.")


# lab 11 why deep


def check_parameter_count(count: Callable) -> None:
    """Exercise: ``count(sizes)`` gives the number of weights and biases of a dense network."""
    from labs.models import mlp_parameters

    for sizes in ([2, 2, 1], [784, 500, 500, 10], [429, 2048, 2048, 9304], [4, 3]):
        got = _call(count, "count", list(sizes))
        want = mlp_parameters(sizes)
        if got is None:
            raise AssertionError("count returned None: did you forget a `return`?")
        weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        if got == weights:
            raise AssertionError(f"For {sizes} you counted {got}: only the weights. Each unit of every layer "
                                 "after the input also has a bias.")
        if got == want + sizes[0]:
            raise AssertionError(f"For {sizes} you counted {got}: the input layer has no biases "
                                 "(it only holds the inputs).")
        if got != want:
            raise AssertionError(f"For {sizes} you counted {got}; expected {want}. A layer of n_out units fed "
                                 "by n_in units has n_in·n_out weights and n_out biases.")
    _passed("parameter counts are right (784-500-500-10 has 648,010).")


def check_shallow_width(width: Callable) -> None:
    """Exercise: ``width(parameters, inputs, outputs)`` is the one-hidden-layer width with that many parameters."""
    from labs.models import mlp_parameters, mlp_spec, width_for_parameters

    cases = [(mlp_parameters("10-20-20-5"), 10, 5),
             (mlp_parameters(mlp_spec(5, 2048, inputs=429, outputs=9304)), 429, 9304),
             (mlp_parameters("784-500-500-10"), 784, 10),
             (mlp_parameters("784-100-100-100-10"), 784, 10)]
    for parameters, n_in, n_out in cases:
        got = _call(width, "width", parameters, n_in, n_out)
        want = width_for_parameters(1, parameters, inputs=n_in, outputs=n_out)
        if got is None:
            raise AssertionError("width returned None: did you forget a `return`?")
        try:
            got_int = int(round(float(got)))
        except (TypeError, ValueError):
            raise AssertionError(f"width must return a number; got {type(got).__name__}.") from None
        if abs(got_int - want) > 1:
            without_bias = (parameters - n_out) / (n_in + n_out)
            hint = (" You left out the hidden biases: the net has (inputs + 1 + outputs)·w + outputs parameters."
                    if abs(got_int - without_bias) <= 1 else
                    " Solve (inputs + outputs + 1)·w + outputs = parameters for w.")
            raise AssertionError(f"For {parameters:,} parameters, {n_in} inputs and {n_out} outputs you gave width "
                                 f"{got_int}; expected {want}.{hint}")
    _passed("one-hidden-layer widths are right: 5 × 2k in Seide et al.'s net has as many parameters as 1 × 3772.")


# --- lab 12 ---------------------------------------------------------------------------------


def _variance_mistakes(fan_in: int, fan_out: int, scheme: str) -> dict[str, float]:
    """Variances that common slips produce, to name the slip in the message."""
    avg = fan_in + fan_out
    if scheme == "xavier":
        return {
            "1/fan_in (LeCun's formula): Xavier uses 2/(fan_in + fan_out)": 1 / fan_in,
            "2/fan_in (He's formula), which is meant for ReLU layers": 2 / fan_in,
            "the variance used as the limit: U(-a, a) has variance a²/3, so a = sqrt(6/(fan_in + fan_out))":
                2 / (3 * avg),
            "a limit without the square root: a = sqrt(6/(fan_in + fan_out))": (6 / avg) ** 2 / 3,
            "the limit a = sqrt(1/fan_in) or similar: a = sqrt(6/(fan_in + fan_out))": 1 / (3 * fan_in),
        }
    return {
        "1/fan_in: He's formula has a factor 2, because ReLU zeroes half of its inputs": 1 / fan_in,
        "2/(fan_in + fan_out) (Xavier's formula); He uses 2/fan_in": 2 / avg,
        "2/fan_out: He divides by fan_in, the number of inputs of a unit": 2 / fan_out,
        "the variance used as the standard deviation: use std = sqrt(2/fan_in)": (2 / fan_in) ** 2,
        "U(-a, a) with a = sqrt(2/fan_in), whose variance is a²/3: He draws from N(0, 2/fan_in)":
            2 / (3 * fan_in),
    }


def _check_initializer(init: Callable, scheme: str) -> tuple[float, float]:
    """Shared checks for the hand-written initialisers; returns (measured, formula) variance."""
    fan_in, fan_out = 400, 200
    formula = {"xavier": "2/(fan_in + fan_out)", "he": "2/fan_in"}[scheme]
    expected = 2 / (fan_in + fan_out) if scheme == "xavier" else 2 / fan_in
    w = _call(init, "the initialiser", fan_in, fan_out, np.random.default_rng(0))
    if w is None:
        raise AssertionError("the initialiser returned None: did you forget a `return`?")
    w = np.asarray(w, dtype=np.float64)
    if w.shape == (fan_out, fan_in):
        raise AssertionError(f"shape {w.shape} is transposed: a Keras kernel has shape (fan_in, fan_out) "
                             f"= ({fan_in}, {fan_out}).")
    if w.shape != (fan_in, fan_out):
        raise AssertionError(f"the weights must have shape (fan_in, fan_out) = ({fan_in}, {fan_out}); got {w.shape}.")
    if not np.all(np.isfinite(w)):
        raise AssertionError("the weights contain NaN or inf.")
    again = np.asarray(_call(init, "the initialiser", fan_in, fan_out, np.random.default_rng(0)))
    other = np.asarray(_call(init, "the initialiser", fan_in, fan_out, np.random.default_rng(1)))
    if not np.array_equal(w, again) or np.array_equal(w, other):
        raise AssertionError("draw the numbers from the `rng` argument (e.g. rng.uniform, rng.normal), so that "
                             "the same generator state gives the same weights and another gives others.")
    n, var = w.size, float(w.var())
    # standard error of a sample variance: sqrt((m4 - var²)/n), m4 = 9/5 var² (uniform) or 3 var² (normal)
    se = expected * np.sqrt((0.8 if scheme == "xavier" else 2.0) / n)
    if abs(w.mean()) > 5 * np.sqrt(expected / n):
        raise AssertionError(f"the weights should have mean 0; yours have mean {w.mean():.4g} "
                             f"(a zero-mean sample of {n} would be within ±{5 * np.sqrt(expected / n):.1g}).")
    if abs(var - expected) > 5 * se:
        slip = [s for s, v in _variance_mistakes(fan_in, fan_out, scheme).items() if abs(var - v) <= 0.05 * v]
        hint = f" Your variance looks like {slip[0]}." if slip else ""
        raise AssertionError(
            f"for fan_in={fan_in}, fan_out={fan_out} the variance should be {formula} = {expected:.5f}, "
            f"yours is {var:.5f} ({var / expected:.2f} times too {'large' if var > expected else 'small'}).{hint}"
        )
    largest = float(np.abs(w).max())
    if scheme == "xavier":
        limit = np.sqrt(6 / (fan_in + fan_out))
        if largest > limit * (1 + 1e-9):
            raise AssertionError(f"Xavier-uniform weights lie in [-a, a] with a = sqrt(6/(fan_in + fan_out)) = "
                                 f"{limit:.4f}; yours reach {largest:.4f} (a normal distribution?).")
    elif largest < 2.0 * np.sqrt(expected):  # U(-a, a) stops at 1.73 std, a normal goes past 4
        raise AssertionError(f"He's weights are normal, with tails well past 2 standard deviations; yours stop at "
                             f"{largest / np.sqrt(expected):.2f} std (a uniform distribution?).")
    return var, expected


def check_xavier_uniform(init: Callable) -> None:
    """Exercise: ``init(fan_in, fan_out, rng)`` draws Xavier/Glorot weights, U(-a, a), a = √(6/(fan_in+fan_out))."""
    var, expected = _check_initializer(init, "xavier")
    _passed(f"Xavier-uniform: variance {var:.5f} vs 2/(fan_in + fan_out) = {expected:.5f}, within sampling error.")


def check_he_normal(init: Callable) -> None:
    """Exercise: ``init(fan_in, fan_out, rng)`` draws He/MSRA weights, N(0, 2/fan_in)."""
    var, expected = _check_initializer(init, "he")
    _passed(f"He-normal: variance {var:.5f} vs 2/fan_in = {expected:.5f}, within sampling error.")


def _block_model(block: Callable, features: int, width: int, activation: str) -> Any:
    import keras

    inputs = keras.Input(shape=(features,))
    try:
        outputs = _call(block, "residual_block", inputs, width, activation)
    except AssertionError:
        raise
    except Exception as error:  # a Keras shape error names the problem best in the student's terms
        hint = (f" The input has {features} features and the block {width}: the shortcut must be projected "
                "to the block's width with Dense(width, use_bias=False)." if features != width else "")
        raise AssertionError(f"residual_block failed on an input of {features} features: "
                             f"{type(error).__name__}: {str(error).splitlines()[0]}.{hint}") from None
    if outputs is None:
        raise AssertionError("residual_block returned None: did you forget a `return`?")
    model = keras.Model(inputs, outputs)
    if tuple(model.output_shape) != (None, width):
        raise AssertionError(f"the block's output must have shape (batch, width) = (None, {width}); "
                             f"got {tuple(model.output_shape)}.")
    return model


def _dense_weights(model: Any, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Give every Dense layer random weights (biases too) and return (kernel, bias) pairs in order."""
    import keras

    pairs = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            kernel = rng.normal(scale=0.5, size=layer.kernel.shape)
            bias = rng.normal(scale=0.5, size=layer.units) if layer.use_bias else np.zeros(layer.units)
            layer.set_weights([kernel, bias] if layer.use_bias else [kernel])
            pairs.append((kernel, bias))
    return pairs


def _block_outputs(x: np.ndarray, pairs: list, act: Callable) -> dict[str, list[np.ndarray]]:
    """What a right block and typical slips compute, for each way of reading its Dense layers."""
    if len(pairs) == 2:
        readings = [(pairs[0], pairs[1], None)]
    else:  # F's second layer is the square one; the other two are F's first layer and U, in either order
        square = next(i for i, (k, _) in enumerate(pairs) if k.shape[0] == k.shape[1])
        first, proj = [p for i, p in enumerate(pairs) if i != square]
        readings = [(first, pairs[square], proj), (proj, pairs[square], first)]
    outputs: dict[str, list[np.ndarray]] = {"right": [], "no shortcut": [], "late add": [], "linear F": []}
    for (w1, b1), (w2, b2), proj in readings:
        shortcut = x if proj is None else x @ proj[0] + proj[1]
        f = act(x @ w1 + b1) @ w2 + b2
        outputs["right"].append(act(f + shortcut))
        outputs["no shortcut"].append(act(f))
        outputs["late add"].append(act(f) + shortcut)
        outputs["linear F"].append(act((x @ w1 + b1) @ w2 + b2 + shortcut))
    return outputs


_BLOCK_SLIPS = {
    "no shortcut": "the output is act(F(x)): the shortcut is missing; add x (or Ux) to F(x) before the "
                   "last activation.",
    "late add": "the output is act(F(x)) + x: add the shortcut first, then apply the activation, "
                "H = act(F(x) + x).",
    "linear F": "F has no activation between its two Dense layers: F(x) = W2·act(W1·x + b1) + b2.",
}


def check_residual_block(block: Callable) -> None:
    """Exercise: ``block(x, width, activation)`` returns act(W2·act(W1·x + b1) + b2 + s(x)), s = x or Ux."""
    import keras

    rng = np.random.default_rng(0)
    relu = lambda s: np.maximum(s, 0.0)  # noqa: E731
    for features, width in ((6, 6), (9, 6)):
        model = _block_model(block, features, width, "relu")
        pairs = _dense_weights(model, rng)
        needed = 2 if features == width else 3
        if len(pairs) != needed:
            what = ("two Dense layers for F and no projection: the widths are equal, so the shortcut is x itself"
                    if needed == 2 else "two Dense layers for F plus a projection Dense(width, use_bias=False) "
                    "for the shortcut, because the widths differ")
            raise AssertionError(f"with {features} input features and width {width} the block needs {what}; "
                                 f"yours has {len(pairs)} Dense layers.")
        x = rng.normal(size=(5, features))
        got = np.asarray(model(x.astype("float32")), dtype=np.float64)
        matched = {key: any(np.allclose(got, o, rtol=1e-4, atol=1e-4) for o in candidates)
                   for key, candidates in _block_outputs(x, pairs, relu).items()}
        if matched["right"]:
            continue
        for slip, message in _BLOCK_SLIPS.items():
            if matched[slip]:
                raise AssertionError(message)
        wanted = _block_outputs(x, pairs, relu)["right"][0]
        raise AssertionError(
            f"for an input of {features} features and width {width} the block does not compute "
            f"act(W2·act(W1·x + b1) + b2 + {'x' if needed == 2 else 'Ux'}): output[0, :3] is "
            f"{np.round(got[0, :3], 4).tolist()}, expected {np.round(wanted[0, :3], 4).tolist()}. Keep the "
            "second Dense layer linear: the activation comes after the addition."
        )
    model = _block_model(block, 6, 6, "tanh")
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    x = rng.normal(size=(4, 6))
    if not np.allclose(np.asarray(model(x.astype("float32"))), np.tanh(x), atol=1e-5):
        raise AssertionError("with activation='tanh' and F's weights at zero the block should return tanh(x): "
                             "use the `activation` argument rather than a fixed 'relu'.")
    _passed("residual block: H(x) = act(F(x) + x), with a projection Ux where the widths differ.")
