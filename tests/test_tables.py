import numpy as np
import pandas as pd
import pytest

import labs
from labs.tables import format_table


def test_numbers_read_at_a_glance():
    table = pd.DataFrame({
        "accuracy": [0.95341, 1.0, 0.1],
        "loss": [2.3123, 0.0000123, 1.5],
        "epochs": [20.0, 5.0, 1000.0],
        "float32": [np.float32(33.44), 1.5, 2.0],
        "broken": [float("nan"), float("inf"), -float("inf")],
        "all tiny": [2.536e-8, 1.1e-9, 0.0],
    })
    shown = format_table(table)
    assert list(shown["accuracy"]) == ["0.953", "1.000", "0.100"]
    assert list(shown["loss"]) == ["2.31", "1.23e-5", "1.50"], "scientific only for the tiny value"
    assert list(shown["epochs"]) == ["20", "5", "1,000"], "whole numbers as integers"
    assert list(shown["float32"]) == ["33.44", "1.50", "2.00"], "no float32 artefacts such as 33.439999"
    assert list(shown["broken"]) == ["NaN", "inf", "-inf"]
    assert list(shown["all tiny"]) == ["2.54e-8", "1.1e-9", "0"], "a column of tiny values is scientific"


def test_text_is_never_cut_and_dicts_become_text(capsys):
    long = "cross-entropy with a softmax output, the slides' choice for classification"
    table = pd.DataFrame({"loss": [long], "settings": [{"lr": 0.123456, "epochs": 3}], "ok": [True]})
    labs.show(table, caption="mean of 3 seeds, band = min..max")
    out = capsys.readouterr().out
    assert long in out and "lr: 0.123, epochs: 3" in out and "yes" in out
    assert out.rstrip().endswith("mean of 3 seeds, band = min..max")


def test_index_and_series_are_formatted():
    series = pd.Series([0.5, 0.25], index=[0.1, 0.01], name="accuracy")
    shown = format_table(series)
    assert list(shown.index) == ["0.1", "0.01"] and list(shown["accuracy"]) == ["0.500", "0.250"]


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="table must be a pandas DataFrame"):
        format_table([1, 2])
    with pytest.raises(ValueError, match="digits"):
        format_table(pd.DataFrame({"a": [1]}), digits=0)
    with pytest.raises(TypeError, match="caption"):
        labs.show(pd.DataFrame({"a": [1]}), caption=3)


def test_show_source_lists_code_and_names_bad_input(capsys):
    from labs import optimizers

    labs.show_source(optimizers.adam)
    out = capsys.readouterr().out
    assert out.startswith("# Source of labs.optimizers.adam\n") and "def adam(" in out
    with pytest.raises(ValueError, match="at least one"):
        labs.show_source()
    with pytest.raises(TypeError, match="cannot find the source of 3"):
        labs.show_source(3)


def test_show_source_is_a_collapsed_listing_in_a_notebook(monkeypatch):
    import IPython.display

    from labs import listing, optimizers, tables

    shown = []
    monkeypatch.setattr(tables, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    listing.show_source(optimizers.adam)
    html = shown[0].data
    assert html.startswith("<details><summary>Source of <code>labs.optimizers.adam</code></summary><pre>")
    assert "def adam(" in html and html.endswith("</pre></details>")
