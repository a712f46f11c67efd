"""Self-checks of lab 13 (convolutional networks)."""

from __future__ import annotations

import contextlib
import functools
import io
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from labs.checks._common import _call, _passed
from labs.i18n import N_, _

# --- exercise 1: convolution by hand -----------------------------------------------------------

_CONV_CASES = (  # (x shape, kernel shape, stride, padding)
    ((1, 5, 5, 1), (3, 3, 1, 1), 1, "valid"),
    ((2, 7, 7, 3), (3, 3, 3, 4), 1, "valid"),
    ((2, 7, 7, 3), (3, 3, 3, 4), 1, "same"),
    ((1, 9, 8, 2), (3, 3, 2, 3), 2, "valid"),
    ((1, 8, 8, 2), (3, 3, 2, 3), 2, "same"),
    ((1, 6, 7, 1), (2, 2, 1, 2), 1, "same"),
)


def _keras_layer(kernel: np.ndarray, stride: int, padding: str, x_shape: tuple[int, ...]) -> Any:
    """Keras' Conv2D (no bias) holding ``kernel``, built for inputs of ``x_shape``: the check's reference."""
    import keras

    layer = keras.layers.Conv2D(kernel.shape[-1], kernel.shape[:2], strides=stride, padding=padding, use_bias=False)
    layer.build(x_shape)
    layer.set_weights([kernel.astype("float32")])
    return layer


def _through(layer: Any, x: np.ndarray) -> np.ndarray:
    return np.asarray(layer(x.astype("float32")), dtype=np.float64)


def _positions(x: np.ndarray, kernel: np.ndarray, stride: int, padding: str) -> tuple[int, int]:
    from labs.cnn import conv_output_size

    return tuple(conv_output_size(n, k, stride, padding) for n, k in zip(x.shape[1:3], kernel.shape[:2]))


def _padded_before(x: np.ndarray, kernel: np.ndarray, stride: int) -> np.ndarray:
    """``x`` with 'same' padding whose odd zero goes before (top/left) instead of after: a common slip."""
    from labs.cnn import same_padding

    (top, bottom), (left, right) = (same_padding(n, k, stride) for n, k in zip(x.shape[1:3], kernel.shape[:2]))
    return np.pad(x, ((0, 0), (bottom, top), (right, left), (0, 0)))


def _describe(x: np.ndarray, kernel: np.ndarray, stride: int, padding: str) -> str:
    kh, kw, c_in, c_out = kernel.shape
    return _("conv2d(x of shape {shape}, a {kh}×{kw} kernel from {c_in} to {c_out} channels, "
             "stride={stride}, padding={padding!r})").format(
                 shape=x.shape, kh=kh, kw=kw, c_in=c_in, c_out=c_out, stride=stride, padding=padding)


def _close(got: np.ndarray, want: np.ndarray) -> bool:
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-4, atol=1e-4))


