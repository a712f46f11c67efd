import pytest

from labs import profiles


def test_default_profile_is_full(monkeypatch):
    monkeypatch.delenv("LABS_PROFILE", raising=False)
    assert profiles.profile_name() == "full"
    assert profiles.profile().name == "full"


def test_profile_from_environment(monkeypatch):
    monkeypatch.setenv("LABS_PROFILE", "FAST")
    assert profiles.profile().name == "fast"


def test_unknown_profile_is_rejected(monkeypatch):
    monkeypatch.setenv("LABS_PROFILE", "quick")
    with pytest.raises(ValueError, match="LABS_PROFILE must be one of"):
        profiles.profile_name()
    with pytest.raises(ValueError, match="name must be one of"):
        profiles.profile("medium")


def test_settings_by_attribute_and_key():
    full, fast = profiles.profile("full"), profiles.profile("fast")
    assert full.xor_mlp_epochs == full["xor_mlp_epochs"]
    assert set(full.settings) == set(fast.settings)
    with pytest.raises(KeyError, match="No profile setting 'epochz'"):
        _ = full["epochz"]
    with pytest.raises(AttributeError, match="No profile setting 'epochz'"):
        _ = full.epochz
    assert not hasattr(full, "epochz") and hasattr(full, "xor_mlp_epochs")
    assert getattr(full, "epochz", 7) == 7


def test_fast_is_never_bigger_than_full():
    full, fast = profiles.profile("full"), profiles.profile("fast")
    for key, value in full.settings.items():
        if isinstance(value, (int, float)):
            assert fast[key] <= value, key


def test_describe_lists_every_setting():
    text = profiles.profile("fast").describe()
    for key in profiles.profile("fast").settings:
        assert key in text


def test_grading_run_forces_the_fast_profile(monkeypatch):
    monkeypatch.setenv("LABS_PROFILE", "full")
    monkeypatch.setenv("LABS_GRADING", "1")
    assert profiles.grading_run() and profiles.profile_name() == "fast" and profiles.profile().name == "fast"
    monkeypatch.setenv("LABS_GRADING", "0")
    assert not profiles.grading_run() and profiles.profile_name() == "full"
    monkeypatch.delenv("LABS_GRADING")
    assert not profiles.grading_run()


def test_bad_grading_flag_is_named(monkeypatch):
    monkeypatch.setenv("LABS_GRADING", "maybe")
    with pytest.raises(ValueError, match="LABS_GRADING must be 1"):
        profiles.profile_name()
