"""Self-checks of lab 07 (activation functions)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labs.checks._common import _call, _expected, _passed
from labs.i18n import _
from labs.neurons import sigmoid


def _activations_cases() -> list[tuple[np.ndarray, float, float]]:
    """Inputs ``z`` on both sides of 0, with the α of leaky ReLU and of ELU (the second case's α
    differ from the usual 0.2 and 1, so that an answer ignoring ``alpha`` is caught)."""
    z = np.array([-3.0, -1.0, -0.25, 0.0, 0.5, 2.0])
    return [(z, 0.2, 1.0), (z, 0.05, 0.4)]


def check_activations(leaky_relu: Callable, elu: Callable) -> None:
    """Exercise: NumPy ``leaky_relu(z, alpha)`` and ``elu(z, alpha)`` as the slides define them."""
    for i, (z, leaky_alpha, elu_alpha) in enumerate(_activations_cases()):
        for label, fn, alpha, negative in (
            ("leaky_relu", leaky_relu, leaky_alpha, "α·z"),
            ("elu", elu, elu_alpha, "α·(e^z − 1)"),
        ):
            want = _expected(f"lab07.{label}.case{i}")
            got = _call(fn, label, z.copy(), alpha)
            if got is None:
                raise AssertionError(_("{name} returned None: did you forget a `return`?").format(name=label))
            got = np.asarray(got, dtype=np.float64)
            if got.shape != z.shape:
                raise AssertionError(_("{label} must work element-wise: input shape {shape}, output {got}.").format(
                    label=label, shape=z.shape, got=got.shape))
            if not np.allclose(got[z > 0], z[z > 0]):
                raise AssertionError(_("{label}(z) must equal z for z > 0; got {got} for z = {z}.").format(
                    label=label, got=got[z > 0], z=z[z > 0]))
            bad = np.flatnonzero(~np.isclose(got, want, atol=1e-7))
            if bad.size:
                k = int(bad[0])
                ignored = i > 0 and np.allclose(got, _expected(f"lab07.{label}.case0"), atol=1e-7)
                message = (_("{label}({z:g}) with α={alpha} gave {got:.6g}; expected {want:.6g} (for z ≤ 0 it is "
                             "{negative}). These are the values for the first case's α: does your function use "
                             "its argument `alpha`?") if ignored
                           else _("{label}({z:g}) with α={alpha} gave {got:.6g}; expected {want:.6g} "
                                  "(for z ≤ 0 it is {negative})."))
                raise AssertionError(message.format(label=label, z=z[k], alpha=alpha, got=got[k], want=want[k],
                                                    negative=negative))
    _passed(_("leaky ReLU and ELU match their definitions on both sides of 0, for two values of α each."))


def _chain_gradient_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """Weights ``w`` and sums ``z`` of a chain of four sigmoid units."""
    return [(np.array([1.5, -0.8, 2.0, 1.2]), np.array([0.3, -1.0, 2.0, 0.0]))]


def check_chain_gradient(chain_gradient: Callable) -> None:
    """Exercise: ``chain_gradient(w, z)``: ∂a_L/∂a_0 = Π w_k σ'(z_k) along a chain of sigmoid units."""
    [(w, z)] = _chain_gradient_cases()
    got = _call(chain_gradient, "chain_gradient", w.copy(), z.copy())
    want = float(_expected("lab07.chain_gradient.case0"))
    if got is None:
        raise AssertionError(_("{name} returned None: did you forget a `return`?").format(name="chain_gradient"))
    if np.ndim(got) != 0:
        raise AssertionError(_("chain_gradient must return one number (the product); got shape {shape}.").format(
            shape=np.shape(got)))
    got = float(got)
    for wrong, hint in ((_expected("lab07.chain_gradient.case0.no_weights"), _("you left out the weights w_k")),
                        (np.prod(w * sigmoid(z)),
                         _("you used σ(z_k) where the chain rule needs σ'(z_k) = σ(z_k)(1 − σ(z_k))")),
                        (_expected("lab07.chain_gradient.case0.sum"),
                         _("the chain rule multiplies the factors of the layers, it does not add them"))):
        if np.isclose(got, wrong) and not np.isclose(got, want):
            raise AssertionError(_("chain_gradient gave {got:.6g}; expected {want:.6g}: {hint}.").format(
                got=got, want=want, hint=hint))
    if not np.isclose(got, want, rtol=1e-6):
        raise AssertionError(_("chain_gradient gave {got:.6g}; expected {want:.6g} = Π w_k σ'(z_k).").format(
            got=got, want=want))
    _passed(_("∂a_L/∂a_0 = Π w_k σ'(z_k): each sigmoid layer multiplies the gradient by at most |w|/4."))


