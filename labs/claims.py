"""The slides' four claims about training the 784-500-500-10 network on MNIST, measured again.

Each claim compares two configurations of the same network (sigmoid hidden units, softmax
output, SGD with learning rate 0.1, batch 100, training accuracy after the same number of
epochs) that differ in one thing: the loss, the batch size, the depth, or the activation.
"Layers" counts layers of weights (the labs' reading: the decks never say how they count):
3 layers is 784-500-500-10, 9 layers has eight hidden layers.

A conclusion *holds* when the configuration the slides favour beats the other by at least
:data:`MARGIN` in training accuracy on every seed (the two runs of a seed are compared), a
margin between the two settings rather than closeness to the slides' exact figures: our data
and seeds differ from theirs.

``measure`` trains each configuration the chosen claims need once per seed (the baseline is
shared); ``table`` turns the results into the claims table with the course's criterion;
``reading_table`` is the same comparison in the words a student reads (no margin); ``run`` does
the measuring and ``table`` with the sizes of a profile, and is what ``python -m labs claims`` prints.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from labs.models import mlp_spec
from labs.profiles import Profile, profile
from labs.validation import check_choice, check_int

MARGIN = 0.20
"""Training-accuracy lead the favoured setting needs on every seed for a conclusion to hold."""

BASELINE = "baseline"
SQUARE_ERROR = "square error"
FULL_BATCH = "full batch"
DEEP_SIGMOID = "9 layers, sigmoid"
DEEP_RELU = "9 layers, ReLU"


@dataclass(frozen=True)
class Claim:
    """One slide comparison: the configuration that loses, the one that wins, and the figures."""

    key: str
    statement: str
    loser: str
    winner: str
    loser_label: str
    winner_label: str
    slide_loser: float
    slide_winner: float
    lab: str

    @property
    def slide_figure(self) -> str:
        """The slide's two accuracies, e.g. ``square error 0.11 vs cross-entropy 0.84``."""
        return f"{self.loser_label} {self.slide_loser:.2f} vs {self.winner_label} {self.slide_winner:.2f}"


CLAIMS: tuple[Claim, ...] = (
    Claim("loss", "cross-entropy beats square error", SQUARE_ERROR, BASELINE,
          "square error", "cross-entropy", 0.11, 0.84, "05_loss"),
    Claim("batch", "batch 100 beats full batch", FULL_BATCH, BASELINE,
          "full batch", "batch 100", 0.12, 0.84, "06_minibatch"),
    Claim("depth", "3 sigmoid layers beat 9", DEEP_SIGMOID, BASELINE,
          "9 layers", "3 layers", 0.11, 0.84, "07_activation"),
    Claim("relu", "ReLU beats sigmoid at 9 layers", DEEP_SIGMOID, DEEP_RELU,
          "sigmoid", "ReLU", 0.11, 0.96, "07_activation"),
)
CLAIM_KEYS = tuple(c.key for c in CLAIMS)


def get_claims(keys: str | Iterable[str] | None = None) -> list[Claim]:
    """The claims named by ``keys`` (``loss``, ``batch``, ``depth``, ``relu``), all by default."""
    if keys is None:
        return list(CLAIMS)
    keys = [keys] if isinstance(keys, str) else list(keys)
    if not keys:
        raise ValueError(f"keys must name at least one claim of {', '.join(CLAIM_KEYS)}.")
    for key in keys:
        check_choice("claim", key, CLAIM_KEYS)
    return [c for c in CLAIMS if c.key in keys]


def legend_labels(key: str) -> dict[str, str]:
    """The two configurations of one claim named as the slides name them, for a plot's legend,
    e.g. ``{"square error": "square error", "baseline": "cross-entropy (baseline)"}``."""
    (claim,) = get_claims([key])
    named = {claim.loser: claim.loser_label, claim.winner: claim.winner_label}
    return {config: f"{label} (baseline)" if config == BASELINE else label for config, label in named.items()}


