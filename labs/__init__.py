"""Helpers for the deep-learning labs: set-up, data, single units, plots and self-checks.

Every notebook starts with ``import labs; labs.setup()``.
"""

import os as _os

# Quiet TensorFlow's C++ start-up chatter before TensorFlow is first imported.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.2.0"

from labs import (  # noqa: E402
    autoencoders,
    checks,
    claims,
    cnn,
    colab,
    diagnostics,
    generative,
    models,
    neurons,
    plots,
    probes,
    rnn,
    training,
)
from labs.data import load_mnist, load_mnist_sample, mnist_for_mlp, toy_2d, truth_table  # noqa: E402
from labs.environment import on_colab, setup, setup_info  # noqa: E402
from labs.listing import show_source  # noqa: E402
from labs.profiles import profile  # noqa: E402
from labs.results import record  # noqa: E402
from labs.tables import show  # noqa: E402

__all__ = [
    "__version__",
    "autoencoders",
    "checks",
    "claims",
    "cnn",
    "colab",
    "diagnostics",
    "generative",
    "neurons",
    "plots",
    "probes",
    "load_mnist",
    "load_mnist_sample",
    "mnist_for_mlp",
    "models",
    "on_colab",
    "profile",
    "record",
    "rnn",
    "setup",
    "setup_info",
    "show",
    "show_source",
    "toy_2d",
    "training",
    "truth_table",
]
