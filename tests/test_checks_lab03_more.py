"""Lab 03's newer self-checks: the Keras twin on both output units, and the one-epoch design."""

import keras
import numpy as np
import pytest

from labs import backprop as bp
from labs import checks
from labs.checks import lab03


def _twin(net, *, output=None, thresholds=True):
    layers = [keras.Input(shape=(net.sizes[0],), dtype="float64")]
    for k, width in enumerate(net.sizes[1:]):
        last = k == len(net.weights) - 1
        act = (output or bp.LOSSES[net.loss]) if last else net.hidden
        layers.append(keras.layers.Dense(width, activation=act, dtype="float64"))
    model = keras.Sequential(layers)
    for layer, w, t in zip(model.layers, net.weights, net.thresholds):
        layer.set_weights([w, t if thresholds else np.zeros_like(t)])
    return model


def test_keras_twin_passes_on_both_losses(capsys):
    net = bp.init_network([3, 4, 2], hidden="sigmoid", loss="squared")
    checks.check_keras_twin(_twin, net, np.random.default_rng(0).normal(size=(5, 3)))
    out = capsys.readouterr().out
    assert "✓" in out and "sigmoid-output" in out and "softmax-output" in out


@pytest.mark.parametrize("wrong, message", [
    (lambda n: _twin(n, output="sigmoid"), "uses activation 'sigmoid'.*softmax.*LOSSES"),
    (lambda n: _twin(n, thresholds=False), "does not hold the network's weights"),
])
def test_keras_twin_catches_a_twin_right_only_for_the_lab_s_network(wrong, message):
    # The lab's network has sigmoid outputs and zero thresholds: these twins are right for it alone.
    net = bp.init_network([3, 4, 2], hidden="sigmoid", loss="squared")
    with pytest.raises(AssertionError, match=message):
        checks.check_keras_twin(wrong, net, np.random.default_rng(0).normal(size=(5, 3)))


GOOD = {"hidden": (16,), "activation": "tanh", "loss": "cross_entropy", "learning_rate": 0.05, "batch_size": 4}


def test_bp_design_passes_a_good_choice(capsys):
    checks.check_bp_design(GOOD)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("change, message", [
    ({"hidden": (32,)}, "2,410 weights and thresholds; the budget is 1,300"),
    ({"learning_rate": 0.5, "batch_size": 32, "activation": "sigmoid"}, "target is 0.90"),  # the sweep's baseline
    ({"loss": "squared", "batch_size": 32, "learning_rate": 0.5}, "squared error learn slowly"),
    ({"batch_size": 200}, "only 8 updates"),
    ({"activation": "softplus"}, "activation'] must be one of"),
    ({"learning_rate": -1.0}, "positive number"),
    ({"batch_size": 2.5}, "whole number"),
])
def test_bp_design_explains_what_is_off(change, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_bp_design({**GOOD, **change})


def test_bp_design_needs_every_setting():
    with pytest.raises(AssertionError, match="lacks batch_size"):
        checks.check_bp_design({k: v for k, v in GOOD.items() if k != "batch_size"})
    with pytest.raises(AssertionError, match="design is None"):
        checks.check_bp_design(None)


def test_design_accuracy_is_a_measurement_of_the_choice():
    assert lab03.design_parameters(GOOD) == 64 * 16 + 16 + 16 * 10 + 10
    good = [lab03.design_accuracy(GOOD, s) for s in (5, 6)]
    poor = [lab03.design_accuracy({**GOOD, "learning_rate": 1e-4}, s) for s in (5, 6)]
    assert min(good) > lab03.DESIGN_TARGET > max(poor)
    assert lab03.design_accuracy(GOOD, 5) == lab03.design_accuracy(GOOD, 5)  # deterministic for the grader


def test_bp_design_speaks_chinese_when_asked(capsys):
    import re

    from labs.i18n import speaking

    too_big = {**GOOD, "hidden": (32,)}
    with speaking("zh"), pytest.raises(AssertionError) as error:
        checks.check_bp_design(too_big)
    assert re.search(r"[\u4e00-\u9fff]", str(error.value)) and "2,410" in str(error.value)
    with speaking("en"), pytest.raises(AssertionError, match="2,410 weights and thresholds; the budget is 1,300"):
        checks.check_bp_design(too_big)
    net = bp.init_network([3, 4, 2], hidden="sigmoid", loss="squared")
    with speaking("zh"):
        checks.check_keras_twin(_twin, net, np.random.default_rng(0).normal(size=(5, 3)))
    out = capsys.readouterr().out
    assert out.startswith("✓") and re.search(r"[\u4e00-\u9fff]", out) and "sigmoid 输出" in out