def claim_configs(n_train: int, width: int = 500) -> dict[str, dict[str, Any]]:
    """The five configurations behind the claims, as :func:`labs.training.compare` takes them.

    Every setting not listed is the slides' baseline: 784-``width``-``width``-10, sigmoid,
    cross-entropy, SGD 0.1, batch 100. ``n_train`` is the full batch's size.
    """
    n_train = check_int("n_train", n_train, minimum=1)
    shallow, deep = mlp_spec(2, width), mlp_spec(8, width)
    return {
        BASELINE: {"layers": shallow},
        SQUARE_ERROR: {"layers": shallow, "loss": "mean_squared_error"},
        FULL_BATCH: {"layers": shallow, "batch_size": n_train},
        DEEP_SIGMOID: {"layers": deep},
        DEEP_RELU: {"layers": deep, "activation": "relu"},
    }


def describe_configs(n_train: int, width: int = 500) -> Any:
    """A table of the five configurations: layers, activation, loss and batch size."""
    import pandas as pd

    rows = {}
    for name, config in claim_configs(n_train, width).items():
        rows[name] = {
            "layers": config["layers"],
            "activation": config.get("activation", "sigmoid"),
            "loss": "square error" if config.get("loss") else "cross-entropy",
            "batch size": config.get("batch_size", 100),
        }
    return pd.DataFrame(rows).T


def needed_configs(claims: Sequence[Claim]) -> list[str]:
    """The configurations the claims compare, each once, baseline first."""
    names = [BASELINE]
    for claim in claims:
        names += [claim.loser, claim.winner]
    return list(dict.fromkeys(names))


def measure(
    keys: str | Iterable[str] | None,
    x: Any,
    y: Any,
    *,
    seeds: Sequence[int],
    epochs: int = 20,
    width: int = 500,
    verbose: bool = False,
    keep_models: dict | None = None,
) -> Any:
    """Train each configuration the claims need once per seed; the tidy results of ``compare``."""
    from labs.training import compare

    claims = get_claims(keys)
    configs = claim_configs(len(x), width)
    chosen = {name: configs[name] for name in needed_configs(claims)}
    return compare(chosen, x, y, seeds=seeds, epochs=epochs, verbose=verbose, keep_models=keep_models)


def _accuracy_by_seed(results: Any, config: str, metric: str) -> Any:
    """``metric`` at each seed's own last epoch of ``config`` (a warning says when the seeds'
    runs differ in length)."""
    from labs.training import _warn_uneven, final_rows

    runs = results[results["config"] == config]
    chosen = final_rows(runs).set_index("seed")[metric]
    if not chosen.empty:
        _warn_uneven(runs, None)
    if chosen.empty:
        raise ValueError(
            f"results hold no runs of {config!r}; they have {sorted(set(results['config']))}. "
            "Measure the claim first with labs.claims.measure."
        )
    return chosen


def _spread(values: Any) -> str:
    return f"{values.mean():.2f} ({values.min():.2f}..{values.max():.2f})"


def table(
    results: Any,
    keys: str | Iterable[str] | None = None,
    *,
    margin: float = MARGIN,
    metric: str = "accuracy",
) -> Any:
    """The claims table: claim, slide figure, measured mean (min..max over seeds), the worst
    seed's lead of the favoured setting, and whether the conclusion holds (lead >= ``margin``)."""
    import pandas as pd

    if metric not in results.columns:
        raise ValueError(f"metric {metric!r} is not in the results; columns are {list(results.columns)}.")
    if not 0 <= margin < 1:
        raise ValueError(f"margin is a difference in accuracy, in [0, 1); got {margin}.")
    rows = []
    for claim in get_claims(keys):
        loser = _accuracy_by_seed(results, claim.loser, metric)
        winner = _accuracy_by_seed(results, claim.winner, metric)
        seeds = loser.index.intersection(winner.index)
        if seeds.empty:
            raise ValueError(f"claim {claim.key!r}: {claim.loser!r} and {claim.winner!r} share no seed.")
        lead = winner[seeds] - loser[seeds]
        rows.append({
            "claim": claim.statement,
            "slide figure": claim.slide_figure,
            "measured": f"{claim.loser_label} {_spread(loser[seeds])} vs "
                        f"{claim.winner_label} {_spread(winner[seeds])}",
            "seeds": len(seeds),
            "worst-seed lead": round(float(lead.min()), 3),
            "holds": bool(lead.min() >= margin - 1e-9),  # no float round-off verdicts
        })
    return pd.DataFrame(rows)


