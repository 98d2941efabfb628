"""Metrics reported by ``fit`` and ``evaluate``.

Each metric is ``f(Y_hat, Y) -> float``: the *sum* over the batch's examples of a
per-example value, so that the model can add batches up and divide by m once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["Metric", "binary_accuracy", "categorical_accuracy", "mae", "METRIC_NAMES", "get"]

Metric = Callable[[np.ndarray, np.ndarray], float]


def binary_accuracy(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """Examples whose outputs fall on the right side of 0.5 (averaged over outputs)."""
    correct = (Y_hat > 0.5) == (Y > 0.5)
    return float(np.count_nonzero(correct)) / Y_hat.shape[1]


def categorical_accuracy(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """Examples whose arg-max output is the arg-max of the one-hot target."""
    return float(np.count_nonzero(Y_hat.argmax(axis=1) == Y.argmax(axis=1)))


def mae(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """Mean absolute error of each example (averaged over outputs), summed over examples."""
    return float(np.sum(np.abs(Y_hat - Y))) / Y_hat.shape[1]


METRIC_NAMES = ("accuracy", "mae")


def get(name: str, categorical: bool) -> Metric:
    """Resolve a metric name; 'accuracy' is arg-max for categorical outputs, else 0.5-threshold."""
    if not isinstance(name, str):
        raise TypeError(f"metrics must be names from {list(METRIC_NAMES)}; got {name!r}.")
    key = {"acc": "accuracy", "mean_absolute_error": "mae"}.get(name.lower(), name.lower())
    if key == "accuracy":
        return categorical_accuracy if categorical else binary_accuracy
    if key == "mae":
        return mae
    raise ValueError(f"unknown metric {name!r}; expected one of {list(METRIC_NAMES)}.")
