"""Plots the labs share: decision boundaries, training curves, image grids, activations.

Conventions every helper here follows, so that a figure shows its point at a glance:

- epoch, step and count axes have whole-number ticks (:func:`integer_ticks`);
- curves that may lie on top of each other get distinct line styles and markers
  (:func:`line_style`), not only colours;
- axis labels are short; what a band or a mean is over goes in the legend's title
  ("mean of 3 seeds, band = min..max");
- ``legend="outside"`` puts the legend beside the axes (inside the figure) where it would
  cover curves (:func:`place_legend`);
- on a log axis, values that cannot be drawn (zero, infinite, NaN) are marked at the
  bottom or top edge instead of vanishing (:func:`mark_off_scale`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from labs.validation import check_array, check_int, check_same_length

_CLASS_COLOURS = ("tab:blue", "tab:red", "tab:green", "tab:orange", "tab:purple", "tab:brown")
_LINE_STYLES = ("-", "--", "-.", ":")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LEGEND_PLACES = ("best", "outside", "none")


def line_style(index: int) -> dict[str, Any]:
    """Keyword arguments for the ``index``-th curve of a plot: its own dash pattern and marker,
    so that curves lying on top of each other stay visible (not only their colour differs)."""
    index = check_int("index", index, minimum=0)
    return {"linestyle": _LINE_STYLES[index % len(_LINE_STYLES)], "marker": _MARKERS[index % len(_MARKERS)],
            "markersize": 4, "markevery": 0.1}


def integer_ticks(ax: Any, axis: str = "x") -> Any:
    """Whole-number ticks on ``axis`` (``"x"``, ``"y"`` or ``"both"``): epochs, steps, counts."""
    from matplotlib.ticker import MaxNLocator

    from labs.validation import check_choice

    axis = check_choice("axis", axis, ("x", "y", "both"))
    for name in ("x", "y") if axis == "both" else (axis,):
        getattr(ax, f"{name}axis").set_major_locator(MaxNLocator(integer=True))
    return ax


def place_legend(ax: Any, legend: str = "best", *, title: str | None = None, fontsize: float | None = None) -> Any:
    """Draw ``ax``'s legend: ``"best"`` (inside, where it covers least), ``"outside"`` (to the
    right of the axes, inside the figure: for plots whose curves fill the axes) or ``"none"``.
    ``title`` says what the lines are (e.g. "mean of 3 seeds, band = min..max")."""
    from labs.validation import check_choice

    legend = check_choice("legend", legend, LEGEND_PLACES)
    if legend == "none":
        return None
    options: dict[str, Any] = {"title": title, "fontsize": fontsize}
    if title:
        options["title_fontsize"] = 8
    if legend == "outside":
        options.update(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    else:
        options["loc"] = "best"
    return ax.legend(**options)


def mark_off_scale(ax: Any, x: Any, values: Any, *, color: Any = None) -> int:
    """On a log-scaled y axis, mark the points ``values`` cannot show: zero or negative values
    with a ``v`` at the bottom edge, infinite or NaN values with a ``^`` at the top edge.
    Returns how many points were marked (a legend entry names each kind once)."""
    from matplotlib.transforms import blended_transform_factory

    x = np.asarray(x, dtype=float)
    values = np.asarray(values, dtype=float)
    edge = blended_transform_factory(ax.transData, ax.transAxes)
    marked = 0
    for chosen, y, marker, label in ((np.isfinite(values) & (values <= 0), 0.02, "v", "0 (off the log scale)"),
                                     (~np.isfinite(values), 0.98, "^", "inf or NaN (off the scale)")):
        if not chosen.any():
            continue
        seen = {h.get_label() for h in ax.get_lines()}
        ax.plot(x[chosen], np.full(chosen.sum(), y), ls="none", marker=marker, ms=8, mfc="none",
                color=color or "k", transform=edge, clip_on=False,
                label=label if label not in seen else "_nolegend_")
        marked += int(chosen.sum())
    return marked


def _axes(ax: Any = None, figsize: tuple[float, float] | None = None) -> Any:
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    *,
    ax: Any = None,
    resolution: int = 200,
    padding: float = 0.5,
    title: str | None = None,
) -> Any:
    """Shade the plane by ``predict`` (scores or labels for ``(n, 2)`` points) and plot the data.

    ``predict`` may return one score per class (each point shaded by its largest), class
    labels (whole numbers: one region per label, any number of classes), or one score per
    point that is thresholded at 0.5 (probabilities) or 0 (a sign unit). Each class's region
    has the colour of its points. Returns the matplotlib axes.
    """
    from matplotlib.colors import ListedColormap

    X = check_array("X", X, shape=(None, 2))
    y = np.asarray(y)
    check_same_length(X=X, y=y)
    resolution = check_int("resolution", resolution, minimum=10)
    ax = _axes(ax)
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.c_[gx.ravel(), gy.ravel()]
    scores = np.asarray(predict(grid), dtype=float).reshape(len(grid), -1)
    classes = np.unique(y)
    if scores.shape[1] > 1:
        predicted = classes[scores.argmax(axis=1)] if len(classes) == scores.shape[1] else scores.argmax(axis=1)
    elif np.all(scores == np.round(scores)):  # labels
        predicted = scores[:, 0]
        values = np.unique(predicted)
        if len(classes) == 2 and len(values) <= 2 and not set(values) <= set(classes):
            cut = 0.0 if values.min() < 0 else 0.5  # e.g. a sign unit's ±1 for classes 0 and 1
            predicted = np.where(predicted >= cut, classes.max(), classes.min())
    else:
        cut = 0.0 if scores.min() < 0 else 0.5
        predicted = np.where(scores[:, 0] >= cut, classes.max(), classes.min())
    labels = np.union1d(classes, np.unique(predicted))
    regions = np.searchsorted(labels, predicted)
    colours = [_CLASS_COLOURS[i % len(_CLASS_COLOURS)] for i in range(len(labels))]
    ax.contourf(gx, gy, regions.reshape(gx.shape), alpha=0.25, cmap=ListedColormap(colours),
                levels=np.arange(-0.5, len(labels)), vmin=-0.5, vmax=len(labels) - 0.5)
    for label in classes:
        chosen = y == label
        ax.scatter(X[chosen, 0], X[chosen, 1], s=60, edgecolor="k", label=f"class {label:g}",
                   color=colours[int(np.searchsorted(labels, label))])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return ax


def plot_history(
    history: Any,
    metrics: Sequence[str] = ("loss", "accuracy"),
    *,
    title: str | None = None,
) -> Any:
    """Training curves (and validation curves when present) from a Keras ``History`` or dict."""
    import matplotlib.pyplot as plt

    logs: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError(f"history must be a keras History or a dict of lists; got {type(history).__name__}.")
    missing = [m for m in metrics if m not in logs]
    if missing:
        raise ValueError(f"metrics must be among the history's {sorted(logs)}; got {', '.join(map(repr, missing))}.")
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], label="train", **line_style(0))
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], label="validation", **line_style(1))
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        integer_ticks(ax, "x")
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_images(
    images: np.ndarray,
    labels: Sequence[Any] | None = None,
    predictions: Sequence[Any] | None = None,
    *,
    ncols: int = 10,
    size: float = 1.2,
) -> Any:
    """A grid of grayscale images with optional titles ``label`` or ``label→prediction``."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, height, width) or (n, 784); got {images.shape}.")
    ncols = check_int("ncols", ncols, minimum=1)
    n = len(images)
    if n == 0:
        raise ValueError("images is empty: nothing to show.")
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.15), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], cmap="gray_r")
        parts = []
        if labels is not None:
            parts.append(f"{labels[i]}")
        if predictions is not None:
            parts.append(f"→{predictions[i]}")
        if parts:
            wrong = predictions is not None and labels is not None and labels[i] != predictions[i]
            ax.set_title("".join(parts), fontsize=9, color="tab:red" if wrong else "black")
    fig.tight_layout()
    return fig


