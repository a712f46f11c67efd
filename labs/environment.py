"""The one call every notebook starts with: seeds, determinism, and a report of the machine."""

from __future__ import annotations

import os
import platform
import random
import sys
from dataclasses import dataclass

import numpy as np

from labs.profiles import profile_name
from labs.validation import check_int

DEFAULT_SEED = 0
COLAB_GPU_HINT = (
    "No GPU found. On Colab choose Runtime > Change runtime type > Hardware accelerator: "
    "GPU (T4 is enough), then Runtime > Restart session and run the notebook again. "
    "Everything still runs on the CPU, only slower."
)


@dataclass(frozen=True)
class SetupInfo:
    """What :func:`setup` found and set."""

    seed: int
    profile: str
    on_colab: bool
    gpus: tuple[str, ...]
    tensorflow: str
    keras: str

    @property
    def device(self) -> str:
        """``"GPU"`` when TensorFlow sees a GPU, else ``"CPU"``."""
        return "GPU" if self.gpus else "CPU"


def on_colab() -> bool:
    """True when running inside Google Colab."""
    return "google.colab" in sys.modules


def default_seed() -> int:
    """The course seed: ``LABS_SEED`` when set, else 0."""
    raw = os.environ.get("LABS_SEED")
    if raw is None or raw.strip() == "":
        return DEFAULT_SEED
    try:
        return check_int("LABS_SEED", int(raw.strip()), minimum=0)
    except ValueError:
        raise ValueError(f"LABS_SEED must be a whole number >= 0; got {raw!r}.") from None


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow/Keras from one value."""
    seed = check_int("seed", seed, minimum=0)
    import keras

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # also seeds Python, NumPy and the TF backend


def setup(seed: int | None = None, *, verbose: bool = True) -> SetupInfo:
    """Seed everything, make TensorFlow deterministic, set plot defaults and report the machine.

    ``seed`` defaults to ``LABS_SEED`` (or 0). Returns a :class:`SetupInfo`.
    """
    seed = default_seed() if seed is None else check_int("seed", seed, minimum=0)
    active_profile = profile_name()
    import keras
    import tensorflow as tf

    seed_everything(seed)
    tf.config.experimental.enable_op_determinism()
    tf.get_logger().setLevel("ERROR")  # no retracing notes when a lab builds many small models
    _plot_defaults()
    gpus = tuple(d.name for d in tf.config.list_physical_devices("GPU"))
    info = SetupInfo(
        seed=seed,
        profile=active_profile,
        on_colab=on_colab(),
        gpus=gpus,
        tensorflow=tf.__version__,
        keras=keras.__version__,
    )
    if verbose:
        print(report(info))
    return info


def report(info: SetupInfo) -> str:
    """The text :func:`setup` prints: versions, device, Colab, profile and seed."""
    from labs import __version__

    lines = [
        f"Python {platform.python_version()} | TensorFlow {info.tensorflow} | "
        f"Keras {info.keras} | NumPy {np.__version__} | labs {__version__}",
        f"Device: {info.device}" + (f" ({', '.join(info.gpus)})" if info.gpus else ""),
        f"Running on Colab: {'yes' if info.on_colab else 'no'}",
        f"Profile: {info.profile} (set LABS_PROFILE=fast for a quick run) | seed: {info.seed}",
    ]
    if not info.gpus:
        lines.append(COLAB_GPU_HINT if info.on_colab else "No GPU found: training runs on the CPU.")
    return "\n".join(lines)


def _plot_defaults() -> None:
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
