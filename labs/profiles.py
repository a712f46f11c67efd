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
    # 10 autoencoders
    "ae_n_train": (5000, 1000, "training images (all digits, labels unused) for the autoencoders"),
    "ae_n_test": (1000, 500, "test images for reconstruction errors and test accuracies"),
    "ae_code": (32, 32, "code size of the first autoencoder"),
    "ae_epochs": (15, 8, "epochs (batch 20) for the one-layer autoencoders on all digits"),
    "ae_n_threes": (500, 400, "images of the digit 3 for autoencoder vs PCA"),
    "ae_code_sizes": ((2, 4, 8, 16, 32), (4,), "code sizes swept for autoencoder vs PCA on the 3s"),
    "ae_threes_epochs": (30, 8, "epochs (batch 20) for the autoencoders on the 3s"),
    "ae_deep_layers": ("784-512-256-128-30", "784-128-30", "deep autoencoder, input to code"),
    "ae_deep_epochs": (20, 2, "epochs (batch 20) for the deep autoencoder"),
    "pretrain_layers": ("784-500-500", "784-256-256", "hidden layers pre-trained one at a time"),
    "pretrain_epochs": (5, 4, "epochs (batch 20) per layer of unsupervised pre-training"),
    "pretrain_labels": ((100, 300, 1000), (100,), "labelled images for fine-tuning"),
    "finetune_epochs": (15, 8, "epochs (batch 20) of supervised fine-tuning"),
    "pretrain_seeds": ((0, 1, 2), (0,), "seeds for pre-trained vs random initialisation"),
    "vae_epochs": (15, 5, "epochs (batch 20) for the variational autoencoder"),
    # 11 why deep
    "deep_n_train": (10000, 2000, "training images for deep-thin vs shallow-wide"),
    "deep_n_test": (5000, 500, "test images for deep-thin vs shallow-wide"),
    "deep_width": (128, 64, "width of the deep-thin networks"),
    "deep_depths": ((1, 2, 3, 4), (1, 3), "hidden layers of the deep-thin networks"),
    "deep_epochs": (10, 8, "epochs (batch 100) for deep-thin vs shallow-wide"),
    "deep_seeds": ((0, 1, 2), (0, 1), "seeds for deep-thin vs shallow-wide"),
    "sawtooth_depth": (6, 6, "deepest composition of the tent module"),

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
