"""NeuralKitRegressor: linear outputs, mean squared error."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import validate_data

from ..layers import Linear
from ._base import _minibatch, _NeuralKitBase

__all__ = ["NeuralKitRegressor"]


class NeuralKitRegressor(RegressorMixin, _NeuralKitBase):
    """A multilayer-perceptron regressor built on neuralkit: linear outputs, mean squared error.

    Parameters are those of :class:`NeuralKitClassifier`; with ``early_stopping`` the
    monitored score is the R^2 on the held-out fraction. y may be (m,) or (m, n_outputs).

    Attributes
    ----------
    model_ : neuralkit.Sequential
    loss_curve_, validation_scores_, n_iter_, n_features_in_
        As for :class:`NeuralKitClassifier` (validation scores are R^2).
    """

    def fit(self, X: Any, y: Any) -> NeuralKitRegressor:
        """Train a new network on X (m, n_features) and targets y (m,) or (m, n_outputs)."""
        self._check_hyperparameters()
        X, y = validate_data(self, X, y, reset=True, multi_output=True, y_numeric=True,
                             dtype=[np.float64, np.float32])
        self._single_output = y.ndim == 1
        T = np.asarray(y, dtype=self._dtype).reshape(y.shape[0], -1)
        self._new_model(T.shape[1], Linear)
        return self._fit(np.asarray(X, dtype=self._dtype), T, T, incremental=False)

    @available_if(_minibatch)
    def partial_fit(self, X: Any, y: Any) -> NeuralKitRegressor:
        """One epoch over (X, y), continuing from the current weights (a new network on the first call)."""
        first = not hasattr(self, "model_")
        if first:
            self._check_hyperparameters()
        X, y = validate_data(self, X, y, reset=first, multi_output=True, y_numeric=True,
                             dtype=[np.float64, np.float32])
        T = np.asarray(y, dtype=self._dtype).reshape(y.shape[0], -1)
        if first:
            self._single_output = y.ndim == 1
            self._new_model(T.shape[1], Linear)
        elif T.shape[1] != self.model_.output_dim:
            raise ValueError(f"partial_fit: y has {T.shape[1]} outputs but the first call had "
                             f"{self.model_.output_dim}.")
        return self._fit(np.asarray(X, dtype=self._dtype), T, T, incremental=True)

    def _score_of(self, A: np.ndarray, T: np.ndarray) -> float:
        return r2_score(T, A)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, (m,) when fitted on a 1-D y, else (m, n_outputs); float64 (as
        scikit-learn requires of regressors) whatever the network's dtype."""
        A = self._predict_network(X).astype(np.float64, copy=False)
        return A[:, 0] if self._single_output else A