DEEP_NET_LAYERS = 16
"""Layers of weights of the deep network the design exercise must train (15 hidden layers)."""
DEEP_NET_WIDTH = 64
DEEP_NET_EPOCHS = 5
DEEP_NET_IMAGES = 1000
DEEP_NET_THRESHOLD = 0.4
"""Training accuracy (``model.evaluate`` after training) the chosen settings must reach; chance is 0.1."""
DEEP_NET_KEYS = ("activation", "kernel_initializer")


def _deep_net_settings(choose: Callable) -> dict:
    settings = _call(choose, "deep_net_settings")
    if not isinstance(settings, dict):
        raise AssertionError(_("deep_net_settings must return a dict such as {example}; got {kind}.").format(
            example="{'activation': ..., 'kernel_initializer': ...}", kind=type(settings).__name__))
    unknown = sorted(set(settings) - set(DEEP_NET_KEYS))
    if unknown:
        raise AssertionError(_("deep_net_settings may choose only {keys}; it also gives {unknown}.").format(
            keys=", ".join(DEEP_NET_KEYS), unknown=unknown))
    for key, value in settings.items():
        if not isinstance(value, str):
            raise AssertionError(_("{key} must be a Keras name (text such as 'glorot_uniform'); got {value!r}.").format(
                key=key, value=value))
    return settings


def measure_deep_net(choose: Callable, x: np.ndarray, y: np.ndarray, *, seeds: tuple[int, ...] = (0,)) -> float:
    """Train the 16-layer network with the settings ``choose()`` returns (SGD 0.1, batch 100, the
    first ``DEEP_NET_IMAGES`` of ``x``) once per seed; the lowest training accuracy measured by
    ``model.evaluate`` after ``DEEP_NET_EPOCHS`` epochs."""
    import keras

    from labs.models import build_mlp, mlp_spec

    settings = _deep_net_settings(choose)
    x, y = np.asarray(x[:DEEP_NET_IMAGES], dtype="float32"), np.asarray(y[:DEEP_NET_IMAGES], dtype="float32")
    accuracies = []
    for seed in seeds:
        keras.utils.set_random_seed(int(seed))
        try:
            model = build_mlp(mlp_spec(DEEP_NET_LAYERS - 1, DEEP_NET_WIDTH), **settings)
        except (ValueError, TypeError) as error:
            raise AssertionError(_("Keras cannot build the network with {settings}: {error}").format(
                settings=settings, error=error)) from None
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(x, y, batch_size=100, epochs=DEEP_NET_EPOCHS, verbose=0)
        accuracies.append(float(model.evaluate(x, y, batch_size=500, verbose=0)[1]))
    return min(accuracies)


def check_deep_net(choose: Callable, x: np.ndarray, y: np.ndarray) -> None:
    """Exercise: ``choose()`` returns an activation and an initialiser that train 16 layers of weights."""
    accuracy = measure_deep_net(choose, x, y)
    settings = _deep_net_settings(choose)
    if not accuracy >= DEEP_NET_THRESHOLD:
        raise AssertionError(
            _("with {settings} the {layers}-layer network reaches a training accuracy of {accuracy:.3f} "
              "after {epochs} epochs (chance is 0.1); it needs {threshold}. Follow one image "
              "forward: does the spread of a layer's outputs survive fifteen layers with your choice? And backward: "
              "is each layer's slope near 1 where the units sit?").format(
                settings=settings, layers=DEEP_NET_LAYERS, accuracy=accuracy, epochs=DEEP_NET_EPOCHS,
                threshold=DEEP_NET_THRESHOLD))
    _passed(_("with {settings} the {layers}-layer network trains: training accuracy {accuracy:.3f} after "
              "{epochs} epochs on {images:,} images (needed {threshold}).").format(
        settings=settings, layers=DEEP_NET_LAYERS, accuracy=accuracy, epochs=DEEP_NET_EPOCHS,
        images=min(len(x), DEEP_NET_IMAGES), threshold=DEEP_NET_THRESHOLD))
