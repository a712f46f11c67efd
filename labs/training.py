"""Training and comparing Keras models: one call to train, one to compare configurations.

``train`` compiles and fits with a compact progress display (one line every few epochs,
with seconds) and adds ``seconds`` per epoch to the history. It is plain ``fit`` with one
change that makes it faster: TensorFlow runs a whole epoch of steps per call from Python
(``steps_per_execution``), which changes no number, only the time; ``benchmarks/train_speed.py``
measures the gain. ``compare`` trains several
configurations on several seeds and returns a tidy DataFrame; ``summarize`` and
``labs.plots.plot_comparison`` turn it into a table and a plot.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from typing import Any

from labs.models import BUILD_ARGS, build_mlp
from labs.progress import Progress
from labs.validation import check_int, check_positive, check_same_length

OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")


def make_optimizer(name: str | Any = "sgd", learning_rate: float | Any = 0.1, **options: Any) -> Any:
    """A Keras optimizer by name (``sgd``, ``momentum`` = SGD with momentum 0.9, ``adagrad``,
    ``rmsprop``, ``adam``); an optimizer instance is returned unchanged. The optimizer is built
    by :func:`labs.optimizers.keras_optimizer`, the course's one name-to-optimizer mapping, with
    Keras' own defaults: Adagrad's sum of squares starts at Keras' 0.1
    (:data:`labs.optimizers.KERAS_ADAGRAD_START`) unless ``initial_accumulator_value`` is given
    (the deck, and ``keras_optimizer`` beside the hand-written rules, start it at 0).

    ``learning_rate`` is a number or a ``keras.optimizers.schedules.LearningRateSchedule``
    (the rate as a function of the update step, e.g. ``CosineDecay``)."""
    import keras

    from labs.optimizers import KERAS_ADAGRAD_START, keras_optimizer

    if not isinstance(name, str):
        if options:
            raise ValueError(f"options {sorted(options)} apply to an optimizer given by name, not to an instance.")
        return name
    if not isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        learning_rate = check_positive("learning_rate", learning_rate)
    key = name.lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)} or a keras optimizer; got {name!r}.")
    if key == "adagrad":
        options.setdefault("initial_accumulator_value", KERAS_ADAGRAD_START)
    return keras_optimizer(key, learning_rate=learning_rate, **options)


def _fresh_optimizer(optimizer: str | Any) -> str | Any:
    """A new optimizer with the same settings as ``optimizer`` (a name is returned as it is):
    a Keras optimizer serves only the variables of the first model it trained, so every run
    of :func:`compare` gets its own copy."""
    if isinstance(optimizer, str):
        return optimizer
    return type(optimizer).from_config(optimizer.get_config())


def default_steps_per_execution(n_samples: int, batch_size: int, callbacks: Iterable[Any] = ()) -> int:
    """Training steps Keras should run per call into TensorFlow: a whole epoch, or 1 when a
    callback acts after every batch (it would otherwise see only every n-th batch)."""
    n_samples = check_int("n_samples", n_samples, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if any(_acts_on_batches(c) for c in callbacks):
        return 1
    return math.ceil(n_samples / batch_size)


_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end")


def _acts_on_batches(callback: Any) -> bool:
    """True when ``callback`` has its own code in a batch hook: set on the instance (as
    ``LambdaCallback`` does) or defined by its class instead of the base ``Callback``'s
    do-nothing hook (Keras >= 3.6 also marks those with ``_is_default``)."""
    import keras

    for hook in _BATCH_HOOKS:
        if hook in vars(callback):
            return True
        method = getattr(type(callback), hook, None)
        if method is None or getattr(method, "_is_default", False):
            continue
        if method is not getattr(keras.callbacks.Callback, hook, None):
            return True
    return False


def _epoch_logger(epochs: int, every: int | None) -> Any:
    import keras

    every = every or max(1, epochs // 10)

    class EpochLogger(keras.callbacks.Callback):
        """Times each epoch (``seconds`` in the history) and prints a line every few epochs."""

        def __init__(self, quiet: bool):
            super().__init__()
            self.quiet = quiet

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs if logs is not None else {}
            logs["seconds"] = time.perf_counter() - self.start
            done = epoch + 1
            if not self.quiet and (done % every == 0 or done == epochs or done == 1):
                shown = "  ".join(f"{k} {v:.4f}" for k, v in logs.items() if k != "seconds")
                print(f"epoch {done:>3}/{epochs}  {shown}  ({logs['seconds']:.1f} s)", flush=True)

    return EpochLogger


def _build_before_fit(model: Any, x: Any, y: Any, batch_size: int) -> None:
    """Create the metrics' and optimizer's variables before ``fit`` traces its training step.

    Keras (TensorFlow backend) otherwise creates them while tracing, which makes TensorFlow
    trace the step a second time; for a deep model on a small data set that doubles the cost
    of a short run. Only an optimisation: if it fails, ``fit`` builds everything itself.
    """
    build = getattr(model, "_symbolic_build", None)
    if build is None:
        return
    try:
        build(data_batch=(x[:batch_size], y[:batch_size], None))
        model.optimizer.build(model.trainable_variables)
    except Exception:  # a failed shortcut must not stop training
        return


def train(
    model: Any,
    x: Any,
    y: Any,
    *,
    loss: str | Any = "categorical_crossentropy",
    optimizer: str | Any = "sgd",
    learning_rate: float | Any = 0.1,
    optimizer_options: Mapping[str, Any] | None = None,
    batch_size: int = 100,
    epochs: int = 20,
    validation_data: tuple[Any, Any] | None = None,
    metrics: Sequence[str] = ("accuracy",),
    callbacks: Iterable[Any] = (),
    shuffle: bool = True,
    verbose: bool = False,
    log_every: int | None = None,
    steps_per_execution: int | None = None,
) -> Any:
    """Compile ``model`` and fit it; returns the Keras ``History`` (with ``seconds`` per epoch).

    Defaults are the slides' setup: cross-entropy, SGD with learning rate 0.1, batch 100,
    20 epochs. ``learning_rate`` may also be a Keras learning-rate schedule;
    ``optimizer_options`` go to the optimizer named by ``optimizer`` (e.g.
    ``{"weight_decay": 1e-4}``). ``verbose=True`` prints about ten lines per run (every ``log_every`` epochs); quiet by default.
    ``steps_per_execution`` defaults to a whole epoch (see :func:`default_steps_per_execution`);
    the results are the same as with 1, only faster.
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)
    epochs = check_int("epochs", epochs, minimum=1)
    n_samples = check_same_length(x=x, y=y)
    callbacks = list(callbacks)
    if steps_per_execution is None:
        steps_per_execution = default_steps_per_execution(n_samples, batch_size, callbacks)
    steps_per_execution = check_int("steps_per_execution", steps_per_execution, minimum=1)
    optimizer = make_optimizer(optimizer, learning_rate, **(optimizer_options or {}))
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics), steps_per_execution=steps_per_execution)
    _build_before_fit(model, x, y, batch_size)
    logger = _epoch_logger(epochs, log_every)(quiet=not verbose)
    return model.fit(
        x, y, batch_size=batch_size, epochs=epochs, validation_data=validation_data,
        callbacks=[logger, *callbacks], shuffle=shuffle, verbose=0,
    )


