"""Self-checks of lab 15 (generative models and the information bottleneck).

The expected values of the fixed cases below were computed once from the definitions and are
written here as numbers, so that nothing in ``labs`` computes an answer for the student.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from labs.checks._common import _call, _passed, check_close
from labs.i18n import N_, _

# --- Exercise 1: the GAN's three losses -------------------------------------------------------------

D_REAL = (0.9, 0.6, 0.75, 0.2)          # D(x) for four real images
D_FAKE = (0.1, 0.3, 0.5, 0.05, 0.8)     # D(G(z)) for five generated ones
D_LOSS = 1.1915093004730557
D_LOSS_SWAPPED = 2.690794614875201      # real and generated images swapped
D_LOSS_SUMS = 5.329219971287854         # sums instead of means
SATURATING = -0.563182769395631
NON_SATURATING = 1.4837161805496257
SATURATING_SUM, NON_SATURATING_SUM = -2.8159138469781553, 7.418580902748128


def _scalar(label: str, value: Any) -> float:
    if value is None:
        raise AssertionError(_("{label} returned None: did you forget a `return`?").format(label=label))
    array = np.asarray(value, dtype=np.float64)
    if array.size != 1:
        raise AssertionError(_("{label} must return one number (the mean over the batch); got shape {shape}.").format(
            label=label, shape=array.shape))
    return float(array.reshape(()))


def _follows_the_tape(fn: Callable, label: str, *args: Any) -> None:
    """The loss must be made of TensorFlow operations, or the GAN's tape cannot differentiate it."""
    import tensorflow as tf

    variables = [tf.Variable(np.asarray(a, dtype="float32")) for a in args]
    with tf.GradientTape() as tape:
        value = _call(fn, label, *variables)
    grads = tape.gradient(value, variables) if value is not None and tf.is_tensor(value) else [None]
    if any(g is None for g in grads):
        raise AssertionError(_("{label} gives the right numbers but tf.GradientTape cannot follow it: write it with "
                               "keras.ops (ops.log, ops.mean) or tf.math, not NumPy, so that training can use it.").format(
            label=label))


def check_gan_losses(discriminator_loss: Callable, generator_loss_saturating: Callable,
                     generator_loss_non_saturating: Callable) -> None:
    """Exercise: the discriminator's loss and the generator's two losses, from D's probabilities."""
    d_real, d_fake = np.array(D_REAL), np.array(D_FAKE)
    d = _scalar("discriminator_loss", _call(discriminator_loss, "discriminator_loss", d_real.copy(), d_fake.copy()))
    slips = {D_LOSS_SWAPPED: N_("you swapped the roles: D(x) of real images should be near 1, so the loss has "
                                "log D(x) for the real images and log(1 − D(G(z))) for the generated ones."),
             D_LOSS_SUMS: N_("you summed over the images: the deck's objective has expectations, i.e. means "
                             "(the two batches may have different sizes)."),
             -D_LOSS: N_("that is the objective D maximises; a loss to minimise is its negative.")}
    for wrong, message in slips.items():
        if np.isclose(d, wrong, rtol=1e-5):
            raise AssertionError("discriminator_loss: " + _(message))
    check_close("discriminator_loss(D_real, D_fake)", d, D_LOSS, rtol=1e-5,
                hint=_("D maximises E log D(x) + E log(1 − D(G(z))); return minus that, with means over each batch."))

    sat = _scalar("generator_loss_saturating", _call(generator_loss_saturating, "generator_loss_saturating",
                                                     d_fake.copy()))
    non = _scalar("generator_loss_non_saturating", _call(generator_loss_non_saturating,
                                                         "generator_loss_non_saturating", d_fake.copy()))
    if np.isclose(sat, NON_SATURATING, rtol=1e-5) and np.isclose(non, SATURATING, rtol=1e-5):
        raise AssertionError(_("the two generator losses are swapped: the deck's (saturating) one is "
                               "E log(1 − D(G(z))); the non-saturating one is −E log D(G(z))."))
    for label, got, want, summed, other in (
            ("generator_loss_saturating", sat, SATURATING, SATURATING_SUM, NON_SATURATING),
            ("generator_loss_non_saturating", non, NON_SATURATING, NON_SATURATING_SUM, SATURATING)):
        if np.isclose(got, summed, rtol=1e-5):
            raise AssertionError(_("{label}: you summed over the images; take the mean.").format(label=label))
        if np.isclose(got, other, rtol=1e-5) or np.isclose(got, -other, rtol=1e-5):
            raise AssertionError(_("{label} computes the other generator loss: saturating = E log(1 − D(G(z))) "
                                   "(the deck's), non-saturating = −E log D(G(z)).").format(label=label))
        if np.isclose(got, -want, rtol=1e-5):
            raise AssertionError(_("{label} has the wrong sign: the generator *minimises* its loss, and "
                                   "it wants D(G(z)) to grow.").format(label=label))
        check_close(f"{label}(D_fake)", got, want, rtol=1e-5, hint=_("Use the mean over the generated images."))
    _follows_the_tape(discriminator_loss, "discriminator_loss", d_real, d_fake)
    _follows_the_tape(generator_loss_saturating, "generator_loss_saturating", d_fake)
    _follows_the_tape(generator_loss_non_saturating, "generator_loss_non_saturating", d_fake)
    _passed(_("the discriminator's loss and both generator losses are right, and tf.GradientTape can follow them."))


