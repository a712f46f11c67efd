import numpy as np
import pytest

from labs import validation as v


def test_check_array_shape_messages():
    assert v.check_array("X", [[1, 2]], shape=(None, 2)).shape == (1, 2)
    with pytest.raises(ValueError, match=r"X must have shape \('any', 2\); got \(1, 3\)"):
        v.check_array("X", [[1, 2, 3]], shape=(None, 2))
    with pytest.raises(ValueError, match="2-D"):
        v.check_array("X", [1, 2], ndim=2)
    with pytest.raises(ValueError, match="NaN"):
        v.check_array("X", [np.nan])
    with pytest.raises(TypeError, match="numeric"):
        v.check_array("X", ["a"])


def test_check_labels():
    assert v.check_labels("y", [0, 1, 2], n_classes=3).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="0..1"):
        v.check_labels("y", [0, 2], n_classes=2)
    with pytest.raises(ValueError, match=">= 0"):
        v.check_labels("y", [-1])
    with pytest.raises(ValueError, match="whole-number"):
        v.check_labels("y", [0.5])


def test_scalars():
    assert v.check_int("n", 3, minimum=1) == 3
    with pytest.raises(TypeError):
        v.check_int("n", True)
    with pytest.raises(ValueError, match="n must be >= 1"):
        v.check_int("n", 0, minimum=1)
    with pytest.raises(ValueError, match="positive"):
        v.check_positive("lr", float("inf"))
    assert v.check_positive("noise", 0, allow_zero=True) == 0.0
    assert v.check_positive("noise", 0.5, allow_zero=True) == 0.5
    with pytest.raises(ValueError, match="noise must be a finite number >= 0; got -1"):
        v.check_positive("noise", -1, allow_zero=True)
    with pytest.raises(ValueError, match="positive"):
        v.check_positive("lr", 0)
    with pytest.raises(ValueError, match="one of 'a', 'b'"):
        v.check_choice("mode", "c", ("a", "b"))


def test_argument_checks_live_in_validation_and_old_names_still_import():
    from labs import models, regularization

    assert models.check_activation is v.check_activation
    assert regularization.check_keep_prob is v.check_keep_prob
    assert v.check_keep_prob(1) == 1.0 and v.check_momentum("momentum", 0.5) == 0.5
    with pytest.raises(ValueError, match=r"momentum must be a momentum coefficient in \[0, 1\); got 1.0"):
        v.check_momentum("momentum", 1.0)
    with pytest.raises(ValueError, match=r"p must be a number in \(0, 1\]; got 0"):
        v.check_in_range("p", 0, 0, 1, include_low=False, include_high=True)
    with pytest.raises(ValueError, match="x must be a number; got NaN"):
        v.check_number("x", float("nan"))
