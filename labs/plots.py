"""Plots the labs share: decision boundaries, training curves, image grids, activations."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from labs.validation import check_array, check_int, check_same_length


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

    ``predict`` may return class labels, or scores that are thresholded at 0.5 (probabilities)
    or 0 (a sign unit). Returns the matplotlib axes.
    """
    X = check_array("X", X, shape=(None, 2))
    y = np.asarray(y)
    check_same_length(X=X, y=y)
    resolution = check_int("resolution", resolution, minimum=10)
    ax = _axes(ax)
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.c_[gx.ravel(), gy.ravel()]
    scores = np.asarray(predict(grid), dtype=float).reshape(len(grid), -1)
    if scores.shape[1] > 1:
        regions = scores.argmax(axis=1)
    else:
        cut = 0.0 if scores.min() < 0 else 0.5
        regions = (scores[:, 0] >= cut).astype(int)
    ax.contourf(gx, gy, regions.reshape(gx.shape), alpha=0.25, cmap="coolwarm", levels=np.arange(-0.5, regions.max() + 1))
    classes = np.unique(y)
    for i, label in enumerate(classes):
        chosen = y == label
        ax.scatter(X[chosen, 0], X[chosen, 1], s=60, edgecolor="k", label=f"class {label:g}",
                   color=["tab:blue", "tab:red", "tab:green", "tab:orange"][i % 4])
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
        raise ValueError(f"history has no {missing}; it holds {sorted(logs)}.")
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], label="train")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
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
    for name in names:
        f, f_prime = activation(name)
        axes[0].plot(s, f(s), label=name)
        axes[1].plot(s, f_prime(s), label=name)
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
) -> Any:
    """Mean curve of ``metric`` per configuration over seeds, with the min–max band shaded.

    ``results`` is the tidy DataFrame from :func:`labs.training.compare`.
    """
    if metric not in results.columns:
        raise ValueError(f"metric {metric!r} is not in the results; columns are {list(results.columns)}.")
    ax = _axes(ax, figsize=(6.4, 4.0))
    for config in dict.fromkeys(results["config"]):
        per_epoch = results[results["config"] == config].groupby("epoch")[metric]
        mean, low, high = per_epoch.mean(), per_epoch.min(), per_epoch.max()
        (line,) = ax.plot(mean.index, mean.values, label=str(config))
        ax.fill_between(mean.index, low.values, high.values, color=line.get_color(), alpha=0.2)
    seeds = results["seed"].nunique()
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric + (f" (mean of {seeds} seeds, band = min..max)" if seeds > 1 else ""))
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def plot_layer_statistics(
    stats: Any,
    column: str = "gradient_norm",
    *,
    by: str = "config",
    ax: Any = None,
    log: bool = True,
    title: str | None = None,
) -> Any:
    """One line per ``by`` group of ``column`` against the layer number (log scale by default).

    ``stats`` is a DataFrame with a ``layer`` column, such as the tables of
    :func:`labs.diagnostics.layer_statistics` joined with ``pandas.concat(..., names=[by])``
    (``by`` may be a column or an index level).
    """
    frame = stats.reset_index() if by not in getattr(stats, "columns", ()) else stats
    missing = [c for c in ("layer", column, by) if c not in frame.columns]
    if missing:
        raise ValueError(f"stats has no column {missing}; columns are {list(frame.columns)}.")
    ax = _axes(ax, figsize=(5.5, 3.8))
    for group in dict.fromkeys(frame[by]):
        rows = frame[frame[by] == group]
        values = rows[column].to_numpy(dtype=float)
        drawable = np.isfinite(values) & (values > 0 if log else True)  # no inf; no zero on a log axis
        values = np.where(drawable, values, np.nan)
        ax.plot(rows["layer"], values, marker="o", ms=4, label=str(group))
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel(column.replace("_", " "))
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return ax