def plot_activations(names: Sequence[str], *, s_range: tuple[float, float] = (-5.0, 5.0)) -> Any:
    """Each named activation (from ``labs.neurons.ACTIVATIONS``) beside its derivative."""
    import matplotlib.pyplot as plt

    from labs.neurons import activation

    s = np.linspace(*s_range, 401)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for index, name in enumerate(names):
        f, f_prime = activation(name)
        axes[0].plot(s, f(s), label=name, **line_style(index))
        axes[1].plot(s, f_prime(s), label=name, **line_style(index))
    axes[0].set_title("activation f(s)")
    axes[1].set_title("derivative f'(s)")
    for ax in axes:
        ax.set_xlabel("s")
        ax.legend()
    fig.tight_layout()
    return fig


def plot_comparison(
    results: Any,
    metric: str = "accuracy",
    *,
    ax: Any = None,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    legend: str = "best",
    log: bool = False,
) -> Any:
    """Mean curve of ``metric`` per configuration over seeds, with the min–max band shaded.

    ``results`` is the tidy DataFrame from :func:`labs.training.compare`; ``labels`` may
    rename configurations in the legend (``{config: label}``); ``legend`` is ``"best"``,
    ``"outside"`` (beside the axes) or ``"none"``; ``log`` puts the metric on a log scale.
    The legend's title says what the curves are over ("mean of 3 seeds, band = min..max").
    """
    if metric not in results.columns:
        raise ValueError(f"metric {metric!r} is not in the results; columns are {list(results.columns)}.")
    ax = _axes(ax, figsize=(6.4, 4.0))
    for index, config in enumerate(dict.fromkeys(results["config"])):
        per_epoch = results[results["config"] == config].groupby("epoch")[metric]
        mean, low, high = per_epoch.mean(), per_epoch.min(), per_epoch.max()
        (line,) = ax.plot(mean.index, mean.values, label=str((labels or {}).get(config, config)),
                          **line_style(index))
        ax.fill_between(mean.index, low.values, high.values, color=line.get_color(), alpha=0.2)
    if log:
        ax.set_yscale("log")
    seeds = results["seed"].nunique()
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric.replace("_", " "))
    integer_ticks(ax, "x")
    place_legend(ax, legend, title=f"mean of {seeds} seeds, band = min..max" if seeds > 1 else None)
    if title:
        ax.set_title(title)
    return ax


