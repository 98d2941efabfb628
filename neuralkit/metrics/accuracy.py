"""Accuracies: binary (outputs on the right side of a threshold), categorical (arg-max against
a one-hot target) and sparse categorical (arg-max against an integer label)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_number
from .base import MeanMetric, check_batch

__all__ = ["BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
           "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy"]


class BinaryAccuracy(MeanMetric):
    """The fraction of outputs on the right side of ``threshold``, averaged over outputs.

    ``v_i = mean_k [ (y_pred_ik > threshold) == (y_true_ik > 0.5) ]``, then the weighted
    mean over examples ``sum_i w_i v_i / sum_i w_i``.

    Parameters
    ----------
    name : str, optional
        The log key (default 'binary_accuracy').
    threshold : float
        An output above it predicts 1 (default 0.5; 0 for logits).
    """

    direction = "up"

    def __init__(self, name: str | None = "binary_accuracy", threshold: float = 0.5) -> None:
        self.threshold = check_number(threshold, "BinaryAccuracy: threshold")
        super().__init__(name)

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.mean((y_pred > self.threshold) == (y_true > 0.5), axis=1)

    def batch_total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        correct = (y_pred > self.threshold) == (y_true > 0.5)
        return float(np.count_nonzero(correct)) / y_pred.shape[1]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "threshold": self.threshold}


class CategoricalAccuracy(MeanMetric):
    """The fraction of examples whose arg-max output is the arg-max of the one-hot target.

    ``v_i = [ argmax_k y_pred_ik == argmax_k y_true_ik ]``, then the weighted mean over
    examples. ``y_true`` is one-hot, the shape of ``y_pred``; integer labels need
    :class:`SparseCategoricalAccuracy`.
    """

    direction = "up"

    def __init__(self, name: str | None = "categorical_accuracy") -> None:
        super().__init__(name)

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return (y_pred.argmax(axis=1) == y_true.argmax(axis=1)).astype(np.float64)

    def batch_total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(np.count_nonzero(y_pred.argmax(axis=1) == y_true.argmax(axis=1)))


class SparseCategoricalAccuracy(MeanMetric):
    """The fraction of examples whose arg-max output is their label.

    ``v_i = [ argmax_k y_pred_ik == label_i ]``, then the weighted mean over examples.
    ``y_true`` holds integer labels, shape (m,) or (m, 1), or (unlike Keras) one-hot rows
    of the shape of ``y_pred``, whose arg-max is the label: fit hands the categorical
    cross-entropy's targets to metrics one-hot.
    """

    direction = "up"
    same_shape = False

    def __init__(self, name: str | None = "sparse_categorical_accuracy") -> None:
        super().__init__(name)

    def _correct(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        if y_true.shape[1] == 1:
            return y_pred.argmax(axis=1) == y_true[:, 0]
        if y_true.shape != y_pred.shape:
            raise ValueError(
                f"metric '{self.name}': y_true must be integer labels (m,) or (m, 1), or "
                f"one-hot rows of y_pred's shape {y_pred.shape}; got shape {y_true.shape}."
            )
        return y_pred.argmax(axis=1) == y_true.argmax(axis=1)

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return self._correct(y_true, y_pred).astype(np.float64)

    def batch_total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(np.count_nonzero(self._correct(y_true, y_pred)))


def binary_accuracy(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """neuralkit 0.1's form: the *sum* over the batch's examples of their binary accuracy.

    Unlike Keras's ``binary_accuracy(y_true, y_pred)``: outputs first, and one number."""
    return BinaryAccuracy().batch_total(Y, Y_hat)


def categorical_accuracy(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """neuralkit 0.1's form: the number of examples whose arg-max is right.

    Unlike Keras's ``categorical_accuracy(y_true, y_pred)``: outputs first, and one number."""
    return CategoricalAccuracy().batch_total(Y, Y_hat)


def sparse_categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Keras's functional form: 1.0 or 0.0 per example, shape (m,), for
    ``argmax_k y_pred_ik == label_i`` (labels (m,) or (m, 1), or one-hot rows)."""
    metric = SparseCategoricalAccuracy()
    return metric.values(*check_batch(y_true, y_pred, metric.name, same_shape=False))
