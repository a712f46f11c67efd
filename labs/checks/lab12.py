"""Self-checks of lab 12 (training deep networks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from labs.checks._common import _call, _passed
from labs.i18n import N_, _


def _with_hint(message: str, hint: str) -> str:
    """A message followed by a hint (the languages join them differently)."""
    return _("{message} {hint}").format(message=message, hint=hint) if hint else message


def _variance_mistakes(fan_in: int, fan_out: int, scheme: str) -> dict[str, float]:
    """Variances that common slips produce, to name the slip in the message."""
    avg = fan_in + fan_out
    if scheme == "xavier":
        return {
            _("1/fan_in (LeCun's formula): Xavier uses 2/(fan_in + fan_out)"): 1 / fan_in,
            _("2/fan_in (He's formula), which is meant for ReLU layers"): 2 / fan_in,
            _("the variance used as the limit: U(-a, a) has variance a²/3, so a = sqrt(6/(fan_in + fan_out))"):
                2 / (3 * avg),
            _("a limit without the square root: a = sqrt(6/(fan_in + fan_out))"): (6 / avg) ** 2 / 3,
            _("the limit a = sqrt(1/fan_in) or similar: a = sqrt(6/(fan_in + fan_out))"): 1 / (3 * fan_in),
        }
    return {
        _("1/fan_in: He's formula has a factor 2, because ReLU zeroes half of its inputs"): 1 / fan_in,
        _("2/(fan_in + fan_out) (Xavier's formula); He uses 2/fan_in"): 2 / avg,
        _("2/fan_out: He divides by fan_in, the number of inputs of a unit"): 2 / fan_out,
        _("the variance used as the standard deviation: use std = sqrt(2/fan_in)"): (2 / fan_in) ** 2,
        _("U(-a, a) with a = sqrt(2/fan_in), whose variance is a²/3: He draws from N(0, 2/fan_in)"):
            2 / (3 * fan_in),
    }


def _check_initializer(init: Callable, scheme: str) -> tuple[float, float]:
    """Shared checks for the hand-written initialisers; returns (measured, formula) variance."""
    fan_in, fan_out = 400, 200
    formula = {"xavier": "2/(fan_in + fan_out)", "he": "2/fan_in"}[scheme]
    expected = 2 / (fan_in + fan_out) if scheme == "xavier" else 2 / fan_in
    w = _call(init, _("the initialiser"), fan_in, fan_out, np.random.default_rng(0))
    if w is None:
        raise AssertionError(_("the initialiser returned None: did you forget a `return`?"))
    w = np.asarray(w, dtype=np.float64)
    if w.shape == (fan_out, fan_in):
        raise AssertionError(_("shape {shape} is transposed: a Keras kernel has shape (fan_in, fan_out) "
                               "= ({fan_in}, {fan_out}).").format(shape=w.shape, fan_in=fan_in, fan_out=fan_out))
    if w.shape != (fan_in, fan_out):
        raise AssertionError(_("the weights must have shape (fan_in, fan_out) = ({fan_in}, {fan_out}); got {shape}.")
                             .format(fan_in=fan_in, fan_out=fan_out, shape=w.shape))
    if not np.all(np.isfinite(w)):
        raise AssertionError(_("the weights contain NaN or inf."))
    again = np.asarray(_call(init, _("the initialiser"), fan_in, fan_out, np.random.default_rng(0)))
    other = np.asarray(_call(init, _("the initialiser"), fan_in, fan_out, np.random.default_rng(1)))
    if not np.array_equal(w, again) or np.array_equal(w, other):
        raise AssertionError(_("draw the numbers from the `rng` argument (e.g. rng.uniform, rng.normal), so that "
                               "the same generator state gives the same weights and another gives others."))
    n, var = w.size, float(w.var())
    # standard error of a sample variance: sqrt((m4 - var²)/n), m4 = 9/5 var² (uniform) or 3 var² (normal)
    se = expected * np.sqrt((0.8 if scheme == "xavier" else 2.0) / n)
    if abs(w.mean()) > 5 * np.sqrt(expected / n):
        raise AssertionError(_("the weights should have mean 0; yours have mean {mean:.4g} "
                               "(a zero-mean sample of {n} would be within ±{bound:.1g}).").format(
                                   mean=w.mean(), n=n, bound=5 * np.sqrt(expected / n)))
    if abs(var - expected) > 5 * se:
        slip = [s for s, v in _variance_mistakes(fan_in, fan_out, scheme).items() if abs(var - v) <= 0.05 * v]
        hint = _("Your variance looks like {slip}.").format(slip=slip[0]) if slip else ""
        if var > expected:
            message = _("for fan_in={fan_in}, fan_out={fan_out} the variance should be {formula} = {expected:.5f}, "
                        "yours is {var:.5f} ({ratio:.2f} times too large).")
        else:
            message = _("for fan_in={fan_in}, fan_out={fan_out} the variance should be {formula} = {expected:.5f}, "
                        "yours is {var:.5f} ({ratio:.2f} times too small).")
        raise AssertionError(_with_hint(message.format(fan_in=fan_in, fan_out=fan_out, formula=formula,
                                                       expected=expected, var=var, ratio=var / expected), hint))
    largest = float(np.abs(w).max())
    if scheme == "xavier":
        limit = np.sqrt(6 / (fan_in + fan_out))
        if largest > limit * (1 + 1e-9):
            raise AssertionError(_("Xavier-uniform weights lie in [-a, a] with a = sqrt(6/(fan_in + fan_out)) = "
                                   "{limit:.4f}; yours reach {largest:.4f} (a normal distribution?).").format(
                                       limit=limit, largest=largest))
    elif largest < 2.0 * np.sqrt(expected):  # U(-a, a) stops at 1.73 std, a normal goes past 4
        raise AssertionError(_("He's weights are normal, with tails well past 2 standard deviations; yours stop at "
                               "{stds:.2f} std (a uniform distribution?).").format(stds=largest / np.sqrt(expected)))
    return var, expected


def check_xavier_uniform(init: Callable) -> None:
    """Exercise: ``init(fan_in, fan_out, rng)`` draws Xavier/Glorot weights, U(-a, a), a = √(6/(fan_in+fan_out))."""
    var, expected = _check_initializer(init, "xavier")
    _passed(_("Xavier-uniform: variance {var:.5f} vs 2/(fan_in + fan_out) = {expected:.5f}, within sampling "
              "error.").format(var=var, expected=expected))


def check_he_normal(init: Callable) -> None:
    """Exercise: ``init(fan_in, fan_out, rng)`` draws He/MSRA weights, N(0, 2/fan_in)."""
    var, expected = _check_initializer(init, "he")
    _passed(_("He-normal: variance {var:.5f} vs 2/fan_in = {expected:.5f}, within sampling error.").format(
        var=var, expected=expected))


def _block_model(block: Callable, features: int, width: int, activation: str) -> Any:
    import keras

    inputs = keras.Input(shape=(features,))
    try:
        outputs = _call(block, "residual_block", inputs, width, activation)
    except AssertionError:
        raise
    except Exception as error:  # a Keras shape error names the problem best in the student's terms
        hint = (_("The input has {features} features and the block {width}: the shortcut must be projected "
                        "to the block's width with Dense(width, use_bias=False).").format(
                            features=features, width=width) if features != width else "")
        raise AssertionError(_with_hint(_("residual_block failed on an input of {features} features: "
                                          "{error}: {detail}.").format(features=features, error=type(error).__name__,
                                                                       detail=str(error).splitlines()[0]), hint)) from None
    if outputs is None:
        raise AssertionError(_("residual_block returned None: did you forget a `return`?"))
    model = keras.Model(inputs, outputs)
    if tuple(model.output_shape) != (None, width):
        raise AssertionError(_("the block's output must have shape (batch, width) = (None, {width}); "
                               "got {shape}.").format(width=width, shape=tuple(model.output_shape)))
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
    "no shortcut": N_("the output is act(F(x)): the shortcut is missing; add x (or Ux) to F(x) before the "
                      "last activation."),
    "late add": N_("the output is act(F(x)) + x: add the shortcut first, then apply the activation, "
                   "H = act(F(x) + x)."),
    "linear F": N_("F has no activation between its two Dense layers: F(x) = W2·act(W1·x + b1) + b2."),
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
        projected = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)
                     and layer.kernel.shape[0] != layer.kernel.shape[1]]
        if needed == 3 and len(pairs) == 3 and all(layer.use_bias for layer in projected):
            raise AssertionError(_("the shortcut's projection has a bias: the shortcut is Ux, a learned matrix only, "
                                   "so use Dense(width, use_bias=False) for it."))
        if len(pairs) != needed:
            if needed == 2:
                message = _("with {features} input features and width {width} the block needs two Dense layers "
                            "for F and no projection: the widths are equal, so the shortcut is x itself; yours has "
                            "{layers} Dense layers.")
            else:
                message = _("with {features} input features and width {width} the block needs two Dense layers "
                            "for F plus a projection Dense(width, use_bias=False) for the shortcut, because the "
                            "widths differ; yours has {layers} Dense layers.")
            raise AssertionError(message.format(features=features, width=width, layers=len(pairs)))
        x = rng.normal(size=(5, features))
        got = np.asarray(model(x.astype("float32")), dtype=np.float64)
        matched = {key: any(np.allclose(got, o, rtol=1e-4, atol=1e-4) for o in candidates)
                   for key, candidates in _block_outputs(x, pairs, relu).items()}
        if matched["right"]:
            continue
        for slip, message in _BLOCK_SLIPS.items():
            if matched[slip]:
                raise AssertionError(_(message))
        wanted = _block_outputs(x, pairs, relu)["right"][0]
        raise AssertionError(_(
            "for an input of {features} features and width {width} the block does not compute "
            "act(W2·act(W1·x + b1) + b2 + {shortcut}): output[0, :3] is {got}, expected {expected}. Keep the "
            "second Dense layer linear: the activation comes after the addition.").format(
                features=features, width=width, shortcut="x" if needed == 2 else "Ux",
                got=np.round(got[0, :3], 4).tolist(), expected=np.round(wanted[0, :3], 4).tolist()))
    model = _block_model(block, 6, 6, "tanh")
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    x = rng.normal(size=(4, 6))
    if not np.allclose(np.asarray(model(x.astype("float32"))), np.tanh(x), atol=1e-5):
        raise AssertionError(_("with activation='tanh' and F's weights at zero the block should return tanh(x): "
                               "use the `activation` argument rather than a fixed 'relu'."))
    _passed(_("residual block: H(x) = act(F(x) + x), with a projection Ux where the widths differ."))



LEVEL = 0.04  # |log(spread factor per layer)| that counts as level: 4% per layer, about 5 standard errors


def spread_factor(std: float, width: int, negative_slope: float, *, depth: int = 10, networks: int = 3,
                  seed: int = 0, batch: int = 16) -> float:
    """By how much each leaky-ReLU layer multiplies the spread of its input, with N(0, std²) weights
    and zero biases: the spreads (standard deviations) of the outputs of ``depth`` layers of
    ``width`` units on standard-normal inputs, and the factor per layer fitted to their logarithms
    (least squares, pooled over ``networks`` networks drawn afresh)."""
    rng = np.random.default_rng(seed)
    layers = np.arange(1, depth + 1)
    slopes = []
    for _network in range(networks):
        h = rng.standard_normal(size=(batch, width), dtype=np.float32)
        logs = []
        for _layer in range(depth):
            s = h @ (float(std) * rng.standard_normal(size=(width, width), dtype=np.float32))
            h = np.where(s > 0, s, negative_slope * s)
            spread = float(h.std(dtype=np.float64))
            if not 0 < spread < np.inf:
                return 0.0 if spread == 0 else float("inf")
            logs.append(np.log(spread))
        slopes.append(np.polyfit(layers, logs, 1)[0])
    return float(np.exp(np.mean(slopes)))


def check_leaky_relu_std(std: Callable) -> None:
    """Exercise: ``std(fan_in, negative_slope)`` keeps a deep leaky-ReLU network's spread level (measured)."""
    measured: dict[float, float] = {}
    for fan_in, slope in ((500, 0.0), (400, 0.5), (500, 1.0), (450, 0.25)):
        sigma = _call(std, "leaky_relu_std", fan_in, slope)
        if sigma is None:
            raise AssertionError(_("leaky_relu_std returned None: did you forget a `return`?"))
        try:
            sigma = float(sigma)
        except (TypeError, ValueError):
            raise AssertionError(_("leaky_relu_std must return one number; got {kind}.").format(
                kind=type(sigma).__name__)) from None
        if not np.isfinite(sigma) or sigma <= 0:
            raise AssertionError(_("a standard deviation is a positive number; for fan_in={fan_in}, "
                                   "negative_slope={slope} yours is {sigma}.").format(
                                       fan_in=fan_in, slope=slope, sigma=sigma))
        factor = spread_factor(sigma, fan_in, slope)
        measured[slope] = factor
        if not 0 < factor < np.inf or abs(np.log(factor)) > LEVEL:
            hint = (_("That is far too small: did you return the variance rather than the standard "
                            "deviation?") if factor < 0.3 else
                    _("At negative_slope 0 your σ keeps the spread level (He's start); for a > 0 the "
                            "negative half passes a·s, so work out E[f(s)²] again.") if slope > 0
                    and 0.0 in measured and abs(np.log(measured[0.0])) <= LEVEL else "")
            if factor > 1:
                message = _("with fan_in={fan_in} and negative_slope={slope}, the spread grows by ×{factor:.3f} "
                            "per layer with your σ = {sigma:.4g}: a layer's spread is proportional to σ, so yours "
                            "is about {factor:.3f} times the σ that keeps it level.")
            else:
                message = _("with fan_in={fan_in} and negative_slope={slope}, the spread shrinks by ×{factor:.3f} "
                            "per layer with your σ = {sigma:.4g}: a layer's spread is proportional to σ, so yours "
                            "is about {factor:.3f} times the σ that keeps it level.")
            raise AssertionError(_with_hint(message.format(fan_in=fan_in, slope=slope, factor=factor, sigma=sigma),
                                            hint))
    _passed(_("your σ keeps the spread level: ×{half:.3f} per layer at negative_slope 0.5, "
              "×{one:.3f} at slope 1 (a linear network).").format(half=measured[0.5], one=measured[1.0]))
