import json

import numpy as np
import pytest

from labs import results


def test_record_writes_json_when_asked(monkeypatch, tmp_path):
    target = tmp_path / "r.json"
    monkeypatch.setenv("LABS_RESULTS", str(target))
    assert results.record("a", np.float32(1.5)) is None  # a cell ending with it shows nothing
    results.record("b", np.array([1, 2]))
    results.record("c", {"x": np.int64(3)})
    assert json.loads(target.read_text()) == {"a": 1.5, "b": [1, 2], "c": {"x": 3}}
    assert results.recorded()["b"] == [1, 2]


def test_record_rejects_bad_input():
    with pytest.raises(ValueError, match="name"):
        results.record("", 1)
    with pytest.raises(TypeError, match="JSON-friendly"):
        results.record("x", object())