def plot_layer_statistics(
    tables: Mapping[str, Any],
    column: str = "grad_norm",
    *,
    log: bool = True,
    ax: Any = None,
    title: str | None = None,
    legend: str = "best",
) -> Any:
    """One line per labelled table from :func:`labs.diagnostics.layer_statistics`: ``column``
    against the layer number (input side on the left), on a log scale by default. On the log
    scale a zero is marked at the bottom edge and an infinity or NaN at the top
    (:func:`mark_off_scale`)."""
    if not isinstance(tables, Mapping) or not tables:
        raise ValueError("tables must be a non-empty dict {label: layer_statistics table}.")
    ax = _axes(ax, figsize=(6.4, 4.0))
    off_scale = []
    for index, (label, table) in enumerate(tables.items()):
        if column not in table.columns:
            raise ValueError(f"tables[{label!r}] has no column {column!r}; it has {list(table.columns)}.")
        values = table[column].to_numpy(dtype=float)
        drawable = np.isfinite(values) & (values > 0 if log else True)  # no inf; no zero on a log axis
        (line,) = ax.plot(table["layer"], np.where(drawable, values, np.nan), label=str(label),
                          **{**line_style(index), "markevery": 1})
        off_scale.append((table["layer"], values, line.get_color()))
    if log:
        ax.set_yscale("log")
        for layers, values, colour in off_scale:
            mark_off_scale(ax, layers, values, color=colour)
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel(column.replace("_", " "))
    ax.set_xticks(sorted({int(n) for t in tables.values() for n in t["layer"]}))
    place_legend(ax, legend)
    if title:
        ax.set_title(title)
    return ax


