"""labs.deep_training: deck 003's network and lab 12's claims table."""

import numpy as np
import pandas as pd
import pytest

from labs import deep_training


def test_deck003_network_draws_every_parameter_from_zero_to_one():
    net = deep_training.deck003_network(7, inputs=5, outputs=3)
    assert [layer.units for layer in net.layers] == [7, 3]
    values = np.concatenate([w.ravel() for w in net.get_weights()])
    assert values.size == 5 * 7 + 7 + 7 * 3 + 3
    assert values.min() >= 0.0 and values.max() <= 1.0


def test_deck003_network_xavier_start_has_zero_biases():
    net = deep_training.deck003_network(7, inputs=5, outputs=3, start="xavier")
    assert not np.any(net.layers[0].bias.numpy()) and net.layers[0].kernel.numpy().min() < 0


def test_deck003_network_rejects_unknown_starts():
    with pytest.raises(ValueError, match="start"):
        deep_training.deck003_network(7, start="he")


def _results(finals, metric="accuracy"):
    """A compare()-like table: two epochs per configuration, the last holding ``finals``."""
    rows = [{"config": name, "seed": 0, "epoch": epoch, metric: value if epoch == 2 else 0.0, "seconds": 1.0}
            for name, value in finals.items() for epoch in (1, 2)]
    return pd.DataFrame(rows)


def _stats(first_gradient):
    return pd.DataFrame({"grad_norm": [first_gradient, 1.0]})


def test_claims_table_scores_each_claim_from_the_results():
    init = _results({"sigmoid uniform(0,1)": 0.1, "relu uniform(0,1)": 0.1, "relu he": 0.9, "relu xavier": 0.8,
                     "relu gaussian 0.01": 0.1})
    loss = _results({"constant 0.1": 0.5, "constant 1.0": np.nan, "cosine decay from 1.0": 0.4}, "loss")
    overfit = _results({"neither": 0.85, "BN": 0.86, "dropout 0.5": 0.88, "BN + dropout 0.5": 0.89}, "val_accuracy")
    table = deep_training.claims_table(
        init=init, deck003=_results({"uniform(0,1)": 0.1, "xavier": 0.9}), deck003_hidden=64,
        init_stats={("relu", "uniform(0,1)"): _stats(1e12), ("relu", "he"): _stats(1.0)},
        inputs=_results({"raw pixels 0..255": 0.6, "divided by 255": 0.2, "standardised": 0.3}),
        zigzag={"all-positive inputs": {"updates moving both weights the same way": 1.0},
                "centred inputs": {"updates moving both weights the same way": 0.5}},
        schedules=loss, bn=_results({"BN before activation": 0.8, "BN after activation": 0.9}),
        overfit=overfit, depth=_results({"plain 2": 0.9, "plain 20": 0.3, "residual 2": 0.9, "residual 20": 0.85}))
    held = dict(zip(table["claim"], table["held"]))
    assert list(table.columns) == ["deck", "claim", "measured in this run", "held"]
    assert held["BP: initialise all parameters within (0, 1), on the deck's one hidden layer"] is False
    assert held["ReLU avoids exploding gradients"] is False
    assert held["initial weights by MSRA (He) or Xavier"] is True
    assert held["inputs: zero mean, unit variance (vs raw 0..255)"] is False
    assert held["lower the learning rate over time (vs the best constant rate)"] is True  # NaN counts as worst
    assert held["BN before the activation (advised) works at least as well as after"] is False
    assert held["BN works as well as or better than dropout (validation accuracy)"] is False   # 0.86 < 0.88 − 0.01
    assert held["with BN, dropout is not needed (validation accuracy)"] is False   # dropout adds 3 points
    assert held["residual connections avoid degradation"] is False                  # loses 5 points
    assert len(table) == 13
