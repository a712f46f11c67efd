"""Lab 13's self-checks accept right answers and explain the usual mistakes."""

import math

import keras
import numpy as np
import pytest

from labs import checks, cnn
from labs.checks import lab13

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


# --- exercise 1: conv2d ------------------------------------------------------------------------


def right_conv2d(x, kernel, stride=1, padding="valid", *, pad_first=False, flip=False):
    if flip:
        kernel = kernel[::-1, ::-1]
    k_h, k_w = kernel.shape[:2]
    if padding == "same":
        rows, cols = cnn.same_padding(x.shape[1], k_h, stride), cnn.same_padding(x.shape[2], k_w, stride)
        if pad_first:
            rows, cols = rows[::-1], cols[::-1]
        x = np.pad(x, ((0, 0), rows, cols, (0, 0)))
    h_out, w_out = (x.shape[1] - k_h) // stride + 1, (x.shape[2] - k_w) // stride + 1
    out = np.zeros((x.shape[0], h_out, w_out, kernel.shape[3]))
    for i in range(h_out):
        for j in range(w_out):
            window = x[:, i * stride:i * stride + k_h, j * stride:j * stride + k_w, :]
            out[:, i, j, :] = np.tensordot(window, kernel, axes=([1, 2, 3], [0, 1, 2]))
    return out


def stub(*args):
    raise NotImplementedError()


