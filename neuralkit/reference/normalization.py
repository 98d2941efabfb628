"""Looped twin of BatchNormalization: one channel at a time, one entry at a time.

``LoopBatchNormalization`` subclasses :class:`~neuralkit.layers.BatchNormalization` and
overrides ``forward``, ``backward`` and ``after_update`` with explicit for-loops over the
channels c and, within a channel, over its N entries (every index of the input with c on the
channel axis: the examples of a Dense output (m, C), the examples and pixels of images
(m, H, W, C)), in Python floats (``float(A[index])``), which never signal. Parameters, state,
``get_config`` and the moving statistics kept for :meth:`after_update` are its twin's, so the
two drop into a ``Sequential`` alike. Its cache holds x_hat in the input's shape (the twin
keeps it as rows (N, C)), 1 / sqrt(var + epsilon) per channel, and whether the pass used the
batch statistics.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from ..layers.normalization import BatchNormalization

__all__ = ["LoopBatchNormalization"]


def _entries(shape: tuple[int, ...], axis: int, c: int) -> Iterator[tuple[int, ...]]:
    """Every index of an array of ``shape`` whose coordinate on ``axis`` is ``c``."""
    others = shape[:axis] + shape[axis + 1:]
    for index in np.ndindex(*others):
        yield index[:axis] + (c,) + index[axis:]


class LoopBatchNormalization(BatchNormalization):
    """BatchNormalization with loops; for each channel c, over its entries i (N of them)::

        mu[c]    = (sum_i x[i]) / N                          training: the batch's
        var[c]   = (sum_i (x[i] - mu[c])**2) / N             (inference: the moving ones)
        inv      = 1 / sqrt(var[c] + epsilon)
        x_hat[i] = (x[i] - mu[c]) inv
        y[i]     = gamma[c] x_hat[i] + beta[c]

    Backward, for each channel c::

        dbeta[c]  = sum_i dy[i]
        dgamma[c] = sum_i dy[i] x_hat[i]
        dx[i]     = gamma[c] inv (dy[i] - dbeta[c] / N - x_hat[i] dgamma[c] / N)   training
        dx[i]     = gamma[c] inv dy[i]                                              inference

    ``after_update``, for each channel c: moving[c] = moving[c] momentum + stat[c] (1 - momentum).
    """

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        self.rows(A_prev)  # checks the channel axis and count, as the twin does
        axis = self.channel_axis(A_prev.ndim)
        batch_mode = bool(training) and self.trainable
        if training:
            self._batch_statistics = None
        channels = A_prev.shape[axis]
        count = A_prev.size // channels
        x_hat, Y = np.empty_like(A_prev), np.empty_like(A_prev)
        means, variances = np.empty(channels, A_prev.dtype), np.empty(channels, A_prev.dtype)
        inv_std = np.empty(channels, A_prev.dtype)
        for c in range(channels):
            if batch_mode:
                total = 0.0
                for index in _entries(A_prev.shape, axis, c):
                    total += float(A_prev[index])
                mean = float(np.asarray(total / count, A_prev.dtype))  # rounded as the twin's
                squares = 0.0
                for index in _entries(A_prev.shape, axis, c):
                    d = float(A_prev[index]) - mean
                    squares += d * d
                var = float(np.asarray(squares / count, A_prev.dtype))
                means[c], variances[c] = mean, var
            else:
                mean = float(self.state["moving_mean"][c])
                var = float(self.state["moving_variance"][c])
            inv = 1.0 / math.sqrt(var + self.epsilon)
            inv_std[c] = inv
            gamma = float(self.params["gamma"][c]) if self.scale else 1.0
            beta = float(self.params["beta"][c]) if self.center else 0.0
            for index in _entries(A_prev.shape, axis, c):
                normalized = (float(A_prev[index]) - mean) * inv
                x_hat[index] = normalized
                Y[index] = gamma * normalized + beta
        if batch_mode:
            self._batch_statistics = (means, variances)
        self.cache = (x_hat, inv_std, batch_mode)
        return Y

    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        x_hat, inv_std, batch_mode = self.cache
        axis = self.channel_axis(dA.ndim)
        channels = dA.shape[axis]
        count = dA.size // channels
        dX = np.empty_like(dA)
        for c in range(channels):
            sum_dy, sum_dy_x_hat = 0.0, 0.0
            for index in _entries(dA.shape, axis, c):
                g = float(dA[index])
                sum_dy += g
                sum_dy_x_hat += g * float(x_hat[index])
            if self.center:
                self.grads["beta"][c] = sum_dy
            if self.scale:
                self.grads["gamma"][c] = sum_dy_x_hat
            factor = float(inv_std[c]) * (float(self.params["gamma"][c]) if self.scale else 1.0)
            for index in _entries(dA.shape, axis, c):
                g = float(dA[index])
                if batch_mode:
                    g = g - sum_dy / count - float(x_hat[index]) * (sum_dy_x_hat / count)
                dX[index] = factor * g
        return dX if self.needs_input_grad else None

    def after_update(self) -> None:
        statistics, self._batch_statistics = self._batch_statistics, None
        if statistics is None:
            return
        momentum = self.momentum
        for name, values in zip(("moving_mean", "moving_variance"), statistics, strict=True):
            moving = self.state[name]
            for c in range(moving.shape[0]):
                moving[c] = float(moving[c]) * momentum + float(values[c]) * (1.0 - momentum)
