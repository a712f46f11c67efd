"""Self-checks of lab 06 (mini-batches)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labs.checks._common import _call, _expected, _passed
from labs.i18n import _


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
            raise AssertionError(_("{name} returned None: did you forget a `return`?").format(name="updates_per_epoch"))
        if got != want:
            message = (_("updates_per_epoch({n}, {batch}) gave {got}; expected {want}. The last, smaller batch is "
                         "an update too: round up, not down.") if got == n // batch
                       else _("updates_per_epoch({n}, {batch}) gave {got}; expected {want}."))
            raise AssertionError(message.format(n=n, batch=batch, got=got, want=want))
    _passed(_("updates per epoch = ⌈n / batch size⌉, the last batch included."))


def _check_uses_rng(minibatch_indices: Callable) -> None:
    """The shuffle must come from the generator passed in: the same state, the same batches."""
    def order(seed: int) -> np.ndarray:
        batches = _call(minibatch_indices, "minibatch_indices", 40, 10, np.random.default_rng(seed))
        return np.concatenate([np.asarray(b).ravel() for b in batches])

    first, again, other = order(5), order(5), order(6)
    if not np.array_equal(first, again):
        raise AssertionError(_("two generators in the same state gave different batches: shuffle with the `rng` "
                               "you are given (rng.permutation(n)), not with np.random, whose state is global."))
    if np.array_equal(first, other):
        raise AssertionError(_("generators in different states gave the same batches: the order must come from "
                               "the `rng` argument (rng.permutation(n)), not from a generator of your own."))


def check_minibatch_indices(minibatch_indices: Callable) -> None:
    """Exercise: ``minibatch_indices(n, batch_size, rng)``: shuffled index batches covering 0..n−1."""
    for case, (n, batch) in enumerate(_minibatch_indices_cases()):
        batches = _call(minibatch_indices, "minibatch_indices", n, batch, np.random.default_rng(0))
        if batches is None:
            raise AssertionError(_("{name} returned None: did you forget a `return`?").format(name="minibatch_indices"))
        batches = [np.asarray(b) for b in batches]
        want = int(_expected(f"lab06.minibatch_indices.case{case}.batches"))
        if len(batches) != want:
            raise AssertionError(_("n={n}, batch_size={batch} should give {want} batches; got {got}.").format(
                n=n, batch=batch, want=want, got=len(batches)))
        sizes = [len(b) for b in batches]
        if any(s != batch for s in sizes[:-1]) or not 0 < sizes[-1] <= batch:
            raise AssertionError(_("batch sizes are {sizes}: every batch but the last must hold {batch} samples.").format(
                sizes=sizes, batch=batch))
        joined = np.concatenate(batches)
        if sorted(joined.tolist()) != list(range(n)):
            missing = sorted(set(range(n)) - set(joined.tolist()))
            raise AssertionError(_("one epoch must use every sample exactly once; missing {missing} "
                                   "or some index repeats.").format(missing=missing[:5]))
        if n > batch and np.array_equal(joined, np.arange(n)):
            raise AssertionError(_("the samples come in their original order: shuffle them first, with "
                                   "rng.permutation(n)."))
    _check_uses_rng(minibatch_indices)
    _passed(_("every sample once per epoch, in shuffled batches of the right size."))



BUDGET_CASE = (1_000, 5, 500)
"""(examples, epochs, updates allowed) of the measured case: the fast profile's 1,000 images."""
BUDGET_WIDTH = 100
BUDGET_THRESHOLD = 0.65
"""Training accuracy (``model.evaluate``) the measured case must reach: batch 10 reaches 0.73..0.81 on
seeds 0..3, batch 20 (half the budget's updates) 0.44..0.60."""
BUDGET_HIDDEN_THRESHOLD = 0.55
"""What the grader's drawn budgets (800..1,000 images, 4..5 epochs, 550..650 updates) need: the best batch
reached 0.60..0.77 on such draws, a batch of 100 about 0.15."""


def _budget_used(batch_size: int, n: int, epochs: int) -> int:
    return -(-n // batch_size) * epochs


def measure_budget_run(batch_size: int, n: int, epochs: int, *, seed: int = 0) -> float:
    """Training accuracy (``model.evaluate`` on the ``n`` training images) of the 784-100-100-10 sigmoid
    network, cross-entropy, SGD 0.1, trained for ``epochs`` epochs in batches of ``batch_size`` on the
    first ``n`` MNIST images from the starting weights of ``seed``."""
    import keras

    from labs.data import mnist_for_mlp
    from labs.models import build_mlp, mlp_spec
    from labs.training import train

    (x, y), _ = mnist_for_mlp(n, 1, allow_fewer=True)
    keras.utils.set_random_seed(int(seed))
    model = build_mlp(mlp_spec(2, BUDGET_WIDTH), "sigmoid")
    train(model, x[:n], y[:n], batch_size=int(batch_size), epochs=int(epochs))
    return float(model.evaluate(x[:n], y[:n], verbose=0)[1])


def _as_batch_size(got: object, call: str) -> int:
    if got is None:
        raise AssertionError(_("{name} returned None: did you forget a `return`?").format(name=call))
    try:
        whole = not isinstance(got, bool) and float(got).is_integer() and got >= 1  # type: ignore[arg-type,operator]
    except (TypeError, ValueError):
        whole = False
    if not whole:
        raise AssertionError(_("{call} gave {got!r}: a batch size is a whole number of at least 1.").format(
            call=call, got=got))
    return int(got)  # type: ignore[arg-type]


def check_batch_size_for_budget(batch_size_for_budget: Callable) -> None:
    """Exercise: ``batch_size_for_budget(n, epochs, max_updates)``: a batch size that trains for ``epochs``
    epochs within ``max_updates`` updates and reaches the accuracy the budget allows (measured)."""
    for n, epochs, budget in ((1000, 5, 500), (4000, 20, 800), (600, 3, 100), (1000, 1, 7), (50, 2, 1000)):
        call = f"batch_size_for_budget({n}, {epochs}, {budget})"
        batch = _as_batch_size(_call(batch_size_for_budget, "batch_size_for_budget", n, epochs, budget), call)
        used = _budget_used(batch, n, epochs)
        if used > budget:
            raise AssertionError(_("{call} gave {batch}: {epochs} epochs of that make {used} updates, over the "
                                   "budget of {budget}. Count the last, smaller batch too.").format(
                call=call, batch=batch, epochs=epochs, used=used, budget=budget))
    n, epochs, budget = BUDGET_CASE
    batch = _as_batch_size(_call(batch_size_for_budget, "batch_size_for_budget", n, epochs, budget),
                           f"batch_size_for_budget({n}, {epochs}, {budget})")
    accuracy = measure_budget_run(batch, n, epochs)
    measured = _("batch {batch}: {used} of {budget} updates in {epochs} epochs over {n:,} images, "
                 "training accuracy {accuracy:.3f}").format(
        batch=batch, used=_budget_used(batch, n, epochs), budget=budget, epochs=epochs, n=n, accuracy=accuracy)
    if accuracy < BUDGET_THRESHOLD:
        raise AssertionError(_("{measured}; it needs {threshold}. With the epochs fixed, what does a larger "
                               "batch cost you, and how much of the budget did you leave unused?").format(
            measured=measured, threshold=BUDGET_THRESHOLD))
    _passed(_("{measured} (needed {threshold}).").format(measured=measured, threshold=BUDGET_THRESHOLD))
