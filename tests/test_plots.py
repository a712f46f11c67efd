import matplotlib

matplotlib.use("agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from labs import plots  # noqa: E402
from labs.data import truth_table  # noqa: E402


def test_decision_boundary_with_scores_and_labels():
    X, t = truth_table("and")
    ax = plots.plot_decision_boundary(lambda G: G.sum(axis=1) - 1.5, X, t, resolution=20)
    assert ax.get_xlabel() == "$x_1$"
    plots.plot_decision_boundary(lambda G: np.c_[1 - G[:, 0], G[:, 0]], X, t, resolution=20)


def test_decision_boundary_validates():
    with pytest.raises(ValueError, match="shape"):
        plots.plot_decision_boundary(lambda G: G, np.ones((4, 3)), np.ones(4))


def test_history_plot_from_dict_and_errors():
    fig = plots.plot_history({"loss": [1, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]})
    assert len(fig.axes) == 2
    with pytest.raises(ValueError, match="metrics must be among the history"):
        plots.plot_history({"loss": [1]}, metrics=("accuracy",))
    with pytest.raises(TypeError, match="History"):
        plots.plot_history([1, 2])


def test_image_grid():
    fig = plots.show_images(np.zeros((3, 784)), labels=[1, 2, 3], predictions=[1, 0, 3], ncols=2)
    assert len(fig.axes) == 4
    with pytest.raises(ValueError, match="images must have shape"):
        plots.show_images(np.zeros((3, 5)))


def test_activation_plot():
    fig = plots.plot_activations(["sigmoid", "relu"])
    assert len(fig.axes) == 2


def test_plot_layer_statistics():
    import pandas as pd

    table = pd.DataFrame({"layer": [1, 2, 3], "grad_norm": [1e-5, 1e-3, 1e-1]})
    ax = plots.plot_layer_statistics({"at start": table, "trained": table.assign(grad_norm=1.0)})
    assert len(ax.get_lines()) == 2 and ax.get_yscale() == "log"
    assert plots.plot_layer_statistics({"a": table}, log=False).get_yscale() == "linear"
    with pytest.raises(ValueError, match="no column 'std'"):
        plots.plot_layer_statistics({"a": table}, "std")
    with pytest.raises(ValueError, match="non-empty dict"):
        plots.plot_layer_statistics({})


def test_plot_trajectories():
    from labs.optimizers import elongated_bowl, run_steps, sgd

    bowl = elongated_bowl()
    paths = {"gd": run_steps(sgd, bowl.grad, [-2.0, 1.0], 5, learning_rate=0.1)}
    ax = plots.plot_trajectories(bowl, paths, title="t")
    assert len(ax.get_lines()) == 2 and ax.get_title() == "t"
    ax = plots.plot_trajectories(bowl, paths, limits=((-3, 1), (-2, 2)))
    assert ax.get_xlim() == (-3, 1)
    with pytest.raises(ValueError, match="non-empty dict"):
        plots.plot_trajectories(bowl, {})
    with pytest.raises(ValueError, match=r"paths\['gd'\] must have shape"):
        plots.plot_trajectories(bowl, {"gd": np.zeros((4, 3))})


def test_layer_statistics_plot_skips_values_a_log_axis_cannot_show():
    import pandas as pd

    table = pd.DataFrame({"layer": [1, 2, 3], "grad_norm": [1.0, np.inf, 0.0]})
    ax = plots.plot_layer_statistics({"a": table})
    drawn = ax.get_lines()[0].get_ydata()
    assert drawn[0] == 1.0 and np.isnan(drawn[1]) and np.isnan(drawn[2])


@pytest.fixture
def shaded(monkeypatch):
    """The region numbers (Z) that plot_decision_boundary shades, whatever matplotlib draws."""
    from matplotlib.axes import Axes

    drawn = []
    real = Axes.contourf

    def contourf(self, *args, **kwargs):
        drawn.append(np.asarray(args[2]))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Axes, "contourf", contourf)
    return drawn


@pytest.mark.parametrize("kind", ["labels", "scores"])
def test_decision_boundary_draws_three_classes_as_three_regions(kind, shaded):
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.1, 0.1], [0.9, 0.1], [0.1, 0.9]])
    y = np.array([0, 1, 2, 0, 1, 2])
    centres = X[:3]

    def nearest(G):
        distance = ((G[:, None, :] - centres[None]) ** 2).sum(axis=-1)
        return distance.argmin(axis=1) if kind == "labels" else -distance

    ax = plots.plot_decision_boundary(nearest, X, y, resolution=30)
    assert len(np.unique(shaded[-1])) == 3
    point_colours = {tuple(c.get_facecolor()[0][:3]) for c in ax.collections[1:]}
    assert len(point_colours) == 3


def test_decision_boundary_of_a_sign_unit_on_01_labels_has_two_regions(shaded):
    X, t = truth_table("and")
    plots.plot_decision_boundary(lambda G: np.where(G.sum(axis=1) >= 1.5, 1.0, -1.0), X, t, resolution=20)
    assert len(np.unique(shaded[-1])) == 2