def plot_trajectories(
    loss: Callable[[np.ndarray], np.ndarray],
    paths: Mapping[str, np.ndarray],
    *,
    ax: Any = None,
    limits: tuple[tuple[float, float], tuple[float, float]] | None = None,
    levels: int = 20,
    title: str | None = None,
    legend: str = "best",
) -> Any:
    """Contours of a 2-parameter ``loss`` (called on ``(..., 2)`` arrays) and optimizer paths on it.

    ``paths`` maps a label to an array ``(steps + 1, 2)`` of parameter values; ``limits`` is
    ``((w1_min, w1_max), (w2_min, w2_max))``, by default the paths' extent with a margin.
    """
    if not isinstance(paths, Mapping) or not paths:
        raise ValueError("paths must be a non-empty dict {label: array of shape (steps + 1, 2)}.")
    checked = {label: check_array(f"paths[{label!r}]", p, shape=(None, 2)) for label, p in paths.items()}
    if limits is None:
        points = np.concatenate(list(checked.values()))
        lo, hi = points.min(axis=0), points.max(axis=0)
        margin = 0.15 * np.maximum(hi - lo, 1e-3)
        limits = ((lo[0] - margin[0], hi[0] + margin[0]), (lo[1] - margin[1], hi[1] + margin[1]))
    ax = _axes(ax, figsize=(6.4, 4.0))
    g1, g2 = np.meshgrid(np.linspace(*limits[0], 200), np.linspace(*limits[1], 200))
    surface = np.asarray(loss(np.stack([g1, g2], axis=-1)), dtype=float)
    ax.contour(g1, g2, surface, levels=levels, cmap="viridis", alpha=0.6, linewidths=0.8)
    for index, (label, path) in enumerate(checked.items()):
        ax.plot(path[:, 0], path[:, 1], lw=1.2, label=label, **{**line_style(index), "markersize": 3, "markevery": 1})
    ax.plot(*next(iter(checked.values()))[0], marker="*", ms=12, color="k", ls="none", label="start")
    ax.set(xlim=limits[0], ylim=limits[1], xlabel="$w_1$", ylabel="$w_2$")
    place_legend(ax, legend, fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def plot_step_gradients(
    norms: Mapping[str, Sequence[float]],
    *,
    log: bool = True,
    ax: Any = None,
    title: str | None = None,
    ylabel: str = "gradient norm",
    legend: str = "best",
) -> Any:
    """One line per labelled array of per-step gradient norms (from
    :func:`labs.rnn.step_gradient_norms`, step 1 first) against the distance from the last step
    (0 = the last step, on the left), on a log scale by default: the vanishing gradient in time."""
    if not isinstance(norms, Mapping) or not norms:
        raise ValueError("norms must be a non-empty dict {label: array of per-step gradient norms}.")
    ax = _axes(ax, figsize=(6.4, 4.0))
    off_scale = []
    for index, (label, values) in enumerate(norms.items()):
        values = check_array(f"norms[{label!r}]", np.asarray(values, dtype=float)[::-1], ndim=1)
        drawable = (values > 0) & np.isfinite(values) if log else np.ones(len(values), dtype=bool)
        (line,) = ax.plot(np.arange(len(values)), np.where(drawable, values, np.nan), label=str(label),
                          **line_style(index))
        off_scale.append((np.arange(len(values)), values, line.get_color()))
    if log:
        ax.set_yscale("log")
        for steps, values, colour in off_scale:
            mark_off_scale(ax, steps, values, color=colour)
    ax.set_xlabel("steps back from the last output (0 = last step)")
    ax.set_ylabel(ylabel)
    integer_ticks(ax, "x")
    place_legend(ax, legend, fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def plot_unrolled(kind: str = "elman", steps: int = 4, *, ax: Any = None) -> Any:
    """The feedback network unrolled over ``steps`` time steps: inputs x_t at the bottom, hidden
    states s_t in the middle, outputs o_t on top. The arrow into each s_t comes from s_{t-1}
    (``kind="elman"``) or from the previous output o_{t-1} (``kind="jordan"``)."""
    from labs.validation import check_choice

    kind = check_choice("kind", kind, ("elman", "jordan"))
    steps = check_int("steps", steps, minimum=1)
    ax = _axes(ax, figsize=(1.9 * steps + 1, 3.2))
    rows = {"x": 0.0, "s": 1.0, "o": 2.0}
    matrices = {"x": "W", "s": "V"}
    arrow = {"arrowstyle": "->", "lw": 1.3, "color": "0.25"}
    for t in range(1, steps + 1):
        for name, y in rows.items():
            ax.text(t, y, f"${name}_{{{t}}}$", ha="center", va="center", fontsize=12,
                    bbox={"boxstyle": "round", "fc": {"x": "#dbe9f6", "s": "#fde2c4", "o": "#d7f0d3"}[name]})
        for low, high in (("x", "s"), ("s", "o")):
            ax.annotate("", xy=(t, rows[high] - 0.25), xytext=(t, rows[low] + 0.25), arrowprops=arrow)
            ax.text(t + 0.06, (rows[low] + rows[high]) / 2, matrices[low], fontsize=9, color="0.3")
        source = "s" if kind == "elman" else "o"
        start = (t - 1 + 0.25, rows[source]) if t > 1 else (t - 0.75, rows[source])
        ax.annotate("", xy=(t - 0.25, rows["s"]), xytext=start,
                    arrowprops={**arrow, "color": "tab:red",
                                "connectionstyle": "arc3,rad=0" if source == "s" else "arc3,rad=-0.2"})
        ax.text((start[0] + t - 0.25) / 2, (rows[source] + rows["s"]) / 2 + 0.12,
                f"${source}_0$" if t == 1 else "U", fontsize=9, color="tab:red", ha="center")
    ax.set(xlim=(0.2, steps + 0.6), ylim=(-0.5, 2.5))
    ax.axis("off")
    ax.set_title({"elman": "Elman: $s_t = \\sigma_s(U s_{t-1} + W x_t)$",
                  "jordan": "Jordan: $s_t = \\sigma_s(U o_{t-1} + W x_t)$"}[kind], fontsize=10)
    return ax
