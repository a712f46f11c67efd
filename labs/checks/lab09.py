"""Self-checks of lab 09 (regularisation and dropout)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labs.checks._common import RULE_STEPS, _call, _case_with, _expected, _passed, _same, check_close
from labs.i18n import _

DECAY_BOWL = (1.0, 3.0)
DECAY_STEPS = 5


def _test_weights_cases() -> list[dict]:
    """The weights (and keep probability) the test-time scaling is checked on."""
    return [{"W": np.random.default_rng(4).normal(size=(5, 3)), "keep_prob": 0.8}]


def _decay_update_cases() -> list[dict]:
    """Where the weight-decay check starts on its bowl, with its learning rate and decay."""
    return [{"w": np.array([-4.0, 1.5]), "lr": 0.1, "decay": 0.05, "steps": DECAY_STEPS, "bowl": DECAY_BOWL}]


def check_hand_dropout(dropout: Callable, test_weights: Callable, keep_prob: float = 0.8) -> None:
    """Exercise: ``dropout(a, keep_prob, rng)`` is the slides' training-time dropout and
    ``test_weights(W, keep_prob)`` the slides' test-time scaling."""
    a = np.random.default_rng(3).uniform(0.5, 1.5, size=(400, 50))
    out = _call(dropout, "dropout", a.copy(), keep_prob, np.random.default_rng(0))
    if out is None:
        raise AssertionError(_("dropout returned None: did you forget a `return`?"))
    out = np.asarray(out, dtype=np.float64)
    if out.shape != a.shape:
        raise AssertionError(_("dropout must return the same shape as its input {shape}; got {got}.").format(
            shape=a.shape, got=out.shape))
    kept = out != 0
    if np.allclose(out[kept], a[kept] / keep_prob):
        raise AssertionError(_("the kept activations are divided by keep_prob: that is Keras' inverted dropout. "
                               "The slides' rule leaves them unchanged and scales the weights at test time."))
    if not np.allclose(out[kept], a[kept]):
        raise AssertionError(_("each activation must be either kept unchanged or set to 0 (multiply by a 0/1 mask)."))
    share, spread = kept.mean(), 5 * np.sqrt(keep_prob * (1 - keep_prob) / a.size)
    if abs(share - (1 - keep_prob)) < spread and abs(share - keep_prob) > spread:
        raise AssertionError(_("you keep {share:.1%} of the units with keep_prob={keep_prob}: keep_prob is the "
                               "probability of KEEPING a unit (use rng.random(shape) < keep_prob).").format(
                                   share=share, keep_prob=keep_prob))
    if abs(share - keep_prob) > spread:
        raise AssertionError(_("you keep {share:.1%} of the units; with keep_prob={keep_prob} expect about "
                               "{expected:.0%} (within {spread:.1%}).").format(
                                   share=share, keep_prob=keep_prob, expected=keep_prob, spread=spread))
    again = np.asarray(_call(dropout, "dropout", a.copy(), keep_prob, np.random.default_rng(1)))
    if np.array_equal(again != 0, kept):
        raise AssertionError(_("two calls with different random generators drop the same units: "
                               "draw a new mask from `rng` every time."))
    same = np.asarray(_call(dropout, "dropout", a.copy(), keep_prob, np.random.default_rng(0)))
    if not np.array_equal(same != 0, kept):
        raise AssertionError(_("two calls with the same generator, seeded alike, drop different units: draw the "
                               "mask from the `rng` you are given (rng.random(a.shape)), not from np.random, so "
                               "that a seeded run can be repeated."))
    cases = _test_weights_cases()
    case = _case_with("test_weights", cases, keep_prob=keep_prob)
    W = cases[case]["W"]
    scaled = _call(test_weights, "test_weights", W.copy(), keep_prob)
    if scaled is not None and np.shape(scaled) == W.shape:
        if np.allclose(scaled, W / keep_prob):
            raise AssertionError(_("test_weights divides by keep_prob; the slides multiply the weights by p "
                                   "(a weight 1 trained with p = 0.5 becomes 0.5 at test time)."))
        if np.allclose(scaled, W * (1 - keep_prob)):
            raise AssertionError(_("test_weights multiplies by 1 − keep_prob (the drop rate); multiply by keep_prob."))
    check_close("test_weights(W, keep_prob)", scaled, _expected(f"lab09.test_weights.case{case}"),
                hint=_("Multiply every weight by keep_prob."))
    _passed(_("your dropout keeps {share:.1%} of the units unchanged (keep_prob {keep_prob}) and the "
              "test-time weights are scaled by p.").format(share=share, keep_prob=keep_prob))


