"""Lab 06's claims: batch 100 beats the full batch; small batches cost time, large ones accuracy."""

import math

import pytest

from labs.claims import MARGIN

pytestmark = pytest.mark.notebook


def test_batch_100_beats_full_batch_on_every_seed(executed):
    _, r = executed("06_minibatch")
    assert r["claim_batch_holds"] is True
    assert r["claim_batch_lead"] >= MARGIN
    assert r["minibatch_batch100_accuracy"] - r["minibatch_full_batch_accuracy"] >= MARGIN


def test_updates_per_epoch(executed):
    _, r = executed("06_minibatch")
    updates = r["minibatch_updates_per_epoch"]
    assert updates["full batch"] == 1 and updates["batch 100"] > 1


def _sweep(r):
    table = r["sweep_table"]
    return dict(zip(table["batch size"], zip(table[next(k for k in table if k.startswith("accuracy"))],
                                              table["seconds per epoch"], table["updates per epoch"])))


def test_sweep_counts_updates(executed):
    _, r = executed("06_minibatch")
    sweep = _sweep(r)
    n = max(sweep)  # the full batch
    for batch, (_, _, updates) in sweep.items():
        assert updates == math.ceil(n / batch)


def test_batch_1_is_much_slower_per_epoch(executed):
    _, r = executed("06_minibatch")
    assert r["sweep_epoch_time_ratio_1_to_100"] > 3  # "by far the longest", "falls steeply"
    sweep = _sweep(r)
    assert sweep[1][1] == max(seconds for _, seconds, _ in sweep.values())


def test_accuracy_after_fixed_epochs_falls_as_batches_grow(executed):
    _, r = executed("06_minibatch")
    accuracy = [acc for _, (acc, _, _) in sorted(_sweep(r).items())]
    assert all(a > b for a, b in zip(accuracy, accuracy[1:])), accuracy