# --- Exercise 2: KL(N(μ, σ²) ‖ N(0, 1)) in closed form ------------------------------------------------

KL_MEAN = ((0.5, -1.0, 0.0, 2.0), (0.0, 0.0, 0.0, 0.0), (-0.3, 0.8, 1.5, -0.7))
KL_LOG_VAR = ((0.0, -1.0, 0.5, -2.0), (0.0, 0.0, 0.0, 0.0), (1.0, -0.5, -3.0, 0.3))
KL_EXPECTED = (3.4509679975540912, 0.0, 3.197229182057773)
KL_SLIPS = {
    (6.9019359951081825, 0.0, 6.394458364115546): N_("twice too large: the factor 1/2 in front is missing."),
    (0.8627419993885228, 0.0, 0.7993072955144432): N_("you averaged over the code's units: for independent units the "
                                                      "KL of the whole code is the sum of the units' KLs."),
    (5.060966375292196, 0.0, 6.7257665463346346): N_("you read log_var as log σ: it is log σ², so σ² = exp(log_var)."),
    (5.450967997554091, 2.0, 5.197229182057773): N_("the constant −1 per unit is missing: the KL of N(0, 1) to itself "
                                                    "must be 0."),
    (0.8259679975540917, 0.0, 1.4622291820577726): N_("the μ² term is missing: moving the mean away from 0 costs too."),
    (18.869187405641988, 0.0, 31.64335281200038): N_("that is KL(N(0, 1) ‖ N(μ, σ²)), the other direction: the "
                                                     "expectation is over q = N(μ, σ²)."),
    (0.9509679975540914, 0.0, 0.9972291820577728): N_("the log σ² term has the wrong sign: −E_q[log q] contributes "
                                                       "−½ log σ²."),
}  # the messages are shown through _()


