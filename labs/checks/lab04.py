"""Self-checks of lab 04 (Keras on MNIST)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from labs.checks._common import _call, _expected, _passed
from labs.i18n import _


def _activation_after(layers: list, i: int) -> str:
    """Name of the activation applied to Dense layer ``layers[i]``'s output (own or next layer's)."""
    layer = layers[i]
    name = getattr(getattr(layer, "activation", None), "__name__", "linear")
    if name == "linear" and i + 1 < len(layers) and type(layers[i + 1]).__name__ == "Activation":
        name = getattr(layers[i + 1].activation, "__name__", "linear")
    return name


PLAIN_LAYERS = ("Dense", "Activation", "InputLayer")
_NUMPY_ACTIVATIONS = {
    "sigmoid": lambda s: 1.0 / (1.0 + np.exp(-s)),
    "tanh": np.tanh,
    "relu": lambda s: np.maximum(s, 0.0),
    "linear": lambda s: s,
    "softmax": lambda s: (lambda e: e / e.sum(axis=1, keepdims=True))(np.exp(s - s.max(axis=1, keepdims=True))),
}


def _check_computes_mlp(model: Any, dense: list, activation: str, output_activation: str) -> None:
    """The model's outputs on random inputs equal the Dense layers' weights applied with the
    asked-for activations, computed in NumPy (so no hidden extra step changes the function)."""
    names = [activation] * (len(dense) - 1) + [output_activation]
    if any(name not in _NUMPY_ACTIVATIONS for name in names):
        return  # an activation this check cannot compute itself: the layer checks above must do
    x = np.random.default_rng(4).uniform(0.0, 1.0, size=(8, dense[0].get_weights()[0].shape[0]))
    a = x
    for layer, name in zip(dense, names):
        kernel, bias = (np.asarray(v, dtype=np.float64) for v in layer.get_weights())
        a = _NUMPY_ACTIVATIONS[name](a @ kernel + bias)
    got = np.asarray(model(x.astype("float32")), dtype=np.float64)
    if got.shape != a.shape or not np.allclose(got, a, rtol=1e-3, atol=1e-5):
        raise AssertionError(_(
            "the model's outputs are not those of its Dense layers and activations alone: something in the "
            "model changes them (a Lambda or custom layer, a custom activation?). Keep only the Dense layers."
        ))


def check_mlp_architecture(
    model: Any, layers: str = "784-500-500-10", *, activation: str = "sigmoid",
    output_activation: str = "softmax",
) -> None:
    """Exercise: a Keras model with the layer sizes ``layers``, ``activation`` in the hidden
    layers and ``output_activation`` at the output (Dense layers, activations in them or after)."""
    from labs.models import mlp_parameters, parse_layers

    sizes = parse_layers(layers)
    if model is None:
        raise AssertionError(_("model is None: build it with keras.Sequential([...])."))
    if not hasattr(model, "layers") or not hasattr(model, "count_params"):
        raise AssertionError(_("model must be a Keras model (keras.Sequential); got {kind}.").format(
            kind=type(model).__name__))
    stack = list(model.layers)
    dense = [i for i, layer in enumerate(stack) if type(layer).__name__ == "Dense"]
    if len(dense) != len(sizes) - 1:
        raise AssertionError(_(
            "your model has {got} Dense layers; {layers} needs {needed} "
            "({hidden} hidden and 1 output)."
        ).format(got=len(dense), layers=layers, needed=len(sizes) - 1, hidden=len(sizes) - 2))
    try:
        inputs = model.input_shape[-1]
    except (AttributeError, ValueError):
        raise AssertionError(_(
            "the model does not know its input size: start with keras.Input(shape=(784,)).")) from None
    if inputs != sizes[0]:
        raise AssertionError(_("the input has {inputs} values; expected {expected} (28 × 28 pixels, flattened).").format(
            inputs=inputs, expected=sizes[0]))
    for k, (i, units) in enumerate(zip(dense, sizes[1:]), start=1):
        last = k == len(dense)
        what = _("the output layer") if last else _("hidden layer {k}").format(k=k)
        if stack[i].units != units:
            raise AssertionError(_("{what} has {got} units; expected {units}.").format(
                what=what, got=stack[i].units, units=units))
        want = output_activation if last else activation
        got = _activation_after(stack, i)
        if got != want:
            message = (_("{what} uses the {got!r} activation; expected {want!r} so that the outputs are "
                         "probabilities that add up to 1.") if want == "softmax"
                       else _("{what} uses the {got!r} activation; expected {want!r}."))
            raise AssertionError(message.format(what=what, got=got, want=want))
    expected = mlp_parameters(sizes)
    if model.count_params() != expected:
        raise AssertionError(_(
            "the model has {got:,} parameters; {layers} has {expected:,} "
            "(weights and biases of every layer). Did you turn off a bias or add a layer?"
        ).format(got=model.count_params(), layers=layers, expected=expected))
    extra = [type(layer).__name__ for layer in stack if type(layer).__name__ not in PLAIN_LAYERS]
    if extra:
        raise AssertionError(_(
            "the model has a {extra} layer; {layers} is Dense layers only (with their activations, "
            "inside Dense or as Activation layers): take it out."
        ).format(extra=extra[0], layers=layers))
    _check_computes_mlp(model, [stack[i] for i in dense], activation, output_activation)
    _passed(_("{layers} with {activation} hidden units and a {output} output: {expected:,} parameters.").format(
        layers=layers, activation=activation, output=output_activation, expected=expected))


def _confusion_matrix_cases() -> list[tuple[np.ndarray, np.ndarray, int]]:
    """(y_true, y_pred, n_classes): seven samples of classes 0-2, and a class 3 that never occurs."""
    return [(np.array([0, 1, 2, 2, 1, 0, 2]), np.array([0, 2, 2, 2, 1, 1, 0]), 4)]


def check_confusion_matrix(confusion_matrix: Callable) -> None:
    """Exercise: ``confusion_matrix(y_true, y_pred, n_classes)`` counts (true, predicted) pairs."""
    [(y_true, y_pred, n_classes)] = _confusion_matrix_cases()
    expected = np.asarray(_expected("lab04.confusion_matrix.case0"))
    got = _call(confusion_matrix, "confusion_matrix", y_true.copy(), y_pred.copy(), n_classes)
    if got is None:
        raise AssertionError(_("confusion_matrix returned None: did you forget a `return`?"))
    got = np.asarray(got)
    if got.shape != expected.shape:
        raise AssertionError(_(
            "with n_classes={n_classes} the matrix must have shape {expected}; got {got}. Size it from "
            "n_classes, not from the labels that happen to occur (class 3 never occurs here)."
        ).format(n_classes=n_classes, expected=expected.shape, got=got.shape))
    if np.array_equal(got, expected.T) and not np.array_equal(got, expected):
        raise AssertionError(_("your matrix is transposed: rows must be the true classes, columns the predictions."))
    if got.sum() != len(y_true):
        raise AssertionError(_("the counts add up to {total}, but there are {n} samples: "
                               "each sample adds exactly 1 to one entry.").format(total=got.sum(), n=len(y_true)))
    wrong = np.argwhere(got != expected)
    if wrong.size:
        i, j = (int(v) for v in wrong[0])
        raise AssertionError(_(
            "entry [{i}, {j}] (true class {i}, predicted {j}) is {got}; expected {expected} "
            "for y_true={y_true}, y_pred={y_pred}."
        ).format(i=i, j=j, got=got[i, j], expected=expected[i, j], y_true=y_true.tolist(), y_pred=y_pred.tolist()))
    _passed(_("confusion_matrix counts every (true, predicted) pair, rows = truth, columns = prediction."))


# --- the thought exercise: a learning rate, a batch size and epochs within a budget ---------------

BUDGET_EPOCHS = 3  # at most this many passes over the training images
BUDGET_MIN_BATCH = 10  # batches of at least this many images: at most 600 updates on 2,000 images
BUDGET_IMAGES = 2000  # training images the check trains on
BUDGET_TARGET_LOSS = 1.0  # cross-entropy on the test images that the choice must reach


def _budget_settings(learning_rate: Any, batch_size: Any, epochs: Any) -> tuple[float, int, int]:
    if not isinstance(learning_rate, (int, float, np.integer, np.floating)) or not np.isfinite(learning_rate) \
            or learning_rate <= 0:
        raise AssertionError(_("LEARNING_RATE must be a positive number; got {value!r}.").format(value=learning_rate))
    for name, value in (("BATCH_SIZE", batch_size), ("EPOCHS", epochs)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise AssertionError(_("{name} must be a whole number >= 1; got {value!r}.").format(name=name, value=value))
    if epochs > BUDGET_EPOCHS:
        raise AssertionError(_("EPOCHS = {epochs} is over the budget of {budget} epochs.").format(
            epochs=epochs, budget=BUDGET_EPOCHS))
    if batch_size < BUDGET_MIN_BATCH:
        raise AssertionError(_(
            "BATCH_SIZE = {batch_size} is under the budget's {least}: smaller batches make more "
            "updates, each costing time, so the budget stops at batches of {least}."
        ).format(batch_size=batch_size, least=BUDGET_MIN_BATCH))
    return float(learning_rate), int(batch_size), int(epochs)


def train_on_budget(learning_rate: float, batch_size: int, epochs: int, x_train: Any, y_train: Any,
                    x_test: Any, y_test: Any, *, seed: int = 0) -> tuple[float, float]:
    """Train a fresh 784-500-500-10 (sigmoid, softmax, SGD) on :data:`BUDGET_IMAGES` images drawn
    with ``seed`` and return (cross-entropy on the test images, seconds the training took)."""
    import time

    import keras

    from labs.models import build_mlp

    rows = np.random.default_rng(seed).choice(len(x_train), size=min(BUDGET_IMAGES, len(x_train)), replace=False)
    keras.utils.set_random_seed(seed)
    model = build_mlp("784-500-500-10", "sigmoid")
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=learning_rate))
    start = time.perf_counter()
    model.fit(x_train[rows], y_train[rows], batch_size=batch_size, epochs=epochs, verbose=0)
    seconds = time.perf_counter() - start
    loss = float(model.evaluate(x_test, y_test, verbose=0))
    return (loss if np.isfinite(loss) else float("inf")), seconds


def check_fast_training(learning_rate: Any, batch_size: Any, epochs: Any, x_train: Any, y_train: Any,
                        x_test: Any, y_test: Any) -> None:
    """Thought exercise: settings that bring the 784-500-500-10's test loss below
    :data:`BUDGET_TARGET_LOSS` within :data:`BUDGET_EPOCHS` epochs of :data:`BUDGET_IMAGES` images."""
    lr, batch, n_epochs = _budget_settings(learning_rate, batch_size, epochs)
    loss, seconds = train_on_budget(lr, batch, n_epochs, x_train, y_train, x_test, y_test)
    n = min(BUDGET_IMAGES, len(x_train))
    updates = -(-n // batch) * n_epochs
    if not loss <= BUDGET_TARGET_LOSS:
        if loss > 2.0:
            hint = _("a loss near ln 10 = 2.30 is what guessing scores: the network has hardly left its start. "
                     "{updates} updates of η = {lr:g} did not move it far enough, or a rate too large for "
                     "batches this small threw it onto the sigmoids' flat parts").format(updates=updates, lr=lr)
        else:
            hint = _("the network is learning but {updates} updates of η = {lr:g} are not yet enough").format(
                updates=updates, lr=lr)
        raise AssertionError(_(
            "after {epochs} epoch(s) of batches of {batch} ({updates} updates) the loss on the test images is "
            "{loss:.3f}; the target is {target:.1f}. Hint: {hint}. More updates per epoch, or a "
            "larger step per update: which does the budget still allow?"
        ).format(epochs=n_epochs, batch=batch, updates=updates, loss=loss, target=BUDGET_TARGET_LOSS, hint=hint))
    _passed(_("{updates} updates in {epochs} epoch(s), {seconds:.1f} s here: test loss {loss:.3f} "
              "(target {target:.1f}).").format(updates=updates, epochs=n_epochs, seconds=seconds, loss=loss,
                                               target=BUDGET_TARGET_LOSS))
