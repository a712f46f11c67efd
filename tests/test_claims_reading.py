"""The claims table a student reads: the slides' figures, this run's, and a plain yes/no, no margin."""

import pandas as pd

from labs import claims, tables


def _results(loser_accuracies, winner_accuracies, loser="square error", winner="baseline"):
    rows = []
    for seed, (lose, win) in enumerate(zip(loser_accuracies, winner_accuracies)):
        for config, accuracy in ((winner, win), (loser, lose)):
            rows += [{"config": config, "seed": seed, "epoch": e, "accuracy": accuracy * e / 2} for e in (1, 2)]
    return pd.DataFrame(rows)


def test_reading_table_speaks_of_the_slides_and_this_run():
    table = claims.reading_table(_results([0.12, 0.15, 0.10], [0.80, 0.85, 0.83]), "loss")
    assert list(table.columns) == ["on the slides", "this run: mean (lowest..highest) over 3 seeds",
                                   "cross-entropy ahead on every seed"]
    row = table.loc["cross-entropy beats square error"]
    assert row["on the slides"] == "square error 0.11 vs cross-entropy 0.84"
    assert row.iloc[1] == "square error 0.12 (0.10..0.15) vs cross-entropy 0.83 (0.80..0.85)"
    assert bool(row.iloc[2])
    shown = tables.format_table(table)
    assert "margin" not in " ".join(map(str, shown.columns)).lower()
    assert "worst-seed" not in " ".join(map(str, shown.columns))


def test_reading_table_says_no_when_one_seed_is_behind_even_though_the_mean_leads():
    table = claims.reading_table(_results([0.12, 0.90], [0.80, 0.85]), "loss")
    assert not table.iloc[0, -1]


def test_a_small_lead_is_yes_to_a_student_but_fails_the_course_margin():
    results = _results([0.50, 0.50], [0.55, 0.56])
    assert claims.reading_table(results, "loss").iloc[0, -1]
    assert not claims.table(results, "loss").loc[0, "holds"]
