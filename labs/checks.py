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


# --- labs 04-07 -----------------------------------------------------------------------------


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



# --- lab 12 ---------------------------------------------------------------------------------
