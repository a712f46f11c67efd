import matplotlib

matplotlib.use("agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from labs import models, plots, training  # noqa: E402
from labs.data import mnist_for_mlp  # noqa: E402


@pytest.fixture(scope="module")
def tiny():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = np.eye(2, dtype="float32")[(x[:, 0] > 0).astype(int)]
    return x, y


def test_make_optimizer():
    assert type(training.make_optimizer("adam", 0.01)).__name__ == "Adam"
    momentum = training.make_optimizer("momentum", 0.1)
    assert float(momentum.momentum) == pytest.approx(0.9)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        training.make_optimizer("lbfgs")
    with pytest.raises(ValueError, match="learning_rate"):
        training.make_optimizer("sgd", 0)


def test_train_records_seconds_quietly_and_prints_when_asked(tiny, capsys):
    x, y = tiny
    history = training.train(models.build_mlp("4-8-2", "relu"), x, y, epochs=3, batch_size=16,
                             learning_rate=0.5, validation_data=(x, y))
    assert len(history.history["seconds"]) == 3
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history.history)
    assert capsys.readouterr().out == "", "train is quiet by default"
    training.train(models.build_mlp("4-8-2", "relu"), x, y, epochs=3, batch_size=16, verbose=True)
    out = capsys.readouterr().out
    assert "epoch   3/3" in out and "(" in out


def test_compare_prints_one_summary_line_by_default(tiny, capsys):
    x, y = tiny
    configs = {"a": {"layers": "4-2"}, "b": {"layers": "4-3-2"}}
    training.compare(configs, x, y, seeds=(0, 1), epochs=1, batch_size=16)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("4 training runs (2 configurations x 2 seeds) trained in ")
    training.compare(configs, x, y, seeds=(0, 1), epochs=1, batch_size=16, verbose=True)
    assert len(capsys.readouterr().out.splitlines()) == 4, "verbose: one line per configuration and seed"


def test_train_validates(tiny):
    x, y = tiny
    with pytest.raises(ValueError, match="same number of rows"):
        training.train(models.build_mlp("4-2"), x, y[:10])
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        training.train(models.build_mlp("4-2"), x, y, batch_size=0)


def test_compare_is_tidy_and_reproducible(tiny):
    x, y = tiny
    configs = {"relu": {"layers": "4-8-2", "activation": "relu"},
               "custom": {"build": lambda: models.build_mlp("4-2")}}
    kept = {}
    first = training.compare(configs, x, y, seeds=(0, 1), epochs=2, batch_size=16, verbose=False, keep_models=kept)
    assert sorted(kept) == [("custom", 0), ("custom", 1), ("relu", 0), ("relu", 1)]
    assert kept[("relu", 1)].count_params() == 4 * 8 + 8 + 8 * 2 + 2
    again = training.compare(configs, x, y, seeds=(0, 1), epochs=2, batch_size=16, verbose=False)
    assert list(first.columns[:3]) == ["config", "seed", "epoch"]
    assert len(first) == 2 * 2 * 2
    np.testing.assert_allclose(first["loss"], again["loss"])
    table = training.summarize(first)
    assert list(table.index) == ["relu", "custom"]
    assert {"mean", "std", "min", "max", "runs", "seconds per epoch"} <= set(table.columns)
    assert training.mean_final(first, "relu") == pytest.approx(table.loc["relu", "mean"])
    ax = plots.plot_comparison(first, "loss")
    assert len(ax.get_lines()) == 2
    renamed = plots.plot_comparison(first, "loss", labels={"relu": "ReLU net"})
    assert [t.get_text() for t in renamed.get_legend().get_texts()] == ["ReLU net", "custom"]


def test_compare_validates(tiny):
    x, y = tiny
    with pytest.raises(ValueError, match="non-empty dict"):
        training.compare({}, x, y)
    with pytest.raises(ValueError, match="both build and layer settings"):
        training.compare({"a": {"build": lambda: None, "layers": "4-2"}}, x, y)
    with pytest.raises(TypeError, match="must be a dict"):
        training.compare({"a": 3}, x, y)
    with pytest.raises(ValueError, match="metric 'f1'"):
        training.summarize(training.compare({"a": {"layers": "4-2"}}, x, y, epochs=1, verbose=False), "f1")


