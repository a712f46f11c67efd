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

    # 12 deep training
    "deep_n_train": (10000, 1000, "MNIST training images in lab 12 (the offline sample has 4,000)"),
    "deep_n_val": (2000, 500, "validation images in lab 12, from MNIST's test part"),
    "deep_width": (256, 64, "units per hidden layer of lab 12's 9-layer networks"),
    "deep_epochs": (10, 3, "epochs per run in lab 12 (initialisation, inputs, batch norm, depth)"),
    "deep_stats_batch": (1000, 256, "images for the per-layer statistics at initialisation"),
    "schedule_epochs": (20, 4, "epochs of the learning-rate schedule comparison"),
    "bn_seeds": (3, 2, "seeds for the batch-norm / dropout comparison"),
    "residual_depths": ((2, 10, 20, 30), (2, 20), "hidden layers of the plain and residual nets compared"),
    "residual_width": (64, 32, "units per hidden layer of the plain and residual nets"),

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