def compare(
    configs: Mapping[str, Mapping[str, Any]],
    x: Any,
    y: Any,
    *,
    seeds: Sequence[int] = (0,),
    validation_data: tuple[Any, Any] | None = None,
    verbose: bool = False,
    keep_models: MutableMapping[tuple[str, int], Any] | None = None,
    **common: Any,
) -> Any:
    """Train every configuration on every seed; return a tidy ``pandas.DataFrame``.

    Each configuration is a dict of keyword arguments for :func:`labs.models.build_mlp`
    (``layers``, ``activation``, ...) and :func:`train` (``loss``, ``optimizer``,
    ``learning_rate``, ``batch_size``, ``epochs``, ...); ``common`` holds the ones they share.
    A configuration may also give ``build`` (a function returning a Keras model) instead of
    layer settings, and its own ``x``, ``y`` or ``validation_data``. The result has one row
    per configuration, seed and epoch: ``config, seed, epoch, loss, accuracy, val_loss,
    val_accuracy, seconds`` (validation columns when validation data is given). Pass a dict
    as ``keep_models`` to receive each trained model under the key ``(config, seed)``.

    Quiet by default: in a notebook one line shows the progress and ends as
    "N runs (C configurations x S seeds) trained in T s"; ``verbose=True`` prints one line
    per configuration and seed instead (for scripts such as ``python -m labs claims``).
    """
    import keras
    import pandas as pd

    if not isinstance(configs, Mapping) or not configs:
        raise ValueError(f"configs must be a non-empty dict {{name: {{setting: value, ...}}}}; got {configs!r}.")
    seeds = [check_int("seed", s, minimum=0) for s in seeds]
    if not seeds:
        raise ValueError("seeds must list at least one seed.")
    rows = []
    progress = None if verbose else Progress(len(configs) * len(seeds), "training run")
    for name, config in configs.items():
        if not isinstance(config, Mapping):
            raise TypeError(f"configs[{name!r}] must be a dict of settings; got {type(config).__name__}.")
        settings = {**common, **config}
        build: Callable[[], Any] | None = settings.pop("build", None)
        build_kwargs = {k: settings.pop(k) for k in list(settings) if k in BUILD_ARGS}
        if build is not None and build_kwargs:
            raise ValueError(f"configs[{name!r}] gives both build and layer settings {sorted(build_kwargs)}.")
        data_x, data_y = settings.pop("x", x), settings.pop("y", y)
        val = settings.pop("validation_data", validation_data)
        for seed in seeds:
            if progress is not None:
                progress.step(f"{name}, seed {seed}")
            keras.utils.set_random_seed(seed)
            model = build() if build is not None else build_mlp(**build_kwargs)
            start = time.perf_counter()
            run_settings = {**settings, "optimizer": _fresh_optimizer(settings.get("optimizer", "sgd"))}
            history = train(model, data_x, data_y, validation_data=val, verbose=False, **run_settings)
            logs = history.history
            if keep_models is not None:
                keep_models[(name, seed)] = model
            for epoch in range(len(logs["loss"])):
                rows.append({"config": name, "seed": seed, "epoch": epoch + 1,
                             **{k: float(v[epoch]) for k, v in logs.items()}})
            if verbose:
                final = "  ".join(f"{k} {v[-1]:.4f}" for k, v in logs.items() if k != "seconds")
                print(f"{name!s:<24} seed {seed}: {final}  ({time.perf_counter() - start:.1f} s)", flush=True)
    if progress is not None:
        runs = len(configs) * len(seeds)
        progress.done(f"{runs} training run{'s' if runs != 1 else ''} ({len(configs)} configuration"
                      f"{'s' if len(configs) != 1 else ''} x {len(seeds)} seed{'s' if len(seeds) != 1 else ''}) trained")
    return pd.DataFrame(rows)