def test_mnist_for_mlp_from_sample():
    (x, y), (xt, yt) = mnist_for_mlp(100, 50, source="sample")
    assert x.shape == (100, 784) and x.dtype == np.float32 and x.max() <= 1.0
    assert y.shape == (100, 10) and np.all(y.sum(axis=1) == 1)
    assert xt.shape == (50, 784)
    (raw, labels), _ = mnist_for_mlp(10, 10, scale=False, one_hot=False, source="sample")
    assert raw.max() > 1 and labels.shape == (10,)
    with pytest.raises(ValueError, match="only 4000"):
        mnist_for_mlp(5000, source="sample")


def test_compare_can_keep_the_trained_models(tiny):
    x, y = tiny
    kept = {}
    results = training.compare({"a": {"layers": "4-3-2"}}, x, y, seeds=(0, 1), epochs=1, batch_size=16,
                               verbose=False, keep_models=kept)
    assert sorted(kept) == [("a", 0), ("a", 1)]
    import keras

    model = kept[("a", 1)]
    assert kept[("a", 0)] is not model
    # the kept model holds the trained weights: trained again from the same seed, a fresh copy
    # reaches exactly the same weights, and they differ from the weights it started with
    keras.utils.set_random_seed(1)
    fresh = models.build_mlp("4-3-2")
    start = [w.copy() for w in fresh.get_weights()]
    training.train(fresh, x, y, epochs=1, batch_size=16, verbose=False)
    for kept_w, again_w, start_w in zip(model.get_weights(), fresh.get_weights(), start):
        np.testing.assert_allclose(kept_w, again_w, rtol=1e-6)
        assert not np.allclose(kept_w, start_w)
    assert len(results.query("seed == 1")) == 1


def test_mnist_for_mlp_allow_fewer():
    (x, _), (xt, _) = mnist_for_mlp(5000, 2000, source="sample", allow_fewer=True)
    assert len(x) == 4000 and len(xt) == 1000


def test_train_passes_optimizer_options(tiny):
    x, y = tiny
    model = models.build_mlp("4-2")
    training.train(model, x, y, epochs=1, verbose=False, optimizer="adagrad",
                   optimizer_options={"initial_accumulator_value": 0.0, "weight_decay": 1e-3})
    assert float(model.optimizer.initial_accumulator_value) == 0.0
    assert float(model.optimizer.weight_decay) == pytest.approx(1e-3)
    with pytest.raises(ValueError, match="not to an instance"):
        training.make_optimizer(training.make_optimizer("sgd"), 0.1, momentum=0.5)


def test_default_steps_per_execution_is_an_epoch_unless_a_callback_needs_batches():
    import keras

    class EveryBatch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            pass

    assert training.default_steps_per_execution(4000, 100) == 40
    assert training.default_steps_per_execution(4001, 100) == 41
    assert training.default_steps_per_execution(50, 100) == 1
    assert training.default_steps_per_execution(4000, 100, [keras.callbacks.EarlyStopping()]) == 40
    assert training.default_steps_per_execution(4000, 100, [EveryBatch()]) == 1
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        training.default_steps_per_execution(4000, 0)
    with pytest.raises(TypeError, match="n_samples must be an integer"):
        training.default_steps_per_execution(4000.0, 100)


def test_train_steps_per_execution_changes_no_number(tiny):
    import keras

    x, y = tiny
    histories = []
    for steps in (1, None):
        keras.utils.set_random_seed(0)
        model = models.build_mlp("4-8-2", "relu")
        histories.append(training.train(model, x, y, epochs=3, batch_size=10, learning_rate=0.5,
                                        validation_data=(x, y), verbose=False, steps_per_execution=steps))
        assert model.steps_per_execution == (steps or 7)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert histories[0].history[key] == histories[1].history[key], key
    with pytest.raises(ValueError, match="steps_per_execution must be >= 1"):
        training.train(models.build_mlp("4-2"), x, y, steps_per_execution=0)


