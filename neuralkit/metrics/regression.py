"""Errors of regression outputs: mean squared and mean absolute error."""

from __future__ import annotations

import numpy as np

from .base import MeanMetric, check_batch

__all__ = ["MeanSquaredError", "MeanAbsoluteError", "mae", "mean_squared_error",
           "mean_absolute_error", "RootMeanSquaredError", "MeanAbsolutePercentageError"]


class _ElementwiseError(MeanMetric):
    """``v_i = mean_k error(y_pred_ik - y_true_ik)``, then the weighted mean over examples
    ``sum_i w_i v_i / sum_i w_i``."""

    direction = "down"

    @staticmethod
    def _error(difference: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.mean(self._error(y_pred - y_true), axis=1)

    def batch_total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(np.sum(self._error(y_pred - y_true))) / y_pred.shape[1]


class MeanSquaredError(_ElementwiseError):
    """The mean squared error: error(d) = d**2."""

    _error = staticmethod(np.square)

    def __init__(self, name: str | None = "mean_squared_error") -> None:
        super().__init__(name)


class MeanAbsoluteError(_ElementwiseError):
    """The mean absolute error: error(d) = |d|."""

    _error = staticmethod(np.abs)

    def __init__(self, name: str | None = "mean_absolute_error") -> None:
        super().__init__(name)


class RootMeanSquaredError(MeanSquaredError):
    """The root of the mean squared error over every example seen: ``sqrt(sum_i w_i v_i /
    sum_i w_i)`` with ``v_i = mean_k (y_pred_ik - y_true_ik)^2`` (the root of the epoch's mean,
    not a mean of batch roots)."""

    def __init__(self, name: str | None = "root_mean_squared_error") -> None:
        super().__init__(name)

    def update(self, y_true: np.ndarray, y_pred: np.ndarray,
               sample_weight: np.ndarray | None = None) -> float:
        return float(np.sqrt(super().update(y_true, y_pred, sample_weight)))

    def result(self) -> float:
        return float(np.sqrt(super().result()))


class MeanAbsolutePercentageError(_ElementwiseError):
    """``v_i = 100 mean_k |y_pred_ik - y_true_ik| / max(|y_true_ik|, 1e-7)`` (Keras's), the
    weighted mean over examples."""

    def __init__(self, name: str | None = "mean_absolute_percentage_error") -> None:
        super().__init__(name)

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return 100.0 * np.mean(np.abs(y_pred - y_true) / np.maximum(np.abs(y_true), 1e-7), axis=1)

    def batch_total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(np.sum(self.values(y_true, y_pred)))


def mae(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """neuralkit 0.1's form: the *sum* over the batch's examples of their mean absolute error.

    Outputs first, and one number; Keras's form is :func:`mean_absolute_error`."""
    return MeanAbsoluteError().batch_total(Y, Y_hat)


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Keras's functional form: ``mean_k (y_pred_ik - y_true_ik)^2`` per example, shape (m,)."""
    metric = MeanSquaredError()
    return metric.values(*check_batch(y_true, y_pred, metric.name))


def mean_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Keras's functional form: ``mean_k |y_pred_ik - y_true_ik|`` per example, shape (m,)."""
    metric = MeanAbsoluteError()
    return metric.values(*check_batch(y_true, y_pred, metric.name))