def check_conv2d(conv2d: Callable) -> None:
    """Exercise: ``conv2d(x, kernel, stride, padding)`` slides the kernel over ``x`` as Keras' Conv2D does."""
    rng = np.random.default_rng(13)
    worst = 0.0
    for x_shape, k_shape, stride, padding in _CONV_CASES:
        x, kernel = rng.normal(size=x_shape), rng.normal(size=k_shape)
        where = _describe(x, kernel, stride, padding)
        got = _call(conv2d, "conv2d", x.copy(), kernel.copy(), stride, padding)
        if got is None:
            raise AssertionError(_("{label} returned None: did you forget a `return`?").format(label="conv2d"))
        try:
            got = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            raise AssertionError(_("{where} must return an array of numbers; got {kind}.").format(
                where=where, kind=type(got).__name__)) from None
        want = _through(_keras_layer(kernel, stride, padding, x.shape), x)
        if got.shape != want.shape:
            hint = ""
            if got.ndim == 3 and got.shape == want.shape[1:] or got.shape == want.shape[:-1]:
                hint = " " + _("Keep the batch axis first and the output channels (one per filter) last.")
            elif got.shape[1:3] == _positions(x, kernel, 1, padding) and stride > 1:
                hint = " " + _("Your output has as many positions as with stride 1: move the window {stride} pixels "
                               "at a time.").format(stride=stride)
            elif padding == "same" and got.shape[1:3] == _positions(x, kernel, stride, "valid"):
                hint = " " + _("That is the 'valid' size: with 'same', pad with zeros first "
                               "(labs.cnn.same_padding gives how many on each side).")
            elif padding == "valid" and got.shape[1:3] == _positions(x, kernel, stride, "same"):
                hint = " " + _("With 'valid' there is no padding: the window must stay inside the image.")
            raise AssertionError(_("{where} has shape {shape}; Keras' Conv2D gives {expected}.").format(
                where=where, shape=got.shape, expected=want.shape) + hint)
        if not np.all(np.isfinite(got)):
            raise AssertionError(_("{where} contains NaN or inf.").format(where=where))
        if _close(got, want):
            worst = max(worst, float(np.max(np.abs(got - want))))
            continue
        if _close(got, _through(_keras_layer(kernel[::-1, ::-1], stride, padding, x.shape), x)):
            raise AssertionError(_("{where}: you flipped the kernel. Keras (like every deep-learning library) slides "
                                   "the kernel as it is, without turning it round: "
                                   "y[i, j] = Σ x[i+u, j+v]·w[u, v].").format(where=where))
        padded = _padded_before(x, kernel, stride) if padding == "same" else None
        if padded is not None and _close(got, _through(_keras_layer(kernel, stride, "valid", padded.shape), padded)):
            raise AssertionError(_("{where}: where the zeros cannot be split evenly, Keras puts the extra row and "
                                   "column after the image (bottom, right), not before it.").format(where=where))
        if kernel.shape[2] > 1:
            first_channel = _keras_layer(kernel[:, :, :1], stride, padding, x[..., :1].shape)
            if _close(got, _through(first_channel, x[..., :1])):
                raise AssertionError(_("{where}: only the first input channel counts in your sum; a kernel spans "
                                       "all input channels: sum over u, v and the channel c.").format(where=where))
        index = np.unravel_index(int(np.abs(got - want).argmax()), want.shape)
        raise AssertionError(_("{where} differs from Keras' Conv2D: at index {index} you have {got:.5g}, "
                               "Keras {expected:.5g}. Output (i, j) starts its window at row i·stride, "
                               "column j·stride of the (padded) image.").format(
                                   where=where, index=tuple(int(i) for i in index), got=got[index],
                                   expected=want[index]))
    _passed(_("conv2d matches Keras' Conv2D in {cases} cases (valid and same, strides 1 and 2; "
              "largest difference {worst:.1e}).").format(cases=len(_CONV_CASES), worst=worst))


# --- exercise 2: predict a stack's shapes and parameters ---------------------------------------

STACK_LAYERS = (
    N_("Conv2D(8 filters, 5×5, stride 1, 'valid', ReLU)"),
    N_("MaxPooling2D(2×2)"),
    N_("Conv2D(16 filters, 3×3, stride 2, 'same', ReLU)"),
    N_("Conv2D(32 filters, 1×1, ReLU)"),
    N_("MaxPooling2D(2×2)"),
    N_("Flatten()"),
    N_("Dense(10, softmax)"),
)


def prediction_stack(input_shape: tuple[int, int, int]) -> Any:
    """The layer stack of exercise 2, built in Keras for images of ``input_shape``."""
    import keras

    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=tuple(input_shape)),
        layers.Conv2D(8, 5, activation="relu", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="conv2"),
        layers.Conv2D(32, 1, activation="relu", name="conv3"),
        layers.MaxPooling2D(2, name="pool2"),
        layers.Flatten(name="flatten"),
        layers.Dense(10, activation="softmax", name="output"),
    ], name="stack")


_STACK_CASES = ((28, 28, 1), (32, 32, 3), (31, 45, 2), (21, 18, 4))


def _as_shape(value: Any) -> tuple[int, ...] | None:
    try:
        shape = tuple(int(v) for v in (value if isinstance(value, (tuple, list, np.ndarray)) else [value]))
    except (TypeError, ValueError):
        return None
    return shape


def _shape_hint(layer: Any, before: tuple[int, ...], got: tuple[int, ...], want: tuple[int, ...]) -> str:
    kind = type(layer).__name__
    if len(got) != len(want):
        return (" " + _("A Conv2D or pooling layer gives (height, width, channels); Flatten and Dense give (units,).")
                if kind in ("Flatten", "Dense") or len(want) == 3 else "")
    if kind == "Flatten":
        return " " + _("Flatten lines up every number of its input: height × width × channels.")
    if kind == "Dense":
        return " " + _("A Dense layer gives one number per unit.")
    if got[2] != want[2]:
        return " " + (_("A convolution gives one channel per filter.") if kind == "Conv2D"
                      else _("Pooling works on each channel separately and keeps their number."))
    k = layer.kernel_size[0] if kind == "Conv2D" else layer.pool_size[0]
    s = layer.strides[0]
    n = before[0]
    if layer.padding == "valid" and got[0] == (n - k) // s:
        return " " + _("You are one short: a window of {k} fits n − {k} + 1 times in n pixels (with stride 1).").format(k=k)
    if kind == "MaxPooling2D" and got[0] == math.ceil(n / s):
        return " " + _("Pooling without padding drops a last row or column that does not fill a window: round down.")
    if layer.padding == "same":
        return " " + _("'same' keeps ceil(n / stride) positions: with stride {s}, round up.").format(s=s)
    return ""