# --- what every figure promises (see labs.plots' docstring) ----------------------------------

def _comparison_results(seeds=(0, 1, 2), epochs=7):
    import pandas as pd

    rows = [{"config": c, "seed": s, "epoch": e, "accuracy": 0.5 + 0.05 * e + 0.01 * s, "loss": 1.0 / e}
            for c in ("sgd", "adam") for s in seeds for e in range(1, epochs + 1)]
    return pd.DataFrame(rows)


def _integer_locator(axis) -> bool:
    from matplotlib.ticker import MaxNLocator

    locator = axis.get_major_locator()
    return isinstance(locator, MaxNLocator) and locator._integer


def test_epoch_axes_have_whole_number_ticks():
    ax = plots.plot_comparison(_comparison_results())
    assert _integer_locator(ax.xaxis)
    ax.figure.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks()), ax.get_xticks()
    fig = plots.plot_history({"loss": [1, 0.5, 0.4, 0.3, 0.2], "accuracy": [0.1, 0.5, 0.6, 0.7, 0.8]})
    assert all(_integer_locator(a.xaxis) for a in fig.axes)
    assert _integer_locator(plots.plot_step_gradients({"rnn": [1.0, 0.5, 0.1]}).xaxis)


def test_comparison_labels_are_short_and_the_legend_says_what_the_band_is():
    ax = plots.plot_comparison(_comparison_results())
    assert ax.get_ylabel() == "accuracy"
    assert ax.get_legend().get_title().get_text() == "mean of 3 seeds, band = min..max"
    single = plots.plot_comparison(_comparison_results(seeds=(0,)))
    assert single.get_legend().get_title().get_text() == ""


def test_legend_outside_sits_in_the_figure_beside_the_axes():
    import matplotlib.pyplot as plt

    ax = plots.plot_comparison(_comparison_results(), legend="outside")
    fig = ax.figure
    fig.tight_layout()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend_box = ax.get_legend().get_window_extent(renderer)
    axes_box, figure_box = ax.get_window_extent(renderer), fig.bbox
    assert legend_box.x0 >= axes_box.x1, "the legend covers the data"
    assert legend_box.x1 <= figure_box.x1 + 1, "the legend is cut off by the figure's edge"
    plt.close(fig)
    inside = plots.plot_comparison(_comparison_results())
    inside.figure.canvas.draw()
    assert inside.get_legend().get_window_extent().x1 <= inside.get_window_extent().x1 + 1
    assert plots.plot_comparison(_comparison_results(), legend="none").get_legend() is None
    with pytest.raises(ValueError, match="legend"):
        plots.plot_comparison(_comparison_results(), legend="left")


def test_overlapping_curves_differ_in_line_style_and_marker():
    ax = plots.plot_comparison(_comparison_results())
    lines = ax.get_lines()
    assert len({(line.get_linestyle(), line.get_marker()) for line in lines}) == len(lines) == 2
    assert plots.line_style(0) != plots.line_style(1)


def test_log_axes_mark_zeros_and_infinities_instead_of_dropping_them():
    import pandas as pd

    table = pd.DataFrame({"layer": [1, 2, 3, 4], "grad_norm": [0.0, 1e-3, np.inf, 1e-1]})
    ax = plots.plot_layer_statistics({"a": table})
    labels = [line.get_label() for line in ax.get_lines()]
    assert "0 (off the log scale)" in labels and "inf or NaN (off the scale)" in labels
    markers = {line.get_label(): line.get_xdata() for line in ax.get_lines()}
    assert list(markers["0 (off the log scale)"]) == [1] and list(markers["inf or NaN (off the scale)"]) == [3]
    clean = plots.plot_layer_statistics({"a": table.assign(grad_norm=1.0)})
    assert [line.get_label() for line in clean.get_lines()] == ["a"], "nothing marked when all values show"
    assert plots.mark_off_scale(clean, [1, 2], [0.0, np.nan]) == 2


def test_every_plotting_helper_renders():
    import matplotlib.pyplot as plt

    from labs.data import truth_table

    X, t = truth_table("xor")
    import pandas as pd

    table = pd.DataFrame({"layer": [1, 2], "grad_norm": [1e-3, 1e-1]})
    figures = [
        plots.plot_decision_boundary(lambda G: G.sum(axis=1) - 1.0, X, t, resolution=20).figure,
        plots.plot_history({"loss": [1, 0.5]}, metrics=("loss",)),
        plots.show_images(np.zeros((2, 784))),
        plots.plot_activations(["tanh", "relu"]),
        plots.plot_comparison(_comparison_results(), legend="outside").figure,
        plots.plot_layer_statistics({"a": table}, legend="outside").figure,
        plots.plot_trajectories(lambda w: (w ** 2).sum(axis=-1), {"gd": np.array([[1.0, 1.0], [0.5, 0.4]])}).figure,
        plots.plot_step_gradients({"a": [1.0, 0.0, 0.5]}).figure,
        plots.plot_unrolled("jordan", 3).figure,
    ]
    for fig in figures:
        fig.canvas.draw()
        plt.close(fig)


@pytest.fixture(autouse=True)
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")
