"""NeuralKitClassifier: Sigmoid output for two classes, Softmax for more."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ..layers import Sigmoid, Softmax
from ._base import _minibatch, _NeuralKitBase

__all__ = ["NeuralKitClassifier"]


class NeuralKitClassifier(ClassifierMixin, _NeuralKitBase):
    """A multilayer-perceptron classifier built on neuralkit.

    Two classes: one Sigmoid output trained with binary cross-entropy, ``P(classes_[1]) = A``.
    K > 2 classes: a Softmax over K outputs trained with categorical cross-entropy. Labels
    may be of any type scikit-learn accepts (ints, strings, ...); ``classes_`` holds them sorted.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (100,)
        Units of each hidden Dense layer.
    activation : {'relu', 'tanh', 'sigmoid' ('logistic'), 'leaky_relu', 'identity'}, default 'relu'
    optimizer : {'adam', 'sgd', 'rmsprop', 'lbfgs'} or Optimizer, default 'adam'
        'lbfgs' runs :class:`neuralkit.optimizers.LBFGS` full batch with ``max_iter=epochs``
        and ``tol=tol``. An Optimizer instance is copied afresh for every fit.
    learning_rate : float, default 0.001
        For 'adam', 'sgd', 'rmsprop' given by name.
    batch_size : int, default 32
    epochs : int, default 200
        Maximum number of passes over the data (iterations for 'lbfgs').
    l2 : float, default 0
        L2 penalty on every W: ``l2 * sum(W**2)`` added to the loss (Keras's convention;
        biases are not penalized).
    validation_fraction : float in (0, 1), default 0.1
        Fraction held out (stratified) for early stopping; used only when ``early_stopping``.
    early_stopping : bool, default False
        Minibatch optimizers only ('lbfgs' ignores it). Monitor the accuracy on the
        held-out fraction, stop when it has not improved by
        ``tol`` for ``n_iter_no_change`` epochs, and keep the best epoch's weights. Without
        it, training stops when the training loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs.
    tol : float, default 1e-4
    n_iter_no_change : int, default 10
    random_state : int, RandomState or None
        Seeds initialization, shuffling and the validation split.
    dtype : {'float64', 'float32'}, default 'float64'
    verbose : int, default 0
        > 0 prints the loss after each epoch.

    Attributes
    ----------
    classes_ : ndarray (n_classes,)
    model_ : neuralkit.Sequential
        The trained network.
    loss_curve_ : list of float
        Training loss of each epoch.
    validation_scores_ : list of float
        Validation accuracy of each epoch (early stopping only).
    n_iter_ : int
        Epochs run (L-BFGS iterations for 'lbfgs').
    n_features_in_ : int
    """

    def fit(self, X: Any, y: Any) -> NeuralKitClassifier:
        """Train a new network on X (m, n_features) and labels y (m,)."""
        self._check_hyperparameters()
        X, y = validate_data(self, X, y, reset=True, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        classes = np.unique(y)
        if classes.shape[0] < 2:
            raise ValueError(f"NeuralKitClassifier needs at least 2 classes in y; got 1 class "
                             f"({classes[0]!r}).")
        self.classes_ = classes
        self._new_model(*self._output_for(classes.shape[0]))
        return self._fit(np.asarray(X, dtype=self._dtype), self._targets(y), y, incremental=False)

    @available_if(_minibatch)
    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> NeuralKitClassifier:
        """One epoch over (X, y), continuing from the current weights.

        ``classes`` (every label that will ever be seen) is required on the first call.
        """
        first = not hasattr(self, "model_")
        if first:
            self._check_hyperparameters()
            if classes is None:
                raise ValueError("partial_fit: classes must be given on the first call (all the "
                                 "labels that will ever be seen); got classes=None.")
        X, y = validate_data(self, X, y, reset=first, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        if first:
            classes = np.unique(np.asarray(classes))
            if classes.shape[0] < 2:
                raise ValueError(f"partial_fit: classes must hold at least 2 labels; got {classes!r}.")
            self.classes_ = classes
            self._new_model(*self._output_for(classes.shape[0]))
        elif classes is not None and not np.array_equal(np.unique(np.asarray(classes)), self.classes_):
            raise ValueError(f"partial_fit: classes={classes!r} differ from the classes of the "
                             f"first call, {self.classes_!r}.")
        return self._fit(np.asarray(X, dtype=self._dtype), self._targets(y), y, incremental=True)

    @staticmethod
    def _output_for(n_classes: int) -> tuple[int, type]:
        return (1, Sigmoid) if n_classes == 2 else (n_classes, Softmax)

    def _targets(self, y: np.ndarray) -> np.ndarray:
        unknown = ~np.isin(y, self.classes_)
        if unknown.any():
            raise ValueError(f"y contains labels not in classes_ {self.classes_!r}: "
                             f"{np.unique(y[unknown])!r}.")
        index = np.searchsorted(self.classes_, y)
        if self.classes_.shape[0] == 2:
            return index.astype(self._dtype).reshape(-1, 1)
        T = np.zeros((y.shape[0], self.classes_.shape[0]), dtype=self._dtype)
        T[np.arange(y.shape[0]), index] = 1
        return T

    def _score_of(self, A: np.ndarray, y: np.ndarray) -> float:
        return accuracy_score(y, self._labels(A))

    def _labels(self, A: np.ndarray) -> np.ndarray:
        index = (A[:, 0] > 0.5).astype(np.intp) if A.shape[1] == 1 else A.argmax(axis=1)
        return self.classes_[index]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (m, n_classes), columns in the order of ``classes_``."""
        A = self._predict_network(X)
        if A.shape[1] == 1:
            return np.hstack([1 - A, A])
        return A

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log of :meth:`predict_proba` (probabilities of exactly 0 give -inf)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label of each row, shape (m,)."""
        return self._labels(self._predict_network(X))