def _params_hint(layer: Any, before: tuple[int, ...], got: int, want: int) -> str:
    kind = type(layer).__name__
    if kind in ("MaxPooling2D", "Flatten"):
        return " " + _("Pooling and Flatten have no weights: they only choose or rearrange numbers.")
    if kind == "Dense":
        return " " + (_("Each unit also has a bias.") if got == want - layer.units
                      else _("A Dense layer has one weight per input and unit, plus one bias per unit."))
    kh, kw = layer.kernel_size
    c_in, filters = before[-1], layer.filters
    if got == kh * kw * c_in * filters:
        return " " + _("You left out the biases: one per filter.")
    if got == (kh * kw + 1) * filters:
        return " " + _("Each filter spans all the input channels: kh·kw·channels_in weights, plus its bias.")
    if got > want and got % want == 0:
        return " " + _("The weights do not depend on the image size: every position shares the same kernel.")
    return ""


def check_stack_prediction(predict: Callable) -> None:
    """Exercise: ``predict(height, width, channels)`` lists (output shape, parameters) of each layer of the stack."""
    for input_shape in _STACK_CASES:
        got = _call(predict, "predict_stack", *input_shape)
        if got is None:
            raise AssertionError(_("{label} returned None: did you forget a `return`?").format(label="predict_stack"))
        model = prediction_stack(input_shape)
        if not isinstance(got, (list, tuple)) or len(got) != len(model.layers):
            raise AssertionError(_("predict_stack must return a list of {count} pairs (output shape, "
                                   "parameters), one per layer, Flatten included.").format(count=len(model.layers)))
        before = tuple(input_shape)
        for i, (layer, item) in enumerate(zip(model.layers, got), start=1):
            want_shape = tuple(int(d) for d in layer.output.shape[1:])
            want_params = int(layer.count_params())
            where = _("For a {size} input, layer {i}, {layer}").format(
                size="×".join(map(str, input_shape)), i=i, layer=_(STACK_LAYERS[i - 1]))
            if not isinstance(item, (list, tuple)) or len(item) != 2:
                raise AssertionError(_("{where}: give a pair (output shape, parameters); got {item!r}.").format(
                    where=where, item=item))
            shape = _as_shape(item[0])
            if shape != want_shape:
                hint = _shape_hint(layer, before, shape or (), want_shape)
                raise AssertionError(_("{where}, gets an input of shape {before}: you predict the output shape "
                                       "{got!r}, the built model has {expected}.").format(
                                           where=where, before=before, got=item[0], expected=want_shape) + hint)
            try:
                params = int(item[1])
            except (TypeError, ValueError):
                raise AssertionError(_("{where}: the parameter count must be a number; got {got!r}.").format(
                    where=where, got=item[1])) from None
            if params != want_params:
                hint = _params_hint(layer, before, params, want_params)
                raise AssertionError(_("{where}, gets an input of shape {before}: you predict {params:,} parameters, "
                                       "the built model has {expected:,}.").format(
                                           where=where, before=before, params=params, expected=want_params) + hint)
            before = want_shape
    _passed(_("your predictions match the built models' shapes and count_params() for {cases} "
              "input sizes, layer by layer.").format(cases=len(_STACK_CASES)))


# --- exercise 3: a small network that tolerates shifted digits ---------------------------------

SMALL_NET_BUDGET = 20_000  # parameters, at most
SMALL_NET_THRESHOLD = 0.75  # accuracy on shifted test digits, at least (mean over the seeds)
SMALL_NET_RECIPE = {"n_train": 2000, "n_test": 1000, "epochs": 8, "batch_size": 50, "learning_rate": 1e-3,
                    "shifts": (2, 3, 4)}


@functools.lru_cache(maxsize=1)
def _small_net_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from labs.cnn import mnist_for_cnn

    with contextlib.redirect_stdout(io.StringIO()):  # the data source was announced when the lab loaded it
        (x, y), (x_test, y_test) = mnist_for_cnn(SMALL_NET_RECIPE["n_train"], SMALL_NET_RECIPE["n_test"],
                                                 allow_fewer=True)
    return x, y, x_test, y_test.argmax(axis=1)