def check_kl_standard_normal(kl: Callable) -> None:
    """Exercise: ``kl(mean, log_var)`` = KL(N(mean, exp(log_var)) ‖ N(0, I)) per row, summed over units."""
    mean, log_var = np.array(KL_MEAN), np.array(KL_LOG_VAR)
    got = _call(kl, "kl_to_standard_normal", mean.copy(), log_var.copy())
    if got is None:
        raise AssertionError(_("{label} returned None: did you forget a `return`?").format(
            label="kl_to_standard_normal"))
    got = np.asarray(got, dtype=np.float64)
    if got.shape == mean.shape:
        raise AssertionError(_("kl_to_standard_normal returned shape {shape}, one number per unit: sum over the "
                               "units (axis=1) to get one KL per row.").format(shape=got.shape))
    if got.shape != (len(mean),):
        raise AssertionError(_("kl_to_standard_normal must return one number per row, shape ({rows},); "
                               "got {shape}.").format(rows=len(mean), shape=got.shape))
    if not np.isclose(got[1], 0.0, atol=1e-9):
        raise AssertionError(_("for μ = 0 and log σ² = 0 (q is N(0, 1) itself) the KL must be 0; "
                               "you have {value:.4g}.").format(value=got[1]))
    if np.any(got < -1e-12):
        raise AssertionError(_("a KL distance is never negative; yours is for some rows. Check the signs."))
    for wrong, message in KL_SLIPS.items():
        if np.allclose(got, wrong, rtol=1e-6):
            raise AssertionError("kl_to_standard_normal: " + _(message))
    check_close("kl_to_standard_normal(mean, log_var)", got, KL_EXPECTED, rtol=1e-6,
                hint=_("Take E_q[log q(h) − log p(h)] unit by unit, with E_q[(h − μ)²] = σ² and E_q[h²] = μ² + σ²."))
    _passed(_("the closed-form KL is right (0 for N(0, 1) itself, the sum over units, σ² = exp(log_var))."))


# --- Exercise 3: the reparameterisation step ----------------------------------------------------------


def check_reparameterize(reparameterize: Callable) -> None:
    """Exercise: ``reparameterize(mean, log_var, eps)`` returns a code h ~ N(mean, exp(log_var)) from ``eps``."""
    import tensorflow as tf

    rng = np.random.default_rng(15)
    mean = tf.constant(rng.normal(size=(6, 3)), dtype="float32")
    log_var = tf.constant(rng.uniform(-2.5, 1.5, size=(6, 3)), dtype="float32")
    eps = rng.normal(size=(6, 3)).astype("float32")
    eps[np.abs(eps) < 0.3] += 0.6           # keep eps away from 0, to read the scale off h − μ

    def h_of(e: Any) -> np.ndarray:
        out = _call(reparameterize, "reparameterize", mean, log_var, tf.constant(e, dtype="float32"))
        if out is None:
            raise AssertionError(_("{label} returned None: did you forget a `return`?").format(label="reparameterize"))
        out = np.asarray(out, dtype=np.float64)
        if out.shape != tuple(mean.shape):
            raise AssertionError(_("reparameterize must return one code per row of mean, shape {expected}; "
                                   "got {shape}.").format(expected=tuple(mean.shape), shape=out.shape))
        return out

    mu, lv = np.asarray(mean, dtype=np.float64), np.asarray(log_var, dtype=np.float64)
    at_zero, h, again = h_of(np.zeros_like(eps)), h_of(eps), h_of(eps)
    if not np.allclose(h, again, atol=1e-6):
        raise AssertionError(_("two calls with the same eps gave different codes: use the eps you are given, do not "
                               "draw new noise inside (the noise must come from outside for the trick to work)."))
    if not np.allclose(at_zero, mu, atol=1e-5):
        raise AssertionError(_("with eps = 0 the code must be the mean μ: h is μ shifted by a noise term."))
    if not np.allclose(h_of(2 * eps) - mu, 2 * (h - mu), rtol=1e-4, atol=1e-5):
        raise AssertionError(_("h − μ must grow in proportion to eps (h is μ plus a scale times eps)."))
    scale = (h - mu) / eps
    if np.allclose(scale, 1.0, atol=1e-4):
        raise AssertionError(_("h = μ + eps has variance 1, whatever log_var says: scale eps by σ."))
    if np.allclose(scale, np.exp(lv), rtol=1e-4):
        raise AssertionError(_("you scaled eps by the variance σ² = exp(log_var); scale it by the standard "
                               "deviation σ."))
    if np.allclose(scale, lv, rtol=1e-4):
        raise AssertionError(_("log_var is the logarithm of the variance: turn it into σ before scaling eps."))
    if np.any(scale <= 0) or not np.allclose(scale ** 2, np.exp(lv), rtol=1e-4):
        raise AssertionError(_("h must have variance σ² = exp(log_var): the scale of eps does not square to it."))
    m, v = tf.Variable(mean), tf.Variable(log_var)
    with tf.GradientTape() as tape:
        out = _call(reparameterize, "reparameterize", m, v, tf.constant(eps))
        total = tf.reduce_sum(out) if tf.is_tensor(out) else None
    grads = tape.gradient(total, [m, v]) if total is not None else [None, None]
    if any(g is None for g in grads):
        raise AssertionError(_("the numbers are right, but no gradient reaches mean and log_var: write it with "
                               "keras.ops (ops.exp) or tf.math, not NumPy, so that the tape can follow."))
    _passed(_("h = μ + σ·eps: mean μ, variance exp(log_var), and the gradient reaches μ and log σ²."))


