import random
import sys
import types

import numpy as np
import pytest

from labs import environment


def test_setup_seeds_and_reports(monkeypatch, capsys):
    monkeypatch.setenv("LABS_SEED", "7")
    monkeypatch.setenv("LABS_PROFILE", "fast")
    info = environment.setup()
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
