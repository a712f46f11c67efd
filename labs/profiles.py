"""Run profiles: ``full`` uses the slides' settings, ``fast`` shrinks them for tests.

Every size a notebook uses (epochs, samples, seeds) is read from here, so that a notebook
never branches on the profile itself. Choose the profile with the environment variable
``LABS_PROFILE`` (``full`` by default) or pass the name to :func:`profile`.

Each setting lists its ``full`` value first, then its ``fast`` value, side by side, so the
difference between the two profiles is visible in one place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from labs.validation import check_choice

PROFILES = ("full", "fast")
DEFAULT_PROFILE = "full"

# name: (full, fast, what it is for)
_SETTINGS: dict[str, tuple[Any, Any, str]] = {
    # 01 perceptron
    "perceptron_max_epochs": (100, 100, "epochs the perceptron rule may use on AND"),
    "delta_rule_epochs": (200, 60, "epochs of delta-rule training for one unit"),
    # 02 xor
    "xor_perceptron_epochs": (100, 30, "epochs the perceptron tries XOR before we stop it"),
    "xor_mlp_epochs": (40, 15, "epochs (of 50 full-batch updates) for the 2-2-1 network on XOR"),
    "xor_mlp_restarts": (5, 3, "random starts (seeds) tried for the 2-2-1 network"),
    # 03 backprop

    # 04-07 MNIST, loss, mini-batch, activation

    # 08-11 optimizers, dropout, autoencoders, why deep
    "opt_toy_steps": (40, 40, "steps each optimizer takes on the 2-D toy loss"),
    "opt_slope_steps": (150, 150, "steps on the 1-D loss with a shallow local minimum"),
    "opt_train": (10000, 1000, "MNIST training images for the learning-rate and optimizer runs"),
    "opt_val": (2000, 500, "held-out images whose accuracy the optimizer runs report"),
    "opt_lr_epochs": (10, 8, "epochs per learning rate in the MNIST learning-rate sweep"),
    "opt_epochs": (20, 5, "epochs per optimizer in the MNIST comparison"),
    "opt_seeds": (3, 2, "seeds (random starts) per optimizer in the MNIST comparison"),
    "reg_train": (1000, 400, "training images for the overfitting, weight-decay and dropout runs"),
    "reg_val": (5000, 500, "validation images held out of the training part (at most a quarter of it)"),
    "reg_epochs": (50, 12, "epochs of the overfitting, weight-decay and dropout runs"),
    "reg_seeds": (3, 2, "seeds per configuration in the regularisation runs"),
    "reg_patience": (5, 3, "epochs without a lower validation loss before early stopping"),
    "dropout_masks": (20000, 20000, "sampled masks in the check that hand and Keras dropout agree in expectation"),
    "ensemble_members": (100, 30, "sub-networks averaged in the dropout-as-ensemble comparison"),
    "best_train": (60000, 1500, "training images (at most) for the best 784-500-500-10"),
    "best_epochs": (40, 8, "epochs (at most, early stopping decides) for the best 784-500-500-10"),

    # 12 deep training

    # grading

}


@dataclass(frozen=True)
class Profile:
    """The sizes one run of the course uses; read a setting as ``P.name`` or ``P["name"]``."""

    name: str
    settings: MappingProxyType

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        return self[key]

    def __getitem__(self, key: str) -> Any:
        try:
            return self.settings[key]
        except KeyError:
            known = ", ".join(sorted(self.settings))
            raise KeyError(f"No profile setting {key!r}. Known settings: {known}.") from None

    def describe(self) -> str:
        """One line per setting: name, value in this profile, and what it is for."""
        width = max(len(k) for k in _SETTINGS)
        lines = [f"profile {self.name!r}"]
        for key, (_, _, doc) in _SETTINGS.items():
            lines.append(f"  {key:<{width}}  {self.settings[key]!s:>8}  {doc}")
        return "\n".join(lines)


def profile_name() -> str:
    """The active profile's name, from ``LABS_PROFILE`` (default ``full``)."""
    name = os.environ.get("LABS_PROFILE", DEFAULT_PROFILE).strip().lower() or DEFAULT_PROFILE
    if name not in PROFILES:
        raise ValueError(
            f"LABS_PROFILE must be one of {', '.join(PROFILES)}; got {name!r}. "
            "Unset it for the full course or set LABS_PROFILE=fast for a quick run."
        )
    return name


def profile(name: str | None = None) -> Profile:
    """Return the settings of profile ``name`` (default: the active one)."""
    name = profile_name() if name is None else check_choice("name", name, PROFILES)
    column = PROFILES.index(name)
    values = {key: entry[column] for key, entry in _SETTINGS.items()}
    return Profile(name=name, settings=MappingProxyType(values))