# --- Exercise 4: choose β for a rate budget ------------------------------------------------------------

# Measured once, seeds 0-3: β = 2.5 gives rates of 6.9-7.9 nats, β = 3 rates of 5.5-6.5 at distortions of
# 180-184 nats, β = 4 rates of 3.5-4.3 (half the budget) at distortions of 189-195.
RATE_BUDGET = 8.0          # nats per image
DISTORTION_CEILING = 190.0  # nats per image: a β that halves the budget's rate costs about this much
BUDGET_IMAGES, BUDGET_LAYERS, BUDGET_EPOCHS = 1500, "784-256-16", 10   # lab 15's fast profile


@functools.lru_cache(maxsize=1)
def budget_data() -> np.ndarray:
    """The images the β-for-budget check trains on: the first training images of MNIST."""
    from labs.data import mnist_for_mlp

    (x, _), _ = mnist_for_mlp(BUDGET_IMAGES, 1, one_hot=False)
    return x


def measure_beta(beta: float, *, seed: int = 0, x: Any = None) -> dict:
    """Train the check's β-VAE with ``beta`` and ``seed``; its rate and distortion on its images."""
    from labs.generative import train_beta_vae

    _, measured = train_beta_vae(budget_data() if x is None else x, beta, layers=BUDGET_LAYERS,
                                 epochs=BUDGET_EPOCHS, seed=seed)
    return measured


def check_beta_for_budget(beta: Any) -> None:
    """Exercise: a β whose β-VAE stays within ``RATE_BUDGET`` nats without wasting reconstruction."""
    try:
        beta = float(beta)
    except (TypeError, ValueError):
        raise AssertionError(_("beta must be a number; got {kind}.").format(kind=type(beta).__name__)) from None
    if not np.isfinite(beta) or beta <= 0:
        raise AssertionError(_("beta must be a positive number; got {beta}.").format(beta=beta))
    got = measure_beta(beta)
    rate, distortion = got["rate"], got["distortion"]
    measured = _("β = {beta:g}: rate {rate:.2f} nats, distortion {distortion:.1f} nats per image").format(
        beta=beta, rate=rate, distortion=distortion)
    if rate > RATE_BUDGET:
        raise AssertionError(_("{measured}. The rate is over the budget of {budget:g} nats: a larger β "
                               "squeezes more information out of the code.").format(measured=measured, budget=RATE_BUDGET))
    if distortion > DISTORTION_CEILING:
        raise AssertionError(_("{measured}. Within budget, but the distortion is above {ceiling:g}: the "
                               "code carries less than the budget allows. A smaller β keeps more of each image.").format(
            measured=measured, ceiling=DISTORTION_CEILING))
    _passed(_("{measured} (budget {budget:g} nats, distortion at most {ceiling:g}).").format(
        measured=measured, budget=RATE_BUDGET, ceiling=DISTORTION_CEILING))