def test_conv2d_check_accepts_the_right_answer(capsys):
    checks.check_conv2d(right_conv2d)
    assert "✓ conv2d matches Keras' Conv2D in 6 cases" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda x, k, s=1, p="valid": right_conv2d(x, k, s, p, flip=True), "flipped the kernel"),
    (lambda x, k, s=1, p="valid": right_conv2d(x, k, s, p, pad_first=True), "after the image"),
    (lambda x, k, s=1, p="valid": right_conv2d(x, k, 1, p), "move the window"),
    (lambda x, k, s=1, p="valid": right_conv2d(x, k, s, "valid"), "That is the 'valid' size"),
    (lambda x, k, s=1, p="valid": right_conv2d(x, k, s, "same"), "must stay inside the image"),
    (lambda x, k, s=1, p="valid": right_conv2d(x[..., :1], k[:, :, :1], s, p), "only the first input channel"),
    (lambda x, k, s=1, p="valid": right_conv2d(x, k, s, p)[0], "Keep the batch axis first"),
    (lambda x, k, s=1, p="valid": right_conv2d(x, k, s, p) + 0.1, "differs from Keras' Conv2D"),
    (lambda x, k, s=1, p="valid": None, "forget a `return`"),
    (stub, "not written yet"),
])
def test_conv2d_check_explains(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_conv2d(wrong)


# --- exercise 2: predict the stack ---------------------------------------------------------------


def right_prediction(height, width, channels, *, valid=lambda n, k: n - k + 1, pool=lambda n: n // 2,
                     same2=lambda n: math.ceil(n / 2), conv_params=lambda k, c, f: (k * k * c + 1) * f,
                     dense_params=lambda n, u: (n + 1) * u, pool_params=0):
    h, w = valid(height, 5), valid(width, 5)
    out = [((h, w, 8), conv_params(5, channels, 8))]
    h, w = pool(h), pool(w)
    out.append(((h, w, 8), pool_params))
    h, w = same2(h), same2(w)
    out.append(((h, w, 16), conv_params(3, 8, 16)))
    out.append(((h, w, 32), conv_params(1, 16, 32)))
    h, w = pool(h), pool(w)
    out.append(((h, w, 32), pool_params))
    out.append(((h * w * 32,), 0))
    out.append(((10,), dense_params(h * w * 32, 10)))
    return out


def test_stack_check_accepts_the_right_answer(capsys):
    checks.check_stack_prediction(right_prediction)
    assert "✓ your predictions match the built models" in capsys.readouterr().out
    assert len(lab13.STACK_LAYERS) == len(lab13.prediction_stack((28, 28, 1)).layers) == 7


@pytest.mark.parametrize("options, message", [
    ({"valid": lambda n, k: n - k}, "one short"),
    ({"pool": lambda n: math.ceil(n / 2)}, "round down"),
    ({"same2": lambda n: n // 2}, "round up"),
    ({"conv_params": lambda k, c, f: k * k * c * f}, "left out the biases"),
    ({"conv_params": lambda k, c, f: (k * k + 1) * f}, "spans all the input channels"),
    ({"dense_params": lambda n, u: n * u}, "Each unit also has a bias"),
    ({"pool_params": 4}, "Pooling and Flatten have no weights"),
])
def test_stack_check_explains(options, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_stack_prediction(lambda h, w, c: right_prediction(h, w, c, **options))


@pytest.mark.parametrize("wrong, message", [
    (lambda h, w, c: right_prediction(h, w, c)[:6], "list of 7 pairs"),
    (lambda h, w, c: [(shape, "many") for shape, _ in right_prediction(h, w, c)], "must be a number"),
    (lambda h, w, c: [shape for shape, _ in right_prediction(h, w, c)], "give a pair"),
    (lambda h, w, c: None, "forget a `return`"),
    (stub, "not written yet"),
])
def test_stack_check_explains_the_format(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_stack_prediction(wrong)


# --- exercise 3: a small network for shifted digits ----------------------------------------------


def global_pooling_net():
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(32, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(48, 3, padding="same", activation="relu"), layers.GlobalMaxPooling2D(),
        layers.Dense(10, activation="softmax"),
    ])


def small_mlp():
    layers = keras.layers
    return keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Flatten(),
                             layers.Dense(20, activation="relu"), layers.Dense(10, activation="softmax")])


@pytest.mark.slow
def test_small_network_check_accepts_a_shift_tolerant_network(capsys):
    checks.check_small_network(global_pooling_net)
    assert "✓ 19,162 parameters (budget 20,000)" in capsys.readouterr().out


@pytest.mark.slow
def test_small_network_check_measures_a_position_bound_network():
    assert small_mlp().count_params() <= lab13.SMALL_NET_BUDGET
    with pytest.raises(AssertionError, match=r"reaches 0\.\d+ on shifted digits.*it needs 0.75"):
        checks.check_small_network(small_mlp)


@pytest.mark.parametrize("wrong, message", [
    (cnn.build_lenet, r"61,706 parameters; the budget is 20,000. The largest layer is conv3"),
    (lambda: keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")]), "28×28×1"),
    (lambda: keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(5)]),
     "end with Dense"),
    (lambda: keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]),
     "must be probabilities"),
    (lambda: keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]),
     "no input shape yet"),
    (lambda: "a network", "must return a Keras model"),
    (lambda: None, "forget a `return`"),
    (stub, "not written yet"),
])
def test_small_network_check_explains(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_small_network(wrong)


def test_measure_refuses_to_train_over_budget():
    parameters, accuracy = lab13.measure_small_network(cnn.build_lenet, seeds=(0,))
    assert parameters == 61_706 and math.isnan(accuracy)


# --- the Chinese edition -------------------------------------------------------------------------


def test_conv2d_check_explains_in_chinese_and_still_in_english():
    import re

    from labs.i18n import speaking

    flipped = lambda x, k, s=1, p="valid": right_conv2d(x, k, s, p, flip=True)  # noqa: E731
    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_conv2d(flipped)
    assert re.search(r"[\u4e00-\u9fff]", str(error.value))
    assert "翻转" in str(error.value) and "y[i, j] = Σ x[i+u, j+v]·w[u, v]" in str(error.value)
    with speaking("en"), pytest.raises(AssertionError, match="you flipped the kernel"):
        checks.check_conv2d(flipped)


def test_stack_check_explains_in_chinese():
    import re

    from labs.i18n import speaking

    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_stack_prediction(lambda h, w, c: right_prediction(h, w, c, conv_params=lambda k, c, f: k * k * c * f))
    assert re.search(r"[\u4e00-\u9fff]", str(error.value)) and "偏置" in str(error.value)


def test_passed_lines_are_chinese(capsys):
    from labs.i18n import speaking

    with speaking("zh"):
        checks.check_conv2d(right_conv2d)
        checks.check_stack_prediction(right_prediction)
    out = capsys.readouterr().out
    assert "✓ conv2d 在 6 种情形下与 Keras 的 Conv2D 一致" in out
    assert "✓ 在 4 种输入尺寸下" in out
