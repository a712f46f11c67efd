"""Bad inputs to the public ``labs`` functions: each raises a ValueError or TypeError whose
message names the argument, says what was expected and shows what was given (scikit-learn's
``check_scalar`` standard, STYLE.md). One case per row: (call, error type, the argument's name,
words of the expectation, the value given as the message shows it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labs import (
    backprop,
    claims,
    data,
    diagnostics,
    environment,
    gradcheck,
    models,
    neurons,
    optimizers,
    plots,
    profiles,
    regularization,
    results,
    training,
    validation,
)

RNG = np.random.default_rng(0)
X2 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y2 = np.array([0, 1, 1, 0])
RESULTS = pd.DataFrame({"config": ["a", "a"], "seed": [0, 0], "epoch": [1, 2], "accuracy": [0.5, 0.6],
                        "loss": [1.0, 0.9], "seconds": [0.1, 0.1]})


def _model():
    return models.build_mlp("2-3-2", "relu")


def _tiny_xy():
    return RNG.normal(size=(8, 2)).astype("float32"), np.eye(2, dtype="float32")[[0, 1] * 4]


CASES = [
    # models
    ("parse_layers text", lambda: models.parse_layers("784-abc-10"), ValueError, "layers", "784-500-500-10", "'784-abc-10'"),
    ("parse_layers one size", lambda: models.parse_layers([784]), ValueError, "layers", "input and an output", "[784]"),
    ("parse_layers zero", lambda: models.parse_layers([784, 0, 10]), ValueError, "layers[i]", ">= 1", "0"),
    ("mlp_spec depth", lambda: models.mlp_spec(-1), ValueError, "depth", ">= 0", "-1"),
    ("mlp_spec width type", lambda: models.mlp_spec(2, 2.5), TypeError, "width", "integer", "2.5"),
    ("build_mlp activation", lambda: models.build_mlp("4-2", "sigmoidal"), ValueError, "activation",
     "Keras activation", "'sigmoidal'"),
    ("build_mlp dropout", lambda: models.build_mlp("4-2", dropout=1.0), ValueError, "dropout", "[0, 1)", "1.0"),
    ("build_mlp dropout type", lambda: models.build_mlp("4-2", dropout="half"), TypeError, "dropout", "number",
     "'half'"),
    ("build_mlp batch_norm", lambda: models.build_mlp("4-2", batch_norm="middle"), ValueError, "batch_norm",
     "one of", "'middle'"),
    ("build_mlp momentum", lambda: models.build_mlp("4-2", batch_norm_momentum=1.2), ValueError,
     "batch_norm_momentum", "[0, 1)", "1.2"),
    ("residual block_size", lambda: models.build_residual_mlp("4-3-3-3-2", block_size=2), ValueError, "block_size",
     "multiple of block_size", "3"),
    ("width_for_parameters", lambda: models.width_for_parameters(0, 100), ValueError, "depth", ">= 1", "0"),
    # training
    ("make_optimizer name", lambda: training.make_optimizer("lbfgs"), ValueError, "optimizer", "one of", "'lbfgs'"),
    ("make_optimizer rate", lambda: training.make_optimizer("sgd", -0.1), ValueError, "learning_rate",
     "positive", "-0.1"),
    ("make_optimizer rate nan", lambda: training.make_optimizer("sgd", float("nan")), ValueError, "learning_rate",
     "positive", "nan"),
    ("train batch_size", lambda: training.train(_model(), *_tiny_xy(), batch_size=0), ValueError, "batch_size",
     ">= 1", "0"),
    ("train rows", lambda: training.train(_model(), _tiny_xy()[0], _tiny_xy()[1][:3]), ValueError, "y",
     "same number of rows", "3"),
    ("compare configs", lambda: training.compare({}, *_tiny_xy()), ValueError, "configs", "non-empty dict", "{}"),
    ("compare seed", lambda: training.compare({"a": {"layers": "2-2"}}, *_tiny_xy(), seeds=(-1,)), ValueError,
     "seed", ">= 0", "-1"),
    ("summarize metric", lambda: training.summarize(RESULTS, "f1"), ValueError, "metric", "columns", "'f1'"),
    ("summarize epoch", lambda: training.summarize(RESULTS, epoch=0), ValueError, "epoch", ">= 1", "0"),
    ("momentum rule", lambda: optimizers.momentum(np.zeros(2), np.ones(2), {}, momentum=1.5), ValueError,
     "momentum", "[0, 1)", "1.5"),
    ("keras_optimizer name", lambda: optimizers.keras_optimizer("lbfgs"), ValueError, "name", "one of", "'lbfgs'"),
    ("run_steps w0", lambda: optimizers.run_steps(optimizers.sgd, lambda w: w, [[1.0]], 3), ValueError, "w0",
     "1-D", "(1, 1)"),
    # data
    ("load_mnist source", lambda: data.load_mnist("mnist"), ValueError, "source", "one of", "'mnist'"),
    ("load_mnist timeout", lambda: data.load_mnist("sample", timeout=-1), ValueError, "timeout", "positive", "-1"),
    ("load_mnist sha256", lambda: data.load_mnist("sample", sha256="xyz"), ValueError, "sha256", "64 hexadecimal",
     "'xyz'"),
    ("mnist_for_mlp n_train", lambda: data.mnist_for_mlp(0, source="sample"), ValueError, "n_train", ">= 1", "0"),
    ("mnist_for_mlp too many", lambda: data.mnist_for_mlp(5000, source="sample"), ValueError, "n_train",
     "4000 are available", "5000"),
    ("truth_table", lambda: data.truth_table("xnor"), ValueError, "name", "one of", "'xnor'"),
    ("toy_2d kind", lambda: data.toy_2d("spirals"), ValueError, "kind", "one of", "'spirals'"),
    ("toy_2d n", lambda: data.toy_2d("blobs", 2), ValueError, "n", ">= 4", "2"),
    ("exam_scores flip", lambda: data.exam_scores(flip=0.7), ValueError, "flip", "[0, 0.5)", "0.7"),
    ("add_noise std", lambda: data.add_noise(np.zeros(3), -1.0), ValueError, "std", ">= 0", "-1"),
    ("add_noise std type", lambda: data.add_noise(np.zeros(3), "big"), TypeError, "std", "number", "'big'"),
    # regularisation
    ("hand_dropout keep_prob", lambda: regularization.hand_dropout(np.ones(3), 1.5, RNG), ValueError, "keep_prob",
     "(0, 1]", "1.5"),
    ("hand_dropout keep_prob type", lambda: regularization.hand_dropout(np.ones(3), "half", RNG), TypeError,
     "keep_prob", "number", "'half'"),
    ("hand_dropout NaN", lambda: regularization.hand_dropout(np.array([1.0, np.nan]), 0.5, RNG), ValueError, "a",
     "finite", "NaN"),
    ("ensemble members", lambda: regularization.ensemble_predict(_model(), np.zeros((2, 2)), 0), ValueError,
     "members", ">= 1", "0"),
    ("average_over_masks shape", lambda: regularization.average_over_masks(lambda n: np.zeros((n, 3)), np.zeros(4), 10),
     ValueError, "train_outputs(masks)", "(10, 4)", "(10, 3)"),
    # plots
    ("decision boundary X", lambda: plots.plot_decision_boundary(lambda g: g[:, 0], np.ones((4, 3)), Y2), ValueError,
     "X", "('any', 2)", "(4, 3)"),
    ("decision boundary rows", lambda: plots.plot_decision_boundary(lambda g: g[:, 0], X2, Y2[:3]), ValueError, "y",
     "same number of rows", "3"),
    ("decision boundary resolution", lambda: plots.plot_decision_boundary(lambda g: g[:, 0], X2, Y2, resolution=5),
     ValueError, "resolution", ">= 10", "5"),
    ("show_images shape", lambda: plots.show_images(np.ones((2, 5))), ValueError, "images", "(n, 784)", "(2, 5)"),
    ("plot_history metric", lambda: plots.plot_history({"loss": [1.0]}, ("accuracy",)), ValueError, "metrics",
     "['loss']", "'accuracy'"),
    ("plot_history type", lambda: plots.plot_history([1.0, 0.5]), TypeError, "history", "History or a dict", "list"),
    # gradient checks and the NumPy network
    ("numerical_gradient dtype", lambda: gradcheck.numerical_gradient(lambda: 0.0, [np.array([1, 2])]), TypeError,
     "params", "float64", "int64"),
    ("numerical_gradient h", lambda: gradcheck.numerical_gradient(lambda: 0.0, [np.zeros(2)], h=0), ValueError, "h",
     "positive", "0"),
    ("compare_gradients shape", lambda: gradcheck.compare_gradients([np.ones(2)], [np.ones(3)], ["w"]), ValueError,
     "candidate", "(2,)", "(3,)"),
    ("init_network sizes", lambda: backprop.init_network([3]), ValueError, "sizes", "input and an output", "[3]"),
    ("init_network hidden", lambda: backprop.init_network([2, 2], hidden="softplus"), ValueError, "hidden", "one of",
     "'softplus'"),
    ("one_hot range", lambda: backprop.one_hot([0, 3], 2), ValueError, "y", "0..1", "3"),
    ("check_labels fraction", lambda: validation.check_labels("y", [0.5]), ValueError, "y", "whole-number", "0.5"),
    ("activation name", lambda: neurons.activation("softplus"), ValueError, "name", "one of", "'softplus'"),
    ("layer_statistics rows", lambda: diagnostics.layer_statistics(_model(), np.zeros((4, 2)), np.zeros((3, 2))),
     ValueError, "y", "same number of rows", "3"),
    # claims, profiles, results
    ("get_claims", lambda: claims.get_claims(["speed"]), ValueError, "claim", "one of", "'speed'"),
    ("claims margin", lambda: claims.table(RESULTS, "loss", margin=1.5), ValueError, "margin", "[0, 1)", "1.5"),
    ("profile name", lambda: profiles.profile("medium"), ValueError, "name", "one of", "'medium'"),
    ("record name", lambda: results.record("", 1), ValueError, "name", "non-empty string", "''"),
    ("record value", lambda: results.record("x", object()), TypeError, "value", "JSON-friendly", "object"),
]

ENVIRONMENT = [
    ("LABS_DATA", "bogus", lambda: data.load_mnist(), ValueError, "one of", "'bogus'"),
    ("LABS_DOWNLOAD_TIMEOUT", "thirty", lambda: data.load_mnist("sample"), ValueError, "number of seconds",
     "'thirty'"),
    ("LABS_MNIST_URL", "mirror.example.org/mnist.npz", data.mnist_url, ValueError, "https://",
     "'mirror.example.org/mnist.npz'"),
    ("LABS_PROFILE", "medium", profiles.profile_name, ValueError, "one of", "'medium'"),
    ("LABS_GRADING", "maybe", profiles.grading_run, ValueError, "1 (a grading run) or 0", "'maybe'"),
    ("LABS_SEED", "-1", environment.default_seed, ValueError, "whole number >= 0", "'-1'"),
]


def _check_message(message: str, argument: str, expected: str, given: str) -> None:
    for part, what in ((argument, "the argument"), (expected, "what was expected"), (given, "what was given")):
        assert part in message, f"the message does not show {what} ({part!r}): {message!r}"


@pytest.mark.parametrize("call, error, argument, expected, given", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_argument_is_named_with_expectation_and_value(call, error, argument, expected, given):
    with pytest.raises(error) as raised:
        call()
    assert type(raised.value) in (ValueError, TypeError)
    _check_message(str(raised.value), argument, expected, given)


@pytest.mark.parametrize("variable, value, call, error, expected, given", ENVIRONMENT, ids=[e[0] for e in ENVIRONMENT])
def test_bad_environment_variable_is_named(monkeypatch, variable, value, call, error, expected, given):
    monkeypatch.delenv("LABS_GRADING", raising=False)
    monkeypatch.setenv(variable, value)
    with pytest.raises(error) as raised:
        call()
    _check_message(str(raised.value), variable, expected, given)


def test_there_are_at_least_forty_cases():
    assert len(CASES) + len(ENVIRONMENT) >= 40
