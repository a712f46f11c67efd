"""The one call every notebook starts with: seeds, determinism, and a report of the machine."""

from __future__ import annotations

import os
import platform
import random
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from labs.i18n import N_, _, check_language, set_language
from labs.profiles import grading_run, profile_name
from labs.validation import check_int

DEFAULT_SEED = 0
COLAB_GPU_HINT = N_(
    "No GPU found. On Colab choose Runtime > Change runtime type > Hardware accelerator: "
    "GPU (T4 is enough), then Runtime > Restart session and run the notebook again. "
    "Everything still runs on the CPU, only slower."
)


class LabsVersionWarning(UserWarning):
    """The installed ``labs`` is older than the notebook expects."""


@dataclass(frozen=True)
class SetupInfo:
    """What :func:`setup` found and set."""

    seed: int
    profile: str
    on_colab: bool
    gpus: tuple[str, ...]
    tensorflow: str
    keras: str
    cpu_cores: int = 0

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
        raise ValueError(_("LABS_SEED must be a whole number >= 0; got {raw!r}.").format(raw=raw)) from None


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow/Keras from one value."""
    seed = check_int("seed", seed, minimum=0)
    import keras

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # also seeds Python, NumPy and the TF backend


def check_labs_version(requires: str, installed: str | None = None) -> bool:
    """Warn (:class:`LabsVersionWarning`) and return False when labs ``installed`` (default:
    this one) is older than ``requires``, the version a notebook was written for."""
    from packaging.version import InvalidVersion, Version

    from labs import __version__

    installed = installed or __version__
    try:
        wanted = Version(requires)
    except (InvalidVersion, TypeError):
        raise ValueError(_("requires must be a version such as '0.2.0'; got {requires!r}.").format(
            requires=requires)) from None
    if Version(installed) >= wanted:
        return True
    warnings.warn(
        _("This notebook expects labs {requires} or newer, but labs {installed} is installed, so some "
          "helpers may be missing or behave differently. To update: on Colab choose Runtime > "
          "Disconnect and delete runtime, then run the notebook again (a fresh runtime installs the "
          "current labs); in a copy of the course, `git pull` (and `pip install -e .` if labs was "
          "installed without -e).").format(requires=requires, installed=installed),
        LabsVersionWarning,
        stacklevel=3,
    )
    return False


_LAST_SETUP: list[SetupInfo] = []


def setup(
    seed: int | None = None, *, requires: str | None = None, lang: str | None = None, verbose: bool = True
) -> None:
    """Seed everything, make TensorFlow deterministic, set plot defaults and report the machine.

    ``seed`` defaults to ``LABS_SEED`` (or 0). ``requires`` is the labs version the notebook
    was written for: an older installed labs gets a warning. ``lang`` (``"en"`` or ``"zh"``)
    is the language of every message from now on; by default ``LABS_LANG`` decides (English
    when unset), so an instructor's ``LABS_LANG`` wins over nothing but a notebook's own choice.
    Returns nothing, so a notebook's first cell shows the printed report alone;
    :func:`setup_info` gives what it found.
    """
    if lang is not None:
        set_language(check_language(lang, "lang"))
    if requires is not None:
        check_labs_version(requires)
    seed = default_seed() if seed is None else check_int("seed", seed, minimum=0)
    active_profile = profile_name()
    with native_stderr_silenced():
        import keras
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")  # no retracing notes when a lab builds many small models
        seed_everything(seed)
        tf.config.experimental.enable_op_determinism()
        gpus = gpu_names()
    _plot_defaults()
    if grading_run():
        warnings.showwarning = _warning_to_stdout
    info = SetupInfo(
        seed=seed,
        profile=active_profile,
        on_colab=on_colab(),
        gpus=gpus,
        tensorflow=tf.__version__,
        keras=keras.__version__,
        cpu_cores=cpu_cores(),
    )
    _LAST_SETUP[:] = [info]
    if verbose:
        print(report(info))


def setup_info() -> SetupInfo:
    """What the last :func:`setup` call found and set (seed, profile, device, versions)."""
    if not _LAST_SETUP:
        raise RuntimeError(_("labs.setup() has not run in this process yet: call it first."))
    return _LAST_SETUP[0]


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send what C++ libraries write to file descriptor 2 to the null device for a while.

    TensorFlow's start-up lines (absl's "All log messages before absl::InitializeLog()",
    CUDA probing) bypass ``TF_CPP_MIN_LOG_LEVEL`` and reach a notebook as red stderr text,
    which graders score as a failure. Python's own ``sys.stderr`` is left alone, so errors
    and warnings raised from Python still show. Nothing is silenced when
    ``TF_CPP_MIN_LOG_LEVEL`` is set below 3 (someone asked for TensorFlow's logs).
    """
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3") != "3":
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no file descriptor 2 (embedded interpreters)
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def _warning_to_stdout(message, category, filename, lineno, file=None, line=None) -> None:
    """In a grading run, print warnings on stdout: a warning must not zero a correct answer."""
    print(warnings.formatwarning(message, category, filename, lineno, line), end="", file=sys.stdout)


def gpu_names() -> tuple[str, ...]:
    """The GPUs TensorFlow sees, by model name (e.g. ``"Tesla T4"``) where it reports one."""
    import tensorflow as tf

    names = []
    for device in tf.config.list_physical_devices("GPU"):
        try:
            details = tf.config.experimental.get_device_details(device)
        except (ValueError, RuntimeError):
            details = {}
        names.append(details.get("device_name", device.name))
    return tuple(names)


def cpu_cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def report(info: SetupInfo) -> str:
    """The text :func:`setup` prints: versions, device, Colab, profile and seed."""
    from labs import __version__

    lines = [
        f"Python {platform.python_version()} | TensorFlow {info.tensorflow} | "
        f"Keras {info.keras} | NumPy {np.__version__} | labs {__version__}",
        _("Device: {device}{detail}").format(device=info.device, detail=_device_detail(info)),
        _("Running on Colab: {answer}").format(answer=_("yes") if info.on_colab else _("no")),
        _("Profile: {profile} ({hint}) | seed: {seed}").format(
            profile=info.profile, hint=_profile_hint(info.profile), seed=info.seed),
    ]
    if not info.gpus:
        lines.append(_(COLAB_GPU_HINT) if info.on_colab else _("No GPU found: training runs on the CPU."))
    return "\n".join(lines)


def _profile_hint(active: str) -> str:
    """How to get the other profile than the one running."""
    if grading_run():
        return _("LABS_GRADING is set: a grading run, always fast")
    if active == "fast":
        return _("unset LABS_PROFILE (or set LABS_PROFILE=full) for the slides' full settings")
    return _("set LABS_PROFILE=fast for a quick run")


def _device_detail(info: SetupInfo) -> str:
    if info.gpus:
        return f" ({', '.join(info.gpus)})"
    return _(" ({cores} cores)").format(cores=info.cpu_cores) if info.cpu_cores else ""


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