def test_train_lets_a_batch_callback_see_every_batch(tiny):
    import keras

    x, y = tiny
    seen = []
    every = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    model = models.build_mlp("4-2")
    training.train(model, x, y, epochs=1, batch_size=16, verbose=False, callbacks=[every])
    assert seen == [0, 1, 2, 3] and model.steps_per_execution == 1


def test_learning_rate_schedule_is_accepted(tiny):
    import keras

    x, y = tiny
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay([4], [0.5, 0.05])
    optimizer = training.make_optimizer("sgd", schedule)
    assert optimizer.learning_rate is not None
    results = training.compare({"step": {"layers": "4-2", "learning_rate": schedule}}, x, y,
                               seeds=(0, 1), epochs=2, batch_size=16, verbose=False)
    assert len(results) == 4  # the same schedule object serves every seed
    with pytest.raises(TypeError, match="learning_rate must be a number"):
        training.make_optimizer("sgd", "fast")


def test_train_traces_its_step_once_and_matches_a_plain_fit(tiny):
    import keras

    x, y = tiny
    keras.utils.set_random_seed(3)
    model = models.build_mlp("4-8-2", "sigmoid", batch_norm="before", dropout=0.1)
    traces = []
    step = model.train_step
    model.train_step = lambda data: traces.append(1) or step(data)
    history = training.train(model, x, y, epochs=2, batch_size=16, verbose=False)
    assert len(traces) == 1

    keras.utils.set_random_seed(3)
    plain = models.build_mlp("4-8-2", "sigmoid", batch_norm="before", dropout=0.1)
    plain.compile(optimizer=training.make_optimizer("sgd", 0.1), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    expected = plain.fit(x, y, batch_size=16, epochs=2, verbose=0)
    np.testing.assert_array_equal(history.history["loss"], expected.history["loss"])


def _tidy(lengths: dict[tuple[str, int], int]):
    """Tidy results like compare's: accuracy = epoch / 10, so a run's last value names its length."""
    import pandas as pd

    rows = [{"config": c, "seed": s, "epoch": e, "accuracy": e / 10, "loss": 1.0, "seconds": 0.1}
            for (c, s), n in lengths.items() for e in range(1, n + 1)]
    return pd.DataFrame(rows)


def test_summarize_takes_each_configurations_own_last_epoch():
    results = _tidy({("long", 0): 5, ("long", 1): 5, ("short", 0): 3, ("short", 1): 3})
    table = training.summarize(results)
    assert list(table.index) == ["long", "short"]
    assert table.loc["long", "mean"] == pytest.approx(0.5)
    assert table.loc["short", "mean"] == pytest.approx(0.3) and table.loc["short", "runs"] == 2
    assert training.mean_final(results, "short") == pytest.approx(0.3)
    assert training.summarize(results, epoch=2)["mean"].tolist() == pytest.approx([0.2, 0.2])


def test_summarize_keeps_seeds_that_stopped_early_and_says_so():
    results = _tidy({("early stopping", 0): 6, ("early stopping", 1): 4})
    with pytest.warns(UserWarning, match=r"'early stopping': seeds ended at epochs 4\.\.6"):
        table = training.summarize(results)
    assert table.loc["early stopping", "runs"] == 2
    assert table.loc["early stopping", "mean"] == pytest.approx(0.5)
    with pytest.warns(UserWarning, match=r"seeds \[1\] stopped before epoch 5"):
        assert training.summarize(results, epoch=5).loc["early stopping", "runs"] == 1


def test_compare_accepts_an_optimizer_instance(tiny):
    import keras

    x, y = tiny
    given = keras.optimizers.SGD(learning_rate=0.3, momentum=0.5)
    kept = {}
    results = training.compare({"a": {"layers": "4-2"}, "b": {"layers": "4-3-2"}}, x, y, seeds=(0, 1), epochs=1,
                               batch_size=16, verbose=False, optimizer=given, keep_models=kept)
    assert len(results) == 4
    optimizers = [model.optimizer for model in kept.values()]
    assert len({id(o) for o in optimizers}) == 4  # each run its own copy, same settings
    for o in optimizers:
        assert float(keras.ops.convert_to_numpy(o.learning_rate)) == pytest.approx(0.3)
        assert float(o.momentum) == 0.5
