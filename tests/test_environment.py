import os
import random
import sys
import types
import warnings

import numpy as np
import pytest

from labs import environment


def test_setup_seeds_and_reports(monkeypatch, capsys):
    monkeypatch.setenv("LABS_SEED", "7")
    monkeypatch.setenv("LABS_PROFILE", "fast")
    assert environment.setup() is None  # nothing for a notebook cell to echo after the report
    info = environment.setup_info()
    out = capsys.readouterr().out
    assert info.seed == 7 and info.profile == "fast"
    for word in ("TensorFlow", "Keras", "Device", "Colab", "Profile: fast", "seed: 7"):
        assert word in out
    a = (random.random(), np.random.rand())
    environment.setup(7, verbose=False)
    assert (random.random(), np.random.rand()) == a


def test_setup_makes_tensorflow_repeatable():
    import tensorflow as tf

    environment.setup(3, verbose=False)
    first = tf.random.uniform((3,)).numpy()
    environment.setup(3, verbose=False)
    np.testing.assert_array_equal(first, tf.random.uniform((3,)).numpy())


def test_setup_quiets_tensorflow_python_warnings():
    import logging

    import tensorflow as tf

    environment.setup(0, verbose=False)
    assert tf.get_logger().level == logging.ERROR


def test_colab_without_gpu_gets_menu_path(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    info = environment.SetupInfo(0, "full", environment.on_colab(), (), "x", "y")
    text = environment.report(info)
    assert "Runtime > Change runtime type" in text and "Running on Colab: yes" in text


@pytest.mark.parametrize("bad", ["-1", "abc", "1.5"])
def test_bad_seed_is_rejected(monkeypatch, bad):
    monkeypatch.setenv("LABS_SEED", bad)
    with pytest.raises(ValueError, match="LABS_SEED"):
        environment.default_seed()


def test_bad_seed_argument_is_rejected():
    with pytest.raises(TypeError, match="seed must be an integer"):
        environment.setup("1", verbose=False)


def _write_native(text: bytes) -> None:
    os.write(2, text)


def test_native_stderr_is_silenced_and_restored(monkeypatch, capfd):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    with environment.native_stderr_silenced():
        _write_native(b"absl chatter\n")
    _write_native(b"after\n")
    assert capfd.readouterr().err == "after\n"
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")  # someone asked for TensorFlow's logs
    with environment.native_stderr_silenced():
        _write_native(b"wanted\n")
    assert capfd.readouterr().err == "wanted\n"


def test_grading_run_prints_warnings_on_stdout(monkeypatch, capsys):
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)  # restored after the test
    monkeypatch.setenv("LABS_GRADING", "1")
    environment.setup(verbose=False)
    info = environment.setup_info()
    assert info.profile == "fast" and "a grading run" in environment.report(info)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("deprecated thing", DeprecationWarning, stacklevel=1)
    captured = capsys.readouterr()
    assert "DeprecationWarning: deprecated thing" in captured.out and captured.err == ""
    assert warnings.showwarning is environment._warning_to_stdout


def test_older_labs_than_the_notebook_expects_warns():
    with pytest.warns(environment.LabsVersionWarning, match=r"expects labs 0\.3\.0 or newer, but labs 0\.2\.0"):
        assert environment.check_labs_version("0.3.0", installed="0.2.0") is False
    assert environment.check_labs_version("0.2.0", installed="0.2.0") is True
    assert environment.check_labs_version("0.1", installed="0.2.0") is True


def test_setup_checks_the_version_it_is_asked_for(recwarn):
    import labs

    environment.setup(requires=labs.__version__, verbose=False)
    assert not [w for w in recwarn if issubclass(w.category, environment.LabsVersionWarning)]
    with pytest.warns(environment.LabsVersionWarning, match="Disconnect and delete runtime"):
        environment.setup(requires="99.0", verbose=False)


@pytest.mark.parametrize("bad", ["newest", "", None])
def test_bad_required_version_is_rejected(bad):
    with pytest.raises(ValueError, match="requires must be a version"):
        environment.check_labs_version(bad)


def test_report_names_the_device():
    cpu = environment.SetupInfo(0, "full", False, (), "x", "y", cpu_cores=2)
    assert "Device: CPU (2 cores)" in environment.report(cpu)
    gpu = environment.SetupInfo(0, "full", True, ("Tesla T4",), "x", "y", cpu_cores=2)
    assert "Device: GPU (Tesla T4)" in environment.report(gpu)
    assert environment.cpu_cores() >= 1
    assert isinstance(environment.gpu_names(), tuple)


@pytest.mark.parametrize("active, hint", [
    ("fast", "unset LABS_PROFILE (or set LABS_PROFILE=full) for the slides' full settings"),
    ("full", "set LABS_PROFILE=fast for a quick run"),
])
def test_the_profile_line_says_how_to_get_the_other_profile(monkeypatch, active, hint):
    monkeypatch.delenv("LABS_GRADING", raising=False)
    monkeypatch.setenv("LABS_PROFILE", active)
    text = environment.report(environment.SetupInfo(0, active, False, (), "x", "y"))
    assert f"Profile: {active} ({hint})" in text
