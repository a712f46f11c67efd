"""Self-checks of lab 06 (mini-batches)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labs.checks._common import _call, _expected, _passed


def _updates_per_epoch_cases() -> list[tuple[int, int]]:
    """(examples, batch size) pairs: exact multiples, one batch, a last smaller batch, batch > n."""
    return [(4000, 100), (4000, 4000), (1000, 300), (10, 1), (5, 10), (60000, 128)]


def _minibatch_indices_cases() -> list[tuple[int, int]]:
    """(examples, batch size) pairs, each split with ``np.random.default_rng(0)``."""
    return [(50, 8), (40, 10), (7, 7)]


def check_updates_per_epoch(updates_per_epoch: Callable) -> None:
    """Exercise: ``updates_per_epoch(n, batch_size)``: how many updates one epoch makes."""
    for case, (n, batch) in enumerate(_updates_per_epoch_cases()):
        want = int(_expected(f"lab06.updates_per_epoch.case{case}"))
        got = _call(updates_per_epoch, "updates_per_epoch", n, batch)
        if got is None:
            raise AssertionError("updates_per_epoch returned None: did you forget a `return`?")
        if got != want:
            hint = " The last, smaller batch is an update too: round up, not down." if got == n // batch else ""
            raise AssertionError(f"updates_per_epoch({n}, {batch}) gave {got}; expected {want}.{hint}")
    _passed("updates per epoch = ⌈n / batch size⌉, the last batch included.")


def check_minibatch_indices(minibatch_indices: Callable) -> None:
    """Exercise: ``minibatch_indices(n, batch_size, rng)``: shuffled index batches covering 0..n−1."""
    for case, (n, batch) in enumerate(_minibatch_indices_cases()):
        batches = _call(minibatch_indices, "minibatch_indices", n, batch, np.random.default_rng(0))
        if batches is None:
            raise AssertionError("minibatch_indices returned None: did you forget a `return`?")
        batches = [np.asarray(b) for b in batches]
        want = int(_expected(f"lab06.minibatch_indices.case{case}.batches"))
        if len(batches) != want:
            raise AssertionError(f"n={n}, batch_size={batch} should give {want} batches; got {len(batches)}.")
        sizes = [len(b) for b in batches]
        if any(s != batch for s in sizes[:-1]) or not 0 < sizes[-1] <= batch:
            raise AssertionError(f"batch sizes are {sizes}: every batch but the last must hold {batch} samples.")
        joined = np.concatenate(batches)
        if sorted(joined.tolist()) != list(range(n)):
            missing = sorted(set(range(n)) - set(joined.tolist()))
            raise AssertionError(f"one epoch must use every sample exactly once; missing {missing[:5]} "
                                 "or some index repeats.")
        if n > batch and np.array_equal(joined, np.arange(n)):
            raise AssertionError("the samples come in their original order: shuffle them first, with rng.permutation(n).")
    _passed("every sample once per epoch, in shuffled batches of the right size.")

