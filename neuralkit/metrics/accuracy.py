"""Accuracies: binary (outputs on the right side of a threshold) and categorical (arg-max)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import MeanMetric

__all__ = ["BinaryAccuracy", "CategoricalAccuracy", "binary_accuracy", "categorical_accuracy"]


class BinaryAccuracy(MeanMetric):
    """The fraction of outputs on the right side of ``threshold`` (averaged over outputs)."""

    def __init__(self, name: str | None = "binary_accuracy", threshold: float = 0.5) -> None:
        self.threshold = float(threshold)
        super().__init__(name)

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.mean((y_pred > self.threshold) == (y_true > 0.5), axis=1)

    def batch_total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        correct = (y_pred > self.threshold) == (y_true > 0.5)
        return float(np.count_nonzero(correct)) / y_pred.shape[1]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "threshold": self.threshold}


class CategoricalAccuracy(MeanMetric):
    """The fraction of examples whose arg-max output is the arg-max of the one-hot target."""

    def __init__(self, name: str | None = "categorical_accuracy") -> None:
        super().__init__(name)

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return (y_pred.argmax(axis=1) == y_true.argmax(axis=1)).astype(np.float64)

    def batch_total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(np.count_nonzero(y_pred.argmax(axis=1) == y_true.argmax(axis=1)))


def binary_accuracy(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """neuralkit 0.1's form: the *sum* over the batch's examples of their binary accuracy."""
    return BinaryAccuracy().batch_total(Y, Y_hat)


def categorical_accuracy(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """neuralkit 0.1's form: the number of examples whose arg-max is right."""
    return CategoricalAccuracy().batch_total(Y, Y_hat)
