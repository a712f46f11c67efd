"""The course's NumPy network as a scikit-learn estimator, so it drops into cross-validation.

``BPClassifier`` follows scikit-learn's conventions (``fit``/``predict``, parameters set in
``__init__`` and cloned per fold), so ``cross_val_score`` and ``make_pipeline`` treat it
like any other classifier.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from labs.backprop import init_network, one_hot, predict_proba, train


class BPClassifier(ClassifierMixin, BaseEstimator):
    """The NumPy network as a scikit-learn classifier, so it drops into ``cross_val_score``.

    One output unit per class; ``hidden_layers`` gives the hidden sizes, e.g. ``(8,)``.
    """

    def __init__(
        self,
        hidden_layers: tuple[int, ...] = (8,),
        activation: str = "sigmoid",
        loss: str = "squared",
        learning_rate: float = 0.5,
        epochs: int = 100,
        batch_size: int | None = 16,
        seed: int = 0,
    ):
        self.hidden_layers = hidden_layers
        self.activation = activation
        self.loss = loss
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> BPClassifier:
        """Train a fresh network on ``X`` and class labels ``y``."""
        X, y = _validate_data(self, X, y, reset=True, fitting=True)
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        sizes = [X.shape[1], *self.hidden_layers, len(self.classes_)]
        net = init_network(sizes, hidden=self.activation, loss=self.loss, seed=self.seed)
        self.run_ = train(net, X, one_hot(codes, len(self.classes_)), lr=self.learning_rate,
                          epochs=self.epochs, batch_size=self.batch_size, seed=self.seed)
        self.net_ = self.run_.net
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities: the softmax outputs, or the sigmoid outputs (squared loss)
        scaled to add up to 1 per row."""
        check_is_fitted(self, "net_")
        X = _validate_data(self, X, reset=False)
        outputs = predict_proba(self.net_, X)
        if self.loss == "cross_entropy":
            return outputs
        return outputs / np.maximum(outputs.sum(axis=1, keepdims=True), np.finfo(float).tiny)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The class whose output unit is largest."""
        check_is_fitted(self, "net_")
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _validate_data(estimator: BaseEstimator, X: np.ndarray, y: np.ndarray | None = None, *, reset: bool,
                   fitting: bool = False) -> object:
    """scikit-learn's own input validation (``n_features_in_``, sparse and complex input, NaN,
    messages its users know), in the form the installed version offers."""
    try:
        from sklearn.utils.validation import validate_data  # scikit-learn >= 1.6
    except ImportError:
        def validate_data(est, *args, **kwargs):
            return est._validate_data(*args, **kwargs)
    if not fitting:
        return validate_data(estimator, X, reset=reset, dtype=np.float64)
    return validate_data(estimator, X, y, reset=reset, dtype=np.float64)
