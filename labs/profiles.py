"""Run profiles: ``full`` uses the slides' settings, ``fast`` shrinks them for tests.

Every size a notebook uses (epochs, samples, seeds) is read from here, so that a notebook
never branches on the profile itself. Choose the profile with the environment variable
``LABS_PROFILE`` (``full`` by default) or pass the name to :func:`profile`. A grading run
(``LABS_GRADING=1``, set by ``python -m labs grade``) always uses ``fast``, so that training
cells stay short while submissions are graded.

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
GRADING_PROFILE = "fast"
_ON, _OFF = ("1", "true", "yes"), ("", "0", "false", "no")

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
    "bp_seed": (0, 0, "seed of the NumPy networks' first weights, sample order and data splits"),
    "bp_check_samples": (8, 8, "samples in the batch whose gradients are checked"),
    "bp_batch_size": (32, 32, "mini-batch size of the NumPy network"),
    "bp_speed_epochs": (10, 2, "epochs timed for per-sample vs mini-batch updating"),
    "cv_folds": (5, 5, "folds of the cross-validation (the slides ask for 5)"),
    "exam_samples": (400, 200, "students in the exam-scores set"),
    "exam_epochs": (300, 100, "epochs of the NumPy network on the exam scores"),
    "digits_samples": (1797, 500, "8x8 digit images used (1,797 = all)"),
    "digits_epochs": (60, 15, "epochs of the NumPy network on the digits"),
    "sweep_epochs": (30, 3, "epochs of each Keras configuration in the sweep"),
    "sweep_seeds": (3, 1, "seeds per Keras configuration in the sweep"),

    # 04-07 MNIST, loss, mini-batch, activation
    "mnist_n_train": (None, 3000, "training images for lab 04's network (None: all of them)"),
    "mnist_epochs": (20, 10, "epochs lab 04 trains the 784-500-500-10 network"),
    "claims_n_train": (5000, 1000, "training images for the multi-seed comparisons of labs 05-07"),
    "claims_epochs": (20, 20, "epochs each configuration of labs 05-07 is trained"),
    "claims_width": (500, 100, "units per hidden layer in labs 05-07 (the slides: 500)"),
    "claims_seeds": ((0, 1, 2), (0, 1), "seeds every configuration of labs 05-07 is trained on"),
    "batch_sweep_sizes": ((1, 10, 100, 1000), (1, 10, 100), "batch sizes lab 06 sweeps (the full batch is added)"),
    "batch_sweep_n_train": (5000, 1000, "training images for lab 06's batch-size sweep"),
    "batch_sweep_epochs": (3, 3, "epochs of each run in lab 06's batch-size sweep"),

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
    # 11 why deep
    "whydeep_n_train": (10000, 2000, "training images for deep-thin vs shallow-wide"),
    "whydeep_n_test": (5000, 500, "test images for deep-thin vs shallow-wide"),
    "whydeep_width": (128, 64, "width of the deep-thin networks"),
    "whydeep_depths": ((1, 2, 3, 4), (1, 3), "hidden layers of the deep-thin networks"),
    "whydeep_epochs": (10, 8, "epochs (batch 100) for deep-thin vs shallow-wide"),
    "whydeep_seeds": ((0, 1, 2), (0, 1), "seeds for deep-thin vs shallow-wide"),
    "sawtooth_depth": (6, 6, "deepest composition of the tent module"),

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

    # 13 convolutional networks
    "cnn_n_train": (10000, 1500, "training images for LeNet vs the MLP (the offline sample has 4,000)"),
    "cnn_n_test": (10000, 1000, "test images for LeNet vs the MLP and the shifted digits (the sample has 1,000)"),
    "cnn_epochs": (10, 5, "epochs (batch 100) of LeNet and of the MLP, the same for both"),
    "cnn_seeds": ((0, 1, 2), (0, 1), "seeds for LeNet vs the MLP"),
    "shift_pixels": ((1, 2, 3, 4), (1, 2, 3, 4), "pixels the test digits are moved by, one amount at a time"),
    # 14 recurrent networks
    "rnn_grad_steps": (100, 60, "sequence length for the per-step gradient norms"),
    "rnn_grad_batch": (64, 32, "sequences the per-step gradient norms are averaged over"),
    "adding_lengths": ((10, 25, 50, 100), (10, 50), "sequence lengths of the adding problem"),
    "adding_n_train": (2000, 2000, "training sequences of the adding problem, per length"),
    "adding_n_val": (1000, 500, "validation sequences of the adding problem, per length"),
    "adding_units": (16, 16, "units of the SimpleRNN, GRU and LSTM on the adding problem"),
    "adding_epochs": (40, 20, "epochs (batch 50, Adam 0.01) per run on the adding problem"),
    "adding_seeds": ((0, 1, 2), (0, 1), "seeds per cell and length on the adding problem"),
    # 15 generative models
    "gen_n_train": (10000, 1500, "MNIST training images for the GANs, VAEs and the VIB (the offline sample has 4,000)"),
    "gen_n_test": (1000, 500, "test images for the classifier, the VAEs' errors and the VIB's accuracy"),
    "gan_steps": (3000, 400, "updates of each player for the GAN and the conditional GAN (batch 64)"),
    "gan_d_alone_epochs": (3, 2, "epochs D trains alone against an untrained G before the gradients are measured"),
    "gen_classifier_epochs": (10, 5, "epochs (Adam, batch 100) of the MLP that judges the conditional GAN"),
    "kl_mc_samples": (400000, 100000, "samples of the Monte Carlo estimate of the KL"),
    "vae_epochs": (30, 10, "epochs (batch 100) of each VAE and beta-VAE"),
    "vae_betas": ((0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0), (0.25, 1.0, 4.0), "betas of the beta-VAE sweep"),
    "vib_epochs": (30, 6, "epochs (batch 100) of each VIB classifier"),
    "vib_betas": ((1e-4, 1e-3, 1e-2, 1e-1, 1.0), (1e-3, 1e-1, 1.0), "betas of the VIB sweep"),

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
        try:
            return self[key]
        except KeyError as error:  # hasattr() and getattr(P, name, default) expect AttributeError
            raise AttributeError(error.args[0]) from None

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


def grading_run() -> bool:
    """True while the grader runs a notebook: ``LABS_GRADING`` is ``1`` (or ``true``, ``yes``)."""
    raw = os.environ.get("LABS_GRADING", "").strip().lower()
    if raw not in _ON + _OFF:
        raise ValueError(f"LABS_GRADING must be 1 (a grading run) or 0; got {raw!r}.")
    return raw in _ON


def profile_name() -> str:
    """The active profile's name: ``fast`` in a grading run, else ``LABS_PROFILE`` (default ``full``)."""
    if grading_run():
        return GRADING_PROFILE
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