def reading_table(
    results: Any,
    keys: str | Iterable[str] | None = None,
    *,
    metric: str = "accuracy",
) -> Any:
    """The claims table as a student reads it: the claim, the slides' figures, this run's mean
    (lowest..highest seed) and whether the favoured setting came out ahead on every seed.

    The course's regression criterion (a lead of at least :data:`MARGIN` on every seed) stays
    in :func:`table` and the tests; show this one with :func:`labs.show`.
    """
    import pandas as pd

    strict = table(results, keys, margin=0.0, metric=metric)
    rows = []
    for claim, (_, row) in zip(get_claims(keys), strict.iterrows()):
        rows.append({
            "claim (slides)": claim.statement,
            "on the slides": claim.slide_figure,
            f"this run: mean (lowest..highest) over {row['seeds']} seeds": row["measured"],
            f"{claim.winner_label} ahead on every seed": bool(row["worst-seed lead"] > 0),
        })
    return pd.DataFrame(rows).set_index("claim (slides)")


def training_data(settings: Profile | None = None, *, source: str | None = None) -> tuple[Any, Any]:
    """The claims' training images and one-hot labels: the first ``claims_n_train`` of MNIST
    (all of them when the set is smaller, as the offline sample is)."""
    from labs.data import mnist_for_mlp

    settings = settings or profile()
    (x, y), _ = mnist_for_mlp(settings.claims_n_train, 1, source=source, allow_fewer=True)
    return x, y


@dataclass
class ClaimsRun:
    """What :func:`run` measured: the claims table, the tidy results and the wall time."""

    table: Any
    results: Any
    seconds: float
    settings: str

    @property
    def holds(self) -> bool:
        """True when every conclusion in the table holds."""
        return bool(self.table["holds"].all())

    def report(self) -> str:
        """The table as text, with the settings, the margin and the wall time."""
        verdict = ("all conclusions hold" if self.holds else
                   "FAILED: " + "; ".join(self.table.loc[~self.table["holds"], "claim"]))
        return "\n".join([
            self.settings,
            self.table.to_string(index=False),
            f"A conclusion holds when the favoured setting leads by >= {MARGIN:.2f} training accuracy "
            f"on every seed. {verdict}. Wall time {self.seconds:.0f} s.",
        ])


def run(
    keys: str | Iterable[str] | None = None,
    *,
    settings: Profile | None = None,
    seeds: Sequence[int] | None = None,
    source: str | None = None,
    verbose: bool = False,
) -> ClaimsRun:
    """Load the data, measure the claims with the profile's sizes and build their table."""
    settings = settings or profile()
    seeds = tuple(check_int("seed", s, minimum=0) for s in (settings.claims_seeds if seeds is None else seeds))
    if not seeds:
        raise ValueError("seeds must list at least one seed.")
    start = time.perf_counter()
    x, y = training_data(settings, source=source)
    described = (f"profile {settings.name}: {len(x):,} training images, {settings.claims_epochs} epochs, "
                 f"hidden width {settings.claims_width}, seeds {list(seeds)}")
    if verbose:
        print(described, flush=True)
    results = measure(keys, x, y, seeds=seeds, epochs=settings.claims_epochs,
                      width=settings.claims_width, verbose=verbose)
    return ClaimsRun(table(results, keys), results, time.perf_counter() - start, described)