def _built(build: Callable) -> Any:
    model = _call(build, "my_network")
    if model is None:
        raise AssertionError(_("{label} returned None: did you forget a `return`?").format(label="my_network"))
    if not hasattr(model, "count_params") or not hasattr(model, "fit"):
        raise AssertionError(_("my_network must return a Keras model; got {kind}.").format(kind=type(model).__name__))
    if not model.built:
        raise AssertionError(_("the model has no input shape yet: start it with keras.Input(shape=(28, 28, 1))."))
    if tuple(model.input_shape) != (None, 28, 28, 1):
        raise AssertionError(_("the model must take 28×28×1 images (keras.Input(shape=(28, 28, 1))); "
                               "its input shape is {shape}.").format(shape=model.input_shape))
    if tuple(model.output_shape) != (None, 10):
        raise AssertionError(_("the model must end with Dense(10, activation='softmax'); its output shape is "
                               "{shape}.").format(shape=model.output_shape))
    return model


def _over_budget(model: Any) -> str:
    biggest = max(model.layers, key=lambda layer: layer.count_params())
    return _("your network has {params:,} parameters; the budget is {budget:,}. "
             "The largest layer is {name} ({kind}) with {largest:,}.").format(
                 params=model.count_params(), budget=SMALL_NET_BUDGET, name=biggest.name,
                 kind=type(biggest).__name__, largest=biggest.count_params())


def measure_small_network(build: Callable, seeds: Sequence[int] = (0, 1), shift_seed: int = 0) -> tuple[int, float]:
    """Train ``build()``'s network with the exercise's recipe once per seed; return its parameter
    count and its accuracy on shifted test digits, averaged over the seeds."""
    import keras

    from labs.cnn import random_shifts
    from labs.training import train

    x, y, x_test, labels = _small_net_data()
    shifted = random_shifts(x_test, SMALL_NET_RECIPE["shifts"], seed=shift_seed)
    accuracies, parameters = [], 0
    for seed in seeds:
        keras.utils.set_random_seed(int(seed))
        model = _built(build)
        parameters = int(model.count_params())
        if parameters > SMALL_NET_BUDGET:
            return parameters, float("nan")
        train(model, x, y, optimizer="adam", learning_rate=SMALL_NET_RECIPE["learning_rate"],
              batch_size=SMALL_NET_RECIPE["batch_size"], epochs=SMALL_NET_RECIPE["epochs"], verbose=False)
        predicted = np.asarray(model.predict(shifted, batch_size=500, verbose=0)).argmax(axis=1)
        accuracies.append(float(np.mean(predicted == labels)))
    return parameters, float(np.mean(accuracies))


def check_small_network(build: Callable) -> None:
    """Exercise: ``build()`` returns a network of at most ``SMALL_NET_BUDGET`` parameters that keeps
    ``SMALL_NET_THRESHOLD`` accuracy on test digits shifted by 2–4 pixels (trained on unshifted ones)."""
    model = _built(build)
    if model.count_params() > SMALL_NET_BUDGET:
        raise AssertionError(_over_budget(model) + " " + _("Pooling earlier, or fewer units after Flatten, saves most."))
    probe = np.asarray(model(np.zeros((2, 28, 28, 1), dtype="float32")), dtype=np.float64)
    if not np.allclose(probe.sum(axis=1), 1.0, atol=1e-4) or probe.min() < 0:
        raise AssertionError(_("the outputs must be probabilities: end with Dense(10, activation='softmax')."))
    parameters, accuracy = measure_small_network(build)
    if not accuracy >= SMALL_NET_THRESHOLD:
        raise AssertionError(_(
            "your network ({params:,} parameters) reaches {accuracy:.3f} on shifted digits, mean of 2 seeds; "
            "it needs {threshold}. Where does your network still know *where* a stroke was? "
            "Convolutions only move their maps along with the digit; pooling forgives a pixel or so; Flatten and "
            "Dense tie every number to its place.").format(
                params=parameters, accuracy=accuracy, threshold=SMALL_NET_THRESHOLD))
    _passed(_("{params:,} parameters (budget {budget:,}); accuracy on digits shifted by 2–4 pixels "
              "{accuracy:.3f} (needed {threshold}), mean of 2 seeds.").format(
                  params=parameters, budget=SMALL_NET_BUDGET, accuracy=accuracy, threshold=SMALL_NET_THRESHOLD))
