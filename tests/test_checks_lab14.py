"""Lab 14's self-checks accept right answers and explain the usual mistakes."""

import numpy as np
import pytest

from labs import checks
from labs.neurons import sigmoid


def right_gru(o_prev, x, p):
    f = sigmoid(x @ p["W_f"] + o_prev @ p["U_f"] + p["b_f"])
    r = sigmoid(x @ p["W_r"] + o_prev @ p["U_r"] + p["b_r"])
    return f * o_prev + (1 - f) * np.tanh(x @ p["W_h"] + (r * o_prev) @ p["U_h"] + p["b_h"])


def gru_variant(flip=False, reset="before", candidate=np.tanh, bias=True):
    def step(o_prev, x, p):
        b = (lambda k: p[k]) if bias else (lambda k: 0.0)
        f = sigmoid(x @ p["W_f"] + o_prev @ p["U_f"] + b("b_f"))
        r = sigmoid(x @ p["W_r"] + o_prev @ p["U_r"] + b("b_r"))
        recurrent = {"before": (r * o_prev) @ p["U_h"], "after": r * (o_prev @ p["U_h"]),
                     "none": o_prev @ p["U_h"]}[reset]
        cand = candidate(x @ p["W_h"] + recurrent + b("b_h"))
        return (1 - f) * o_prev + f * cand if flip else f * o_prev + (1 - f) * cand
    return step


def test_gru_step_check_accepts_the_deck(capsys):
    checks.check_gru_step(right_gru)
    assert "✓ GRU step" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (gru_variant(flip=True), "wrong way round"),
    (gru_variant(reset="after"), "reset_after=True"),
    (gru_variant(reset="none"), "reset gate r_t is missing"),
    (gru_variant(candidate=sigmoid), "σ_o is tanh"),
    (gru_variant(bias=False), "biases"),
    (lambda o, x, p: None, "forget a `return`"),
    (lambda o, x, p: o[:, :2], "must return shape"),
    (lambda o, x, p: o * 0.5, "differs from Keras' GRU"),
])
def test_gru_step_check_explains(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_gru_step(wrong)


def test_gru_step_check_catches_a_step_that_keeps_state():
    calls = []

    def stateful(o_prev, x, p):
        calls.append(1)
        return right_gru(o_prev, x, p) * (1.0 if len(calls) < 3 else 0.9)

    with pytest.raises(AssertionError, match="drift from Keras' at step 2"):
        checks.check_gru_step(stateful)


def test_stubs_are_not_written_yet():
    def stub(*args):
        raise NotImplementedError()

    for check in (checks.check_gru_step, checks.check_bptt):
        with pytest.raises(AssertionError, match="not written yet"):
            check(stub)


def right_bptt(states, R, g_last):
    grads = [g_last]
    for t in range(len(states) - 1, 0, -1):
        grads.append((grads[-1] * (1 - states[t] ** 2)) @ R.T)
    return np.stack(grads[::-1])


def bptt_variant(slope="h_t", transpose=True, reverse=False, drop_first=False):
    def bptt(states, R, g_last):
        grads = [g_last]
        for t in range(len(states) - 1, 0, -1):
            factor = {"h_t": 1 - states[t] ** 2, "h_prev": 1 - states[t - 1] ** 2, "none": 1.0,
                      "linear": 1 - states[t]}[slope]
            grads.append((grads[-1] * factor) @ (R.T if transpose else R))
        out = np.stack(grads if reverse else grads[::-1])
        return out[1:] if drop_first else out
    return bptt


def test_bptt_check_accepts_the_chain_rule(capsys):
    checks.check_bptt(right_bptt)
    assert "match tf.GradientTape" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (bptt_variant(transpose=False), "transpose"),
    (bptt_variant(slope="none"), "slope is missing"),
    (bptt_variant(slope="h_prev"), "later state"),
    (bptt_variant(slope="linear"), "h_t squared"),
    (bptt_variant(reverse=True), "reverse order"),
    (bptt_variant(drop_first=True), "include t = 0"),
    (lambda s, R, g: None, "forget a `return`"),
    (lambda s, R, g: np.stack([right_bptt(s, R, g)[0] * 2] + list(right_bptt(s, R, g)[1:])), "h_0 differs"),
])
def test_bptt_check_explains(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_bptt(wrong)


def test_recurrent_gain_check_measures_the_choice(capsys):
    checks.check_recurrent_gain(1.1)
    assert "✓ gain 1.1" in capsys.readouterr().out


@pytest.mark.parametrize("gain, message", [
    (1.0, "still vanishes"),
    (0.5, "still vanishes"),
    (1.5, "explodes"),
    ("1.1", "must be a number"),
    (True, "must be a number"),
    (-1.0, "positive"),
    (float("nan"), "positive"),
])
def test_recurrent_gain_check_explains(gain, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_recurrent_gain(gain)


def test_gain_ratio_grows_with_the_gain():
    from labs.rnn import adding_problem

    x, _ = adding_problem(8, 51, seed=0)
    ratios = [checks.lab14.gain_ratio(g, x, seed=1) for g in (0.9, 1.1, 1.3)]
    assert ratios[0] < ratios[1] < ratios[2]


# --- the Chinese edition -------------------------------------------------------------------------


def test_gru_step_check_explains_in_chinese_and_still_in_english():
    import re

    from labs.i18n import speaking

    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_gru_step(gru_variant(flip=True))
    assert re.search(r"[\u4e00-\u9fff]", str(error.value))
    assert "插值反了" in str(error.value) and "o_{t-1}" in str(error.value)
    with speaking("en"), pytest.raises(AssertionError, match=r"wrong way round.*o_\{t-1\}"):
        checks.check_gru_step(gru_variant(flip=True))


def test_recurrent_gain_check_explains_in_chinese():
    import re

    from labs.i18n import speaking

    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_recurrent_gain(-1.0)
    assert re.search(r"[\u4e00-\u9fff]", str(error.value)) and "正数" in str(error.value)


def test_passed_lines_are_chinese(capsys):
    from labs.i18n import speaking

    with speaking("zh"):
        checks.check_gru_step(right_gru)
        checks.check_bptt(right_bptt)
    out = capsys.readouterr().out
    assert "✓ GRU 步\uff1a在相同权重下\uff0c6 步都与 keras.layers.GRU(reset_after=False) 一致" in out
    assert "✓ 随时间反向传播\uff1a全部 8 个梯度都与 tf.GradientTape 一致" in out
