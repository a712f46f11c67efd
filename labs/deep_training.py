"""Lab 12's helpers: deck 003's one-hidden-layer network with its (0, 1) start, and the table
that sets each deck's claim about training deep networks beside what a run measured.

The table reads the result tables of lab 12's sections (from :func:`labs.training.compare` and
:func:`labs.diagnostics.layer_statistics`) under the configuration names the notebook gives them;
:func:`claims_table` lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from labs.validation import check_choice, check_int

DECK003_STARTS = ("uniform(0,1)", "xavier")
AS_GOOD_AS = 0.01  # "as good as" in the claims: within one point of accuracy


def deck003_network(hidden: int, *, inputs: int = 784, outputs: int = 10, start: str = "uniform(0,1)") -> Any:
    """Deck 003's three-layer network, inputs-``hidden``-outputs, sigmoid hidden units and a
    softmax output. ``start="uniform(0,1)"`` draws every parameter, weights and biases, from
    U(0, 1) as the deck's BP algorithm says (step 1); ``"xavier"`` uses Glorot-uniform weights
    and zero biases (Keras' default) for comparison."""
    import keras

    hidden = check_int("hidden", hidden, minimum=1)
    start = check_choice("start", start, DECK003_STARTS)
    if start == "uniform(0,1)":
        weights = dict(kernel_initializer=keras.initializers.RandomUniform(0.0, 1.0),
                       bias_initializer=keras.initializers.RandomUniform(0.0, 1.0))
    else:
        weights = dict(kernel_initializer="glorot_uniform", bias_initializer="zeros")
    return keras.Sequential([
        keras.Input(shape=(check_int("inputs", inputs, minimum=1),)),
        keras.layers.Dense(hidden, activation="sigmoid", name="hidden1", **weights),
        keras.layers.Dense(check_int("outputs", outputs, minimum=1), activation="softmax", name="output", **weights),
    ], name=f"deck003_{start.replace('(', '').replace(')', '').replace(',', '_')}")


def final_value(results: Any, config: str, metric: str = "accuracy") -> float:
    """Mean over seeds at the last epoch; a run that blew up (NaN) counts as infinitely bad."""
    from labs.training import mean_final

    value = mean_final(results, config, metric)
    return value if np.isfinite(value) else (np.inf if "loss" in metric else 0.0)


def _initialisation(init: Any, deck003: Any, hidden: int, stats: Mapping[tuple[str, str], Any]) -> list[tuple]:
    acc = {name: final_value(init, name) for name in dict.fromkeys(init["config"])}
    one = {name: final_value(deck003, name) for name in DECK003_STARTS}
    grad_ratio = stats[("relu", "uniform(0,1)")]["grad_norm"].iloc[0] / stats[("relu", "he")]["grad_norm"].iloc[0]
    return [
        ("003", "BP: initialise all parameters within (0, 1), on the deck's one hidden layer",
         f"784-{hidden}-10 sigmoid: U(0,1) {one['uniform(0,1)']:.3f}, Xavier {one['xavier']:.3f}",
         one["uniform(0,1)"] >= one["xavier"] - AS_GOOD_AS),
        ("003", "BP: initialise all parameters within (0, 1), at depth 9",
         f"9 hidden layers, weights U(0,1): sigmoid {acc['sigmoid uniform(0,1)']:.3f}, "
         f"ReLU {acc['relu uniform(0,1)']:.3f}",
         max(acc["sigmoid uniform(0,1)"], acc["relu uniform(0,1)"]) > 0.5),
        ("001", "initial weights by MSRA (He) or Xavier",
         f"9 ReLU layers: He {acc['relu he']:.3f}, Xavier {acc['relu xavier']:.3f}, "
         f"N(0, 0.01²) {acc['relu gaussian 0.01']:.3f}",
         min(acc["relu he"], acc["relu xavier"]) > acc["relu gaussian 0.01"] + 0.05),
        ("000, 001", "ReLU avoids exploding gradients",
         f"9 ReLU layers, U(0,1) start: layer-1 gradient norm {grad_ratio:.2g} × He's",
         bool(np.isfinite(grad_ratio) and grad_ratio < 100)),
    ]


def _inputs(inputs: Any, zigzag: Mapping[str, Mapping[str, float]]) -> list[tuple]:
    acc = {name: final_value(inputs, name) for name in dict.fromkeys(inputs["config"])}
    same_way = "updates moving both weights the same way"
    return [
        ("001", "inputs: zero mean, unit variance (vs /255)",
         f"standardised {acc['standardised']:.3f}, /255 {acc['divided by 255']:.3f}",
         acc["standardised"] > acc["divided by 255"]),
        ("001", "inputs: zero mean, unit variance (vs raw 0..255)",
         f"standardised {acc['standardised']:.3f}, raw {acc['raw pixels 0..255']:.3f}",
         acc["standardised"] > acc["raw pixels 0..255"]),
        ("002", "all-positive inputs: every update has one sign (zig-zag)",
         f"same-sign updates: positive {zigzag['all-positive inputs'][same_way]:.2f}, "
         f"centred {zigzag['centred inputs'][same_way]:.2f}",
         zigzag["all-positive inputs"][same_way] == 1.0),
    ]


def _schedules(schedules: Any) -> list[tuple]:
    loss = {name: final_value(schedules, name, "loss") for name in dict.fromkeys(schedules["config"])}
    constants = [n for n in loss if n.startswith("constant")]
    decays = [n for n in loss if "decay" in n]
    return [("001", "lower the learning rate over time (vs the best constant rate)",
             "final training loss: " + ", ".join(f"{n} {v:.3g}" for n, v in loss.items()),
             min(loss[n] for n in decays) < min(loss[n] for n in constants))]


def _batch_norm(bn: Any, overfit: Any) -> list[tuple]:
    train = {name: final_value(bn, name) for name in dict.fromkeys(bn["config"])}
    val = {name: final_value(overfit, name, "val_accuracy") for name in dict.fromkeys(overfit["config"])}
    return [
        ("002", "BN before the activation (advised) works at least as well as after",
         f"9 sigmoid layers: before {train['BN before activation']:.3f}, after {train['BN after activation']:.3f}",
         train["BN before activation"] >= train["BN after activation"] - AS_GOOD_AS),
        ("002", "BN works as well as or better than dropout (validation accuracy)",
         f"lab 09's over-fitting net: BN {val['BN']:.3f}, dropout {val['dropout 0.5']:.3f}, "
         f"neither {val['neither']:.3f}",
         val["BN"] >= val["dropout 0.5"] - AS_GOOD_AS),
        ("002", "with BN, dropout is not needed (validation accuracy)",
         f"lab 09's over-fitting net: BN {val['BN']:.3f}, BN + dropout {val['BN + dropout 0.5']:.3f}",
         val["BN + dropout 0.5"] <= val["BN"] + AS_GOOD_AS),
    ]


def _depth(depth: Any) -> list[tuple]:
    acc = {name: final_value(depth, name) for name in dict.fromkeys(depth["config"])}
    layers = sorted({int(name.split()[-1]) for name in acc})
    shallow, deep = layers[0], layers[-1]
    return [
        ("002", "degradation: a deeper plain net has a higher training error",
         f"plain {shallow} layers {acc[f'plain {shallow}']:.3f}, {deep} layers {acc[f'plain {deep}']:.3f}",
         acc[f"plain {shallow}"] - acc[f"plain {deep}"] > AS_GOOD_AS),
        ("002", "residual connections avoid degradation",
         f"residual {shallow} layers {acc[f'residual {shallow}']:.3f}, {deep} layers {acc[f'residual {deep}']:.3f}",
         acc[f"residual {shallow}"] - acc[f"residual {deep}"] <= AS_GOOD_AS),
    ]


def claims_table(*, init: Any, deck003: Any, deck003_hidden: int, init_stats: Mapping[tuple[str, str], Any], inputs: Any,
                 zigzag: Mapping[str, Mapping[str, float]], schedules: Any, bn: Any, overfit: Any,
                 depth: Any) -> Any:
    """The decks' claims beside this run's numbers: columns ``deck, claim, measured in this run,
    held`` (a bool). Training accuracy at the last epoch unless a claim names another number.

    The arguments are lab 12's results, under the notebook's configuration names: ``init``
    ("<activation> <start>", e.g. "relu he"), ``deck003`` (:data:`DECK003_STARTS`, on a network
    with ``deck003_hidden`` hidden units), ``init_stats``
    ({(activation, start): layer_statistics table}), ``inputs`` ("raw pixels 0..255", "divided by
    255", "standardised"), ``zigzag`` ({"all-positive inputs" / "centred inputs": measures}),
    ``schedules`` ("constant …", "… decay …"), ``bn`` ("BN before activation", "BN after
    activation"), ``overfit`` ("neither", "BN", "dropout 0.5", "BN + dropout 0.5") and ``depth``
    ("plain <layers>", "residual <layers>").
    """
    import pandas as pd

    rows = (_initialisation(init, deck003, deck003_hidden, init_stats) + _inputs(inputs, zigzag) + _schedules(schedules)
            + _batch_norm(bn, overfit) + _depth(depth))
    table = pd.DataFrame(rows, columns=["deck", "claim", "measured in this run", "held"])
    table["held"] = table["held"].astype(bool)
    return table
