"""The NumPy network as a scikit-learn classifier."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.utils.estimator_checks import parametrize_with_checks

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
    with pytest.warns(DataConversionWarning):  # a column of labels is read as labels, as scikit-learn does
        BPClassifier(epochs=1).fit(np.zeros((4, 2)), np.array([[0], [1], [0], [1]]))
    with pytest.raises(ValueError, match="y should be a 1d array"):
        BPClassifier().fit(np.zeros((4, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        BPClassifier().fit(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="expecting 2 features"):
        BPClassifier(epochs=1).fit(np.zeros((4, 2)), np.array([0, 1, 0, 1])).predict(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="hidden must be one of"):
        BPClassifier(activation="softplus").fit(np.zeros((4, 2)), np.array([0, 1, 0, 1]))


def test_probabilities_add_up_to_one_with_the_squared_loss():
    X, y = toy_2d("blobs", 60)
    proba = BPClassifier(loss="squared", epochs=5).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


# Every check of scikit-learn's own suite applies to BPClassifier (none is skipped): 30
# epochs keep them fast and let it learn the checks' small sets (scikit-learn 1.3 asks it to predict
# every class); check_array_api_input skips itself unless SCIPY_ARRAY_API is set.
@parametrize_with_checks([BPClassifier(epochs=30)])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
