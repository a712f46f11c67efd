"""Lab 04's newer self-checks: no extra layer slips through, and the training budget is measured."""

import keras
import pytest

from labs import checks
from labs.checks import lab04


def _slides_mlp(*extra):
    return keras.Sequential([keras.Input(shape=(784,)),
                             keras.layers.Dense(500, activation="sigmoid"),
                             keras.layers.Dense(500, activation="sigmoid"),
                             keras.layers.Dense(10, activation="softmax"), *extra])


def test_a_trailing_lambda_layer_is_caught():
    with pytest.raises(AssertionError, match="Lambda layer"):
        checks.check_mlp_architecture(_slides_mlp(keras.layers.Lambda(lambda x: 2.0 * x)))


def test_a_changed_function_is_caught_even_without_an_extra_layer():
    model = _slides_mlp()
    wrong = keras.Sequential([keras.Input(shape=(784,)), *model.layers[:2],
                              keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(AssertionError, match="Dense layers, activations alone|changes them"):
        lab04._check_computes_mlp(wrong, [wrong.layers[0], wrong.layers[1], wrong.layers[1]], "sigmoid", "softmax")


def test_the_plain_network_still_passes(capsys):
    checks.check_mlp_architecture(_slides_mlp())
    assert "✓" in capsys.readouterr().out


@pytest.fixture(scope="module")
def mnist():
    import labs

    return labs.mnist_for_mlp(2000)


def test_fast_training_passes_a_good_choice(mnist, capsys):
    (x, y), (xt, yt) = mnist
    checks.check_fast_training(0.3, 10, 3, x, y, xt, yt)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("settings, message", [
    ((0.1, 100, 3), "near ln 10"),  # the slides' settings, three epochs
    ((0.3, 10, 4), "over the budget of 3 epochs"),
    ((0.3, 5, 3), "under the budget's 10"),
    ((0.0, 10, 3), "positive number"),
    ((0.3, 10.0, 3), "whole number"),
])
def test_fast_training_explains_what_is_off(mnist, settings, message):
    (x, y), (xt, yt) = mnist
    with pytest.raises(AssertionError, match=message):
        checks.check_fast_training(*settings, x, y, xt, yt)


def test_a_transposed_confusion_matrix_is_explained_in_chinese_and_still_in_english():
    import re

    import numpy as np

    from labs.i18n import speaking

    def transposed(y_true, y_pred, n_classes):
        m = np.zeros((n_classes, n_classes), dtype=int)
        np.add.at(m, (y_pred, y_true), 1)
        return m

    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_confusion_matrix(transposed)
    assert re.search(r"[\u4e00-\u9fff]", str(error.value)) and "转置" in str(error.value)
    with speaking("en"), pytest.raises(AssertionError, match="transposed"):
        checks.check_confusion_matrix(transposed)


def test_the_passed_line_is_chinese(capsys):
    from labs.i18n import speaking

    with speaking("zh"):
        checks.check_mlp_architecture(_slides_mlp())
    out = capsys.readouterr().out
    assert out.startswith("✓") and "个参数" in out and "784-500-500-10" in out
