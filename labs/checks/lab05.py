"""Self-checks of lab 05 (loss functions)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labs.backprop import softmax
from labs.checks._common import _call, _expected, _passed, check_close
from labs.i18n import _


def _gradient_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """Outputs before the softmax ``z`` and one-hot targets ``t`` of five samples, four classes."""
    rng = np.random.default_rng(4)
    z = rng.normal(scale=2.0, size=(5, 4))
    t = np.eye(4)[[0, 3, 1, 1, 2]]
    return [(z, t)]


def check_ce_gradient(ce_gradient: Callable) -> None:
    """Exercise: ``ce_gradient(z, t)`` = ∂L/∂z of L = −Σ t·ln softmax(z), one row per sample."""
    [(z, t)] = _gradient_cases()
    got = _call(ce_gradient, "ce_gradient", z.copy(), t.copy())
    if got is not None and np.shape(got) == z.shape and np.allclose(got, z - t):
        raise AssertionError(_("you returned z − t: the network's output is y = softmax(z), so use y − t."))
    check_close("ce_gradient(z, t)", got, _expected("lab05.ce_gradient.case0"), rtol=1e-5, atol=1e-8,
                hint=_("Softmax and cross-entropy together give ∂L/∂z = y − t with y = softmax(z) (row-wise)."))
    _passed(_("∂L/∂z = softmax(z) − t for cross-entropy: it stays large while the output is wrong."))


def check_se_gradient(se_gradient: Callable) -> None:
    """Exercise: ``se_gradient(z, t)`` = ∂L/∂z of L = Σ (softmax(z) − t)², one row per sample."""
    [(z, t)] = _gradient_cases()
    got = _call(se_gradient, "se_gradient", z.copy(), t.copy())
    y = softmax(z)
    if got is not None and np.shape(got) == z.shape:
        if np.allclose(got, 2 * (y - t)):
            raise AssertionError(_("you returned 2(y − t), the gradient with respect to y. Carry it through "
                                   "the softmax: ∂y_i/∂z_j = y_i(δ_ij − y_j)."))
        if np.allclose(got, 2 * (y - t) * y * (1 - y)):
            raise AssertionError(_("you used only the diagonal of the softmax's Jacobian, y_j(1 − y_j); every "
                                   "output depends on every z_j, so add the terms −y_i·y_j for i ≠ j."))
    check_close("se_gradient(z, t)", got, _expected("lab05.se_gradient.case0"), rtol=1e-5, atol=1e-8,
                hint=_("∂L/∂z_j = Σ_i 2(y_i − t_i)·y_i(δ_ij − y_j)."))
    _passed(_("∂L/∂z of the square error carries the factor y(δ − y): it vanishes where the output saturates."))


SE_RATE_IMAGES = 1_000
SE_RATE_WIDTH = 100
SE_RATE_EPOCHS = 10
SE_RATE_SEEDS = (0, 1)
SE_RATE_THRESHOLD = 0.28
"""Training accuracy (``model.evaluate``, mean of two seeds) the square-error network must reach: a little
below what cross-entropy reaches with learning rate 0.1 in the same 10 epochs (0.32..0.34 on seeds 0, 1).
With rate 10, single seeds reach 0.29..0.49 (seeds 2..13), pairs 0.37 or more; with 0.1, about 0.12."""


def measure_se_learning_rate(learning_rate: float, *, seed: int = 0) -> float:
    """Training accuracy (``model.evaluate`` on the training images) of the 784-100-100-10 sigmoid
    network trained with square error, SGD at ``learning_rate``, batch 100, for 10 epochs on the
    first 1,000 MNIST images, from the starting weights of ``seed``."""
    import keras

    from labs.data import mnist_for_mlp
    from labs.models import build_mlp, mlp_spec
    from labs.training import train

    (x, y), _ = mnist_for_mlp(SE_RATE_IMAGES, 1, allow_fewer=True)
    keras.utils.set_random_seed(int(seed))
    model = build_mlp(mlp_spec(2, SE_RATE_WIDTH), "sigmoid")
    train(model, x, y, loss="mean_squared_error", learning_rate=float(learning_rate), epochs=SE_RATE_EPOCHS)
    accuracy = float(model.evaluate(x, y, verbose=0)[1])
    return accuracy if np.isfinite(accuracy) else 0.0


def check_se_learning_rate(learning_rate: object) -> None:
    """Exercise: a learning rate with which square error trains about as far in 10 epochs as
    cross-entropy does with 0.1 (the check trains it on two seeds and measures their mean)."""
    if learning_rate is None:
        raise AssertionError(_("se_learning_rate is not chosen yet: replace None with a number."))
    try:
        rate = float(learning_rate)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise AssertionError(_("se_learning_rate must be a number; got {kind}.").format(
            kind=type(learning_rate).__name__)) from None
    if not np.isfinite(rate) or rate <= 0:
        raise AssertionError(_("se_learning_rate must be a positive number; got {rate}.").format(rate=rate))
    reached = [measure_se_learning_rate(rate, seed=s) for s in SE_RATE_SEEDS]
    measured = _("with square error and learning rate {rate:g}, training accuracy after {epochs} epochs "
                 "{mean:.3f}, mean of {seeds} seeds ({low:.3f}..{high:.3f})").format(
        rate=rate, epochs=SE_RATE_EPOCHS, mean=np.mean(reached), seeds=len(reached), low=min(reached),
        high=max(reached))
    if np.mean(reached) < SE_RATE_THRESHOLD:
        if rate <= 2:
            hint = _("Still far too small: estimate how many times smaller the square error's output gradient is "
                     "at the start (the softmax's slope there, and Keras' mean over 10 outputs).")
        elif max(reached) <= 0.13:
            hint = _("That is chance level: steps this large throw the sigmoid units into saturation, where "
                     "they stop learning. Come down from there.")
        else:
            hint = _("Closer, but the steps are still too small or already too large: refine your estimate.")
        raise AssertionError(_("{measured}; it needs {threshold}. {hint}").format(
            measured=measured, threshold=SE_RATE_THRESHOLD, hint=hint))
    _passed(_("{measured} (needed {threshold}). A larger rate makes up for the small gradient at the "
              "start; it cannot make up for the plateaus of section 4.").format(
        measured=measured, threshold=SE_RATE_THRESHOLD))
