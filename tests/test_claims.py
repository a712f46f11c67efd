"""The claims module: which configurations each claim needs, the margin rule, and the CLI."""

import pandas as pd
import pytest

from labs import claims
from labs.__main__ import main


def _results(accuracy: dict[str, list[float]], epochs: int = 2) -> pd.DataFrame:
    """Tidy results like compare's: the given final accuracies per seed, 0.1 before."""
    rows = []
    for config, by_seed in accuracy.items():
        for seed, final in enumerate(by_seed):
            for epoch in range(1, epochs + 1):
                rows.append({"config": config, "seed": seed, "epoch": epoch,
                             "accuracy": final if epoch == epochs else 0.1, "loss": 1.0, "seconds": 0.1})
    return pd.DataFrame(rows)


def test_get_claims():
    assert [c.key for c in claims.get_claims()] == ["loss", "batch", "depth", "relu"]
    assert [c.key for c in claims.get_claims("relu")] == ["relu"]
    assert [c.key for c in claims.get_claims(["relu", "loss"])] == ["loss", "relu"]
    with pytest.raises(ValueError, match="claim must be one of"):
        claims.get_claims(["speed"])
    with pytest.raises(ValueError, match="at least one claim"):
        claims.get_claims([])


def test_slide_figures_are_the_course_table():
    figures = {c.key: (c.slide_loser, c.slide_winner) for c in claims.CLAIMS}
    assert figures == {"loss": (0.11, 0.84), "batch": (0.12, 0.84), "depth": (0.11, 0.84), "relu": (0.11, 0.96)}
    assert claims.get_claims("loss")[0].slide_figure == "square error 0.11 vs cross-entropy 0.84"


def test_legend_labels():
    assert claims.legend_labels("loss") == {"square error": "square error", "baseline": "cross-entropy (baseline)"}
    assert claims.legend_labels("relu") == {claims.DEEP_SIGMOID: "sigmoid", claims.DEEP_RELU: "ReLU"}
    with pytest.raises(ValueError, match="claim must be one of"):
        claims.legend_labels("speed")


def test_claim_configs_differ_from_the_baseline_in_one_thing():
    configs = claims.claim_configs(4000, 500)
    base = configs[claims.BASELINE]
    assert base == {"layers": "784-500-500-10"}
    assert configs[claims.SQUARE_ERROR] == {**base, "loss": "mean_squared_error"}
    assert configs[claims.FULL_BATCH] == {**base, "batch_size": 4000}
    assert configs[claims.DEEP_SIGMOID] == {"layers": "784" + "-500" * 8 + "-10"}
    assert configs[claims.DEEP_RELU] == {**configs[claims.DEEP_SIGMOID], "activation": "relu"}
    assert claims.claim_configs(10, 7)[claims.BASELINE]["layers"] == "784-7-7-10"
    with pytest.raises(ValueError, match="n_train must be >= 1"):
        claims.claim_configs(0)
    table = claims.describe_configs(4000)
    assert table.loc[claims.FULL_BATCH, "batch size"] == 4000
    assert table.loc[claims.SQUARE_ERROR, "loss"] == "square error"


def test_needed_configs_share_the_baseline():
    assert claims.needed_configs(claims.get_claims(["depth", "relu"])) == [
        claims.BASELINE, claims.DEEP_SIGMOID, claims.DEEP_RELU]
    assert len(claims.needed_configs(claims.get_claims())) == 5  # each configuration once


def test_table_applies_the_margin_on_every_seed():
    results = _results({claims.BASELINE: [0.80, 0.85, 0.50], claims.SQUARE_ERROR: [0.10, 0.12, 0.40]})
    row = claims.table(results, "loss").iloc[0]
    assert row["seeds"] == 3
    assert row["worst-seed lead"] == pytest.approx(0.10)  # seed 2: 0.50 - 0.40
    assert not row["holds"]  # the mean lead is large, but one seed is within the margin
    assert claims.table(results, "loss", margin=0.1).iloc[0]["holds"]
    assert "0.72 (0.50..0.85)" in row["measured"] and "square error 0.21" in row["measured"]


def test_table_validates():
    results = _results({claims.BASELINE: [0.8]})
    with pytest.raises(ValueError, match="no runs of 'square error'"):
        claims.table(results, "loss")
    with pytest.raises(ValueError, match="metric 'f1'"):
        claims.table(results, "loss", metric="f1")
    with pytest.raises(ValueError, match="margin"):
        claims.table(results, "loss", margin=1.5)
    apart = _results({claims.BASELINE: [0.8]})
    apart = pd.concat([apart, _results({claims.SQUARE_ERROR: [0.1, 0.1]}).query("seed == 1")])
    with pytest.raises(ValueError, match="share no seed"):
        claims.table(apart, "loss")


def test_claims_run_report():
    results = _results({claims.BASELINE: [0.8, 0.8], claims.SQUARE_ERROR: [0.1, 0.7]})
    run = claims.ClaimsRun(claims.table(results, "loss"), results, 12.0, "profile test")
    assert not run.holds
    assert "FAILED: cross-entropy beats square error" in run.report() and "12 s" in run.report()


def test_run_rejects_bad_seeds_before_training():
    with pytest.raises(ValueError, match="seed must be >= 0"):
        claims.run(seeds=[-1], verbose=False)
    with pytest.raises(ValueError, match="at least one seed"):
        claims.run(seeds=[], verbose=False)
    assert main(["claims", "--seeds", "-2"]) == 2


@pytest.mark.slow
def test_cli_measures_all_four_claims_in_the_fast_profile(capsys):
    """`python -m labs claims --profile fast` on the offline sample (the fast profile's seeds): all hold."""
    assert main(["claims", "--profile", "fast"]) == 0
    out = capsys.readouterr().out
    for claim in claims.CLAIMS:
        assert claim.statement in out
    assert "all conclusions hold" in out and "seeds [0, 1]" in out


def test_table_takes_each_runs_own_last_epoch():
    rows = _results({claims.BASELINE: [0.9, 0.9], claims.SQUARE_ERROR: [0.2, 0.2]}, epochs=3)
    shorter = rows[~((rows["config"] == claims.SQUARE_ERROR) & (rows["epoch"] == 3))].copy()
    shorter.loc[(shorter["config"] == claims.SQUARE_ERROR) & (shorter["epoch"] == 2), "accuracy"] = 0.2
    result = claims.table(shorter, "loss")
    assert result.loc[0, "seeds"] == 2 and bool(result.loc[0, "holds"])
    assert result.loc[0, "worst-seed lead"] == pytest.approx(0.7)


def test_table_warns_when_seeds_stopped_at_different_epochs():
    rows = _results({claims.BASELINE: [0.9, 0.9], claims.SQUARE_ERROR: [0.2, 0.2]}, epochs=3)
    rows = rows[~((rows["config"] == claims.BASELINE) & (rows["seed"] == 1) & (rows["epoch"] == 3))]
    with pytest.warns(UserWarning, match="seeds ended at epochs 2..3"):
        result = claims.table(rows, "loss")
    assert result.loc[0, "seeds"] == 2
