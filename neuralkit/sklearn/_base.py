"""What the two estimators share: hyperparameters and their checks, the network, the training
loop with its early stopping."""

from __future__ import annotations

import copy
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from .._validation import check_number, check_positive_int
from ..layers import Dense, LeakyReLU, Linear, ReLU, Sigmoid, Tanh
from ..models.sequential import Sequential
from ..optimizers import LBFGS, OPTIMIZERS, Optimizer

__all__ = []

_ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "logistic": Sigmoid,
                "leaky_relu": LeakyReLU, "identity": Linear, "linear": Linear}


def _minibatch(estimator: Any) -> bool:
    """partial_fit exists only for minibatch optimizers (as in scikit-learn's MLP)."""
    if isinstance(estimator.optimizer, LBFGS) or (isinstance(estimator.optimizer, str)
                                                   and estimator.optimizer.lower() == "lbfgs"):
        raise AttributeError("partial_fit is not available with the L-BFGS optimizer (a "
                             "full-batch method); use 'adam', 'sgd' or 'rmsprop'.")
    return True


def _hyperparameter(check: Any, value: Any, *args: Any, **kwargs: Any) -> None:
    try:
        check(value, *args, **kwargs)
    except TypeError as exc:
        raise ValueError(str(exc)) from None


class _NeuralKitBase(BaseEstimator):
    """Shared hyperparameters, checks and the training loop of the two estimators."""

    def __init__(self, hidden_layer_sizes: Sequence[int] = (100,), activation: str = "relu",
                 optimizer: str | Optimizer = "adam", learning_rate: float = 0.001,
                 batch_size: int = 32, epochs: int = 200, l2: float = 0.0,
                 validation_fraction: float = 0.1, early_stopping: bool = False,
                 tol: float = 1e-4, n_iter_no_change: int = 10, random_state: Any = None,
                 dtype: str = "float64", verbose: int = 0) -> None:
        # scikit-learn's rule: __init__ only stores; everything is checked in fit.
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.l2 = l2
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.dtype = dtype
        self.verbose = verbose

    # ------------------------------------------------------------------ checks
    def _check_hyperparameters(self) -> None:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = (sizes,)
        if isinstance(sizes, str) or not isinstance(sizes, Sequence) or any(
                isinstance(h, bool) or not isinstance(h, numbers.Integral) or h < 1 for h in sizes):
            raise ValueError("hidden_layer_sizes must be a tuple of integers >= 1 (e.g. (100,) or "
                             f"(64, 32)); got {self.hidden_layer_sizes!r}.")
        self._hidden = tuple(int(h) for h in sizes)
        if not isinstance(self.activation, str) or self.activation.lower() not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}; "
                             f"got {self.activation!r}.")
        if not (isinstance(self.optimizer, Optimizer) or (
                isinstance(self.optimizer, str) and self.optimizer.lower() in OPTIMIZERS)):
            raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)} or an "
                             f"Optimizer instance; got {self.optimizer!r}.")
        # scikit-learn's convention: a bad hyperparameter is a ValueError, whatever its type.
        for name, inclusive in (("learning_rate", False), ("l2", True), ("tol", True)):
            _hyperparameter(check_number, getattr(self, name), name, 0.0, low_inclusive=inclusive)
        for name in ("batch_size", "epochs", "n_iter_no_change"):
            _hyperparameter(check_positive_int, getattr(self, name), name)
        _hyperparameter(check_number, self.validation_fraction, "validation_fraction", 0.0, 1.0)
        if self.verbose not in (0, 1, 2, False, True):
            raise ValueError(f"verbose must be 0, 1 or 2; got {self.verbose!r}.")
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            dtype = None
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be 'float32' or 'float64'; got {self.dtype!r}.")
        self._dtype = dtype

    # ------------------------------------------------------------------ the network
    def _make_optimizer(self) -> Optimizer:
        if isinstance(self.optimizer, Optimizer):
            return copy.deepcopy(self.optimizer)  # a fresh state for every fit
        name = self.optimizer.lower()
        if name == "lbfgs":
            return LBFGS(max_iter=self.epochs, tol=self.tol)
        return OPTIMIZERS[name](learning_rate=self.learning_rate)

    def _make_model(self, n_outputs: int, output: type, seed: int) -> Sequential:
        layers: list[Any] = []
        activation = _ACTIVATIONS[self.activation.lower()]
        for units in (*self._hidden, n_outputs):
            # Keras's L2 on W only: penalty l2 * sum(W**2), dW += 2 l2 W
            dense = Dense(units, l2=self.l2) if self.l2 > 0 else Dense(units)
            layers += [dense, activation()]
        layers[-1] = output()
        model = Sequential(layers, seed=seed, dtype=self._dtype)
        model.compile(optimizer=self._make_optimizer())
        return model

    # ------------------------------------------------------------------ training
    def _fit(self, X: np.ndarray, T: np.ndarray, y_score: np.ndarray, incremental: bool) -> Any:
        """Train on X and targets T (the network's (m, n_out) float targets).

        ``y_score`` are the targets in the form :meth:`_score_of` expects (labels for the
        classifier), used for the early-stopping validation score.
        """
        model = self.model_
        rng = self._rng
        X_val = y_val = None
        if isinstance(model.optimizer, LBFGS):
            # Full batch: early_stopping does not apply (as in scikit-learn's MLP).
            history = model.fit(X, T, verbose=1 if self.verbose else 0)
            self.loss_curve_ += history.history["loss"]
            self.n_iter_ += model.optimizer.result_.nit
            return self
        if self.early_stopping and not incremental:
            X, X_val, T, y_val = self._split(X, T, y_score, rng)
        epochs = 1 if incremental else self.epochs
        best, best_params, stall = np.inf, None, 0
        for _ in range(epochs):
            history = model.fit(X, T, epochs=1, batch_size=self.batch_size, verbose=0)
            loss = history.history["loss"][-1]
            self.loss_curve_.append(loss)
            self.n_iter_ += 1
            if X_val is not None:
                # Monitored as a loss: the negated validation score (accuracy or R^2).
                monitored = -self._score_of(model.predict(X_val, verbose=0), y_val)
                self.validation_scores_.append(-monitored)
            else:
                monitored = loss
            if self.verbose:
                extra = f", validation score = {-monitored:.6f}" if X_val is not None else ""
                print(f"Epoch {self.n_iter_}, loss = {loss:.8f}{extra}")
            if incremental:
                break
            if monitored < best - self.tol:
                best, stall = monitored, 0
                if X_val is not None:
                    best_params = model.get_parameters()
            else:
                stall += 1
                if stall >= self.n_iter_no_change:
                    break
        if best_params is not None:
            model.set_parameters(best_params)  # early stopping keeps the best epoch's weights
            self.best_validation_score_ = -best
        return self

    def _split(self, X: np.ndarray, T: np.ndarray, y_score: np.ndarray, rng: np.random.RandomState
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Hold out validation_fraction of the rows (at least 2, and one per class, stratified
        when every class has two members) for early stopping."""
        m = X.shape[0]
        classifier = isinstance(self, ClassifierMixin)
        counts = np.unique(y_score, return_counts=True)[1] if classifier else None
        n_val = max(int(np.ceil(self.validation_fraction * m)), 2,
                    counts.shape[0] if classifier else 0)
        if m - n_val < 1:
            raise ValueError(
                f"early_stopping: validation_fraction={self.validation_fraction} of n_samples = "
                f"{m} leaves {m - n_val} samples for training (the validation set needs at least "
                f"{n_val}); give more samples or set early_stopping=False.")
        stratify = y_score if classifier and counts.min() >= 2 else None
        X, X_val, T, _, _, y_val = train_test_split(
            X, T, y_score, test_size=n_val, stratify=stratify,
            random_state=rng.randint(np.iinfo(np.int32).max))
        return X, X_val, T, y_val

    def _new_model(self, n_outputs: int, output: type) -> None:
        self._rng = check_random_state(self.random_state)
        self.model_ = self._make_model(n_outputs, output, int(self._rng.randint(np.iinfo(np.int32).max)))
        self.loss_curve_: list[float] = []
        self.validation_scores_: list[float] = []
        self.n_iter_ = 0

    def _predict_network(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return self.model_.predict(np.asarray(X, dtype=self._dtype), verbose=0)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags
