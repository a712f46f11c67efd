"""Opt-in: every notebook executes in the full profile and its claims hold (long: set LABS_TEST_FULL=1).

``LABS_TEST_FULL=1 python -m pytest tests/test_notebooks_full.py`` runs each notebook with the
slides' settings on the offline sample, as an instructor's check before a term.
"""

from __future__ import annotations

import json
import os

import pytest

from .conftest import notebook_stems, run_notebook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("LABS_TEST_FULL"), reason="set LABS_TEST_FULL=1 to run the full profile"),
]


@pytest.mark.parametrize("stem", notebook_stems())
def test_notebook_executes_in_full_profile(stem, tmp_path):
    run = run_notebook(stem, tmp_path, profile="full")
    assert run.status == "ok", f"{stem} failed at {run.error}"
    results = json.loads(run.results.read_text()) if run.results else {}
    failed = [k for k, v in results.items() if k.startswith("claim_") and k.endswith("_holds") and v is not True]
    assert not failed, f"{stem}: conclusions that do not hold in the full profile: {failed}"