def final_rows(results: Any, epoch: int | None = None) -> Any:
    """The rows of ``results`` that end each run: every (config, seed)'s own last epoch, or
    epoch ``epoch`` where given. Runs that did not reach ``epoch`` are left out."""
    if epoch is None:
        return results[results["epoch"] == results.groupby(["config", "seed"])["epoch"].transform("max")]
    epoch = check_int("epoch", epoch, minimum=1)
    return results[results["epoch"] == epoch]


def _warn_uneven(results: Any, epoch: int | None) -> None:
    """Warn when the seeds of a configuration ended at different epochs (or some never reached
    ``epoch``): their mean is then not over runs of the same length."""
    import warnings

    last = results.groupby(["config", "seed"])["epoch"].max()
    notes = []
    for config, ends in last.groupby(level="config", sort=False):
        if epoch is None and ends.nunique() > 1:
            notes.append(f"{config!r}: seeds ended at epochs {ends.min()}..{ends.max()}")
        elif epoch is not None and (ends < epoch).any():
            short = [int(seed) for (_, seed), end in ends.items() if end < epoch]
            notes.append(f"{config!r}: seeds {short} stopped before epoch {epoch} and are left out")
    if notes:
        warnings.warn("runs of unequal length — " + "; ".join(notes) + ".", UserWarning, stacklevel=3)


def summarize(results: Any, metric: str = "accuracy", *, epoch: int | None = None) -> Any:
    """Per configuration: mean, std, min and max of ``metric`` over seeds at each run's last
    epoch (or at ``epoch``), ``runs`` (how many seeds the four are over) and ``seconds per
    epoch`` (wall time, mean over the runs). Configurations keep
    their order. A warning says when a configuration's seeds ran for different numbers of
    epochs (early stopping), since their mean then mixes runs of different lengths."""
    import pandas as pd

    if metric not in results.columns:
        raise ValueError(f"metric {metric!r} is not in the results; columns are {list(results.columns)}.")
    if results.empty:
        raise ValueError("results is empty: no run to summarize.")
    chosen = final_rows(results, epoch)
    if chosen.empty:
        raise ValueError(f"no results at epoch {epoch}; epochs run: 1..{results['epoch'].max()}.")
    _warn_uneven(results, epoch)
    order = [c for c in dict.fromkeys(results["config"]) if c in set(chosen["config"])]
    table = chosen.groupby("config")[metric].agg(["mean", "std", "min", "max", "count"])
    table = table.rename(columns={"count": "runs"})
    table["std"] = table["std"].fillna(0.0)
    table["seconds per epoch"] = results.groupby("config")["seconds"].mean()
    return table.loc[order].rename_axis(None).pipe(pd.DataFrame)


def mean_final(results: Any, config: str, metric: str = "accuracy") -> float:
    """Mean over seeds of ``metric`` at each run's last epoch, for one configuration."""
    if config not in set(results["config"]):
        raise ValueError(f"config {config!r} not in results; have {list(dict.fromkeys(results['config']))}.")
    table = summarize(results[results["config"] == config], metric)
    return float(table.loc[config, "mean"])
