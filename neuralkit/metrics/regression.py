"""Errors of regression outputs: mean absolute error."""

from __future__ import annotations

import numpy as np

from .base import MeanMetric

__all__ = ["MeanAbsoluteError", "mae"]


class MeanAbsoluteError(MeanMetric):
    """mean over examples of mean_k |y_pred_ik - y_true_ik|."""

    def __init__(self, name: str | None = "mean_absolute_error") -> None:
        super().__init__(name)

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.mean(np.abs(y_pred - y_true), axis=1)

    def batch_total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(np.sum(np.abs(y_pred - y_true))) / y_pred.shape[1]


def mae(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """neuralkit 0.1's form: the *sum* over the batch's examples of their mean absolute error."""
    return MeanAbsoluteError().batch_total(Y, Y_hat)
