"""Regression losses: mean squared error, mean absolute error, Huber."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_number
from .base import Loss, weight_column, weighted_mean

__all__ = ["MeanSquaredError", "MeanAbsoluteError", "Huber"]


class MeanSquaredError(Loss):
    """L = mean over examples and outputs of (Y_hat - Y)**2 (the seed's movie-rating cost).

    dL/dY_hat = 2 (Y_hat - Y) / (m * n_y); with weights, row i is scaled by w_i.
    """

    name = "mse"

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None = None
                ) -> float:
        self._Y_hat, self._Y, self._w = Y_hat, Y, weight_column(sample_weight, Y_hat)
        diff = Y_hat - Y
        if self._w is None:
            return float(np.vdot(diff, diff)) / diff.size
        return weighted_mean(np.mean(diff * diff, axis=1), sample_weight)

    def backward(self) -> np.ndarray:
        Y_hat, Y = self._saved()
        dY_hat = (Y_hat - Y) * (2.0 / Y_hat.size)
        return dY_hat if self._w is None else dY_hat * self._w


class MeanAbsoluteError(Loss):
    """L = mean over examples and outputs of |Y_hat - Y|.

    dL/dY_hat = sign(Y_hat - Y) / (m * n_y) (0 where they are equal); rows scaled by w_i.
    """

    name = "mae"

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None = None
                ) -> float:
        self._Y_hat, self._Y, self._w = Y_hat, Y, weight_column(sample_weight, Y_hat)
        error = np.abs(Y_hat - Y)
        if self._w is None:
            return float(np.sum(error)) / error.size
        return weighted_mean(np.mean(error, axis=1), sample_weight)

    def backward(self) -> np.ndarray:
        Y_hat, Y = self._saved()
        dY_hat = np.sign(Y_hat - Y) * (1.0 / Y_hat.size)
        return dY_hat if self._w is None else dY_hat * self._w


class Huber(Loss):
    """Quadratic near zero, linear beyond ``delta``; with d = Y_hat - Y, elementwise::

        l(d) = d**2 / 2                    if |d| <= delta
               delta * (|d| - delta / 2)   otherwise
        L = mean over examples and outputs of l(d)
        dL/dY_hat = clip(d, -delta, delta) / (m * n_y)      (rows scaled by w_i)

    Parameters
    ----------
    delta : float, default 1.0
        Where the loss turns from quadratic to linear (> 0).
    """

    name = "huber"

    def __init__(self, delta: float = 1.0) -> None:
        self.delta = check_number(delta, "delta", 0.0)

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None = None
                ) -> float:
        self._Y_hat, self._Y, self._w = Y_hat, Y, weight_column(sample_weight, Y_hat)
        d = np.abs(Y_hat - Y)
        quadratic = np.minimum(d, self.delta)
        values = 0.5 * quadratic * quadratic + self.delta * (d - quadratic)
        if self._w is None:
            return float(np.sum(values)) / values.size
        return weighted_mean(np.mean(values, axis=1), sample_weight)

    def backward(self) -> np.ndarray:
        Y_hat, Y = self._saved()
        dY_hat = np.clip(Y_hat - Y, -self.delta, self.delta) * (1.0 / Y_hat.size)
        return dY_hat if self._w is None else dY_hat * self._w

    def get_config(self) -> dict[str, Any]:
        return {"delta": self.delta}
