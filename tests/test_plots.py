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
