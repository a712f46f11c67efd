"""The NumPy network as a scikit-learn classifier."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score

from labs.data import toy_2d
from labs.estimators import BPClassifier


def test_fits_a_nonlinear_problem_and_keeps_labels():
    X, y = toy_2d("circles", 200, noise=0.05)
    labels = np.where(y == 1, "inner", "outer")
    model = BPClassifier((8,), "tanh", "cross_entropy", learning_rate=0.5, epochs=150, batch_size=16).fit(X, labels)
    assert set(model.predict(X)) <= {"inner", "outer"}
    assert model.score(X, labels) > 0.9
    assert model.predict_proba(X).shape == (200, 2)


def test_works_with_cross_val_score_and_clone():
    X, y = toy_2d("blobs", 60)
    model = BPClassifier(epochs=5)
    assert clone(model).get_params()["epochs"] == 5
    scores = cross_val_score(model, X, y, cv=3)
    assert scores.shape == (3,)


def test_validates_inputs():
    with pytest.raises(NotFittedError):
        BPClassifier().predict(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="y must be a 1-D"):
        BPClassifier().fit(np.zeros((4, 2)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="same number of rows"):
        BPClassifier().fit(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="hidden must be one of"):
        BPClassifier(activation="softplus").fit(np.zeros((4, 2)), np.array([0, 1, 0, 1]))