def check_weight_decay_update(update: Callable, learning_rate: float = 0.1, decay: float = 0.05) -> None:
    """Exercise: ``update(w, g, lr, decay) -> new_w`` is the slides' w ← w(1 − ηλ) − η g, as Keras'
    ``SGD(weight_decay=λ)`` does it."""
    from labs import optimizers

    lr, lam = learning_rate, decay
    cases = _decay_update_cases()
    case = _case_with("decay_update", cases, lr=lr, decay=lam)
    bowl = optimizers.elongated_bowl(*cases[case]["bowl"])
    trajectory = _expected(f"lab09.decay_update.case{case}.w")
    w0 = cases[case]["w"]
    wrong = {
        "no lr": (lambda w, g: w * (1 - lam) - lr * g, _("the decay factor is (1 − ηλ): include the learning rate.")),
        "grows": (lambda w, g: w * (1 + lr * lam) - lr * g,
                  _("the weights grow: multiply by (1 − ηλ), not (1 + ηλ).")),
        "no decay": (lambda w, g: w - lr * g,
                     _("that is plain gradient descent; shrink w by the factor (1 − ηλ) too.")),
        "L2 twice": (lambda w, g: w * (1 - 2 * lr * lam) - lr * g,
                     _("you shrink by (1 − 2ηλ): that is the gradient of λ·Σw² (no ½); the slides' factor is (1 − ηλ).")),
    }
    for step in range(1, cases[case]["steps"] + 1):
        w, want = trajectory[step - 1], trajectory[step]
        g = bowl.grad(w)
        got = _call(update, "update", w.copy(), g.copy(), lr, lam)
        where = _("At step {step} (w={w}, g={g}, η={lr}, λ={decay})").format(
            step=step, w=np.round(w, 4), g=np.round(g, 4), lr=lr, decay=lam)
        if not _same(got, want):
            for variant, message in wrong.values():
                if _same(got, variant(w, g)):
                    raise AssertionError(f"{where}: {message}")
        check_close(_("new_w at step {step}").format(step=step), got, want, rtol=1e-6, hint=where + ".")
    import keras

    ours = optimizers.run_steps(lambda w, g, s: (np.asarray(update(w, g, lr, lam), dtype=np.float64), s),
                                bowl.grad, w0, RULE_STEPS)
    theirs = optimizers.keras_steps(keras.optimizers.SGD(learning_rate=lr, weight_decay=lam), bowl.grad, w0,
                                    RULE_STEPS)
    difference = float(np.max(np.abs(ours - theirs)) / np.max(np.abs(ours)))
    if difference > 1e-4:
        raise AssertionError(_("over {steps} steps your rule differs from Keras' SGD(weight_decay) by "
                               "{difference:.1e} of the weights' size.").format(steps=RULE_STEPS, difference=difference))
    _passed(_("your weight-decay step matches keras.optimizers.SGD(weight_decay={decay}) over {steps} steps "
              "(largest difference {difference:.1e}).").format(decay=lam, steps=RULE_STEPS, difference=difference))



PENALTY_CASES = ((0.1, 0.01), (0.4, 0.2), (0.01, 0.001))  # (η, ε) of the public check


def penalty_shrink(coefficient: float, lr: float, start: np.ndarray | None = None) -> np.ndarray:
    """Measure what one gradient-descent step (rate ``lr``) on the penalty c·wᵀw alone does: Keras'
    ``keras.regularizers.L2(c)`` (which adds c·Σw² to the loss) is differentiated by TensorFlow,
    the step is taken, and the factor new_w / w is returned for every weight."""
    import keras
    import tensorflow as tf

    w0 = np.array([-4.0, 1.5, 0.25, 3.0]) if start is None else np.asarray(start, dtype=np.float64)
    w = tf.Variable(w0, dtype=tf.float64)
    with tf.GradientTape() as tape:
        penalty = keras.regularizers.L2(float(coefficient))(w)
    grad = tape.gradient(penalty, w)
    stepped = w0 - lr * (np.zeros_like(w0) if grad is None else grad.numpy())
    return stepped / w0


def check_penalty_coefficient(coefficient: Callable) -> None:
    """Exercise (derivation): ``coefficient(lr, epsilon)`` is the c for which a gradient-descent step on
    E + c·wᵀw shrinks every weight by the factor (1 − ε); the check measures the shrink in Keras."""
    for lr, eps in PENALTY_CASES:
        c = _call(coefficient, "coefficient", lr, eps)
        if c is None:
            raise AssertionError(_("coefficient returned None: did you forget a `return`?"))
        try:
            c = float(c)
        except (TypeError, ValueError):
            raise AssertionError(_("coefficient must return one number; got {kind}.").format(
                kind=type(c).__name__)) from None
        if not np.isfinite(c) or c <= 0:
            raise AssertionError(_("with η = {lr}, ε = {eps} you give c = {c:g}: a penalty that shrinks the weights "
                                   "needs a positive coefficient.").format(lr=lr, eps=eps, c=c))
        factor = float(penalty_shrink(c, lr).mean())
        where = _("With η = {lr}, ε = {eps} your c = {c:.4g} makes one step multiply w by {factor:.6g}; "
                  "the rule asks for 1 − ε = {target:g}.").format(lr=lr, eps=eps, c=c, factor=factor, target=1 - eps)
        if np.isclose(factor, 1 - eps, rtol=1e-6, atol=1e-9):
            continue
        if np.isclose(c, 2 * eps / lr, rtol=1e-6):
            raise AssertionError(_("{where} That is deck 001's 2ε/η, and it shrinks by 4ε: differentiate c·wᵀw "
                                   "and multiply by η.").format(where=where))
        if np.isclose(factor, 1 - 2 * eps, rtol=1e-6):
            raise AssertionError(_("{where} Twice the shrink: the gradient of c·wᵀw is 2c·w, not c·w.").format(
                where=where))
        if np.isclose(factor, 1 - eps / 2, rtol=1e-6):
            raise AssertionError(_("{where} Half the shrink asked for.").format(where=where))
        if np.isclose(c, eps, rtol=1e-6) or np.isclose(c, eps / 2, rtol=1e-6):
            raise AssertionError(_("{where} The step multiplies the penalty's gradient by η: your c must undo "
                                   "that.").format(where=where))
        raise AssertionError(_("{where} The gradient-descent step is w − η·∂(c·wᵀw)/∂w; set it equal to "
                               "(1 − ε)w.").format(where=where))
    _passed(_("measured in Keras: with your c, one gradient-descent step on the penalty c·wᵀw multiplies every "
              "weight by 1 − ε, for (η, ε) = {cases}.").format(
                  cases=", ".join(f"({lr:g}, {eps:g})" for lr, eps in PENALTY_CASES)))
