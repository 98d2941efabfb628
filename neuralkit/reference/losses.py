"""Looped twins of the losses: forward and backward, standalone and fused, one scalar at a time.

Each ``LoopX`` subclasses its vectorized twin ``X`` (see ``neuralkit.reference.layers`` for
why): ``Sequential`` then fuses ``LoopBinaryCrossEntropy`` with a Sigmoid and
``LoopCategoricalCrossEntropy`` with a Softmax exactly as it fuses the vectorized losses, and
``forward_logits``/``backward_logits`` are looped too. As in ``neuralkit.losses``, every
``backward`` is already divided by the number of examples m.
"""

from __future__ import annotations

import math

import numpy as np

from ..losses import EPSILON, BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError
from ._scalar import check_2d, sigmoid, softplus

__all__ = ["LoopMeanSquaredError", "LoopBinaryCrossEntropy", "LoopCategoricalCrossEntropy"]


class LoopMeanSquaredError(MeanSquaredError):
    """Mean squared error with loops::

        L = (1 / (m n_y)) sum_i sum_k (Y_hat[i, k] - Y[i, k])^2
        dY_hat[i, k] = 2 (Y_hat[i, k] - Y[i, k]) / (m n_y)
    """

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        _check_pair(Y_hat, Y, type(self).__name__)
        self._Y_hat, self._Y = Y_hat, Y
        m, n = Y_hat.shape
        total = 0.0
        for i in range(m):
            for k in range(n):
                d = float(Y_hat[i, k]) - float(Y[i, k])
                total += d * d
        return total / (m * n)

    def backward(self) -> np.ndarray:
        Y_hat, Y = self._saved()
        m, n = Y_hat.shape
        dY_hat = np.empty_like(Y_hat)
        for i in range(m):
            for k in range(n):
                dY_hat[i, k] = (Y_hat[i, k] - Y[i, k]) * (2.0 / (m * n))
        return dY_hat


class LoopBinaryCrossEntropy(BinaryCrossEntropy):
    """Binary cross-entropy with loops (labels in [0, 1]), size = m n_y.

    Standalone, with a = clip(Y_hat[i, k], EPSILON, 1 - EPSILON)::

        L = -(1 / size) sum_i sum_k (y log a + (1 - y) log(1 - a))
        dY_hat[i, k] = (a - y) / (a (1 - a) size)

    Fused with a Sigmoid, from the logits z = Z[i, k] (stable softplus)::

        L = (1 / size) sum_i sum_k (softplus(z) - y z)
        dZ[i, k] = (sigma(z) - y) / size
    """

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        _check_pair(Y_hat, Y, type(self).__name__)
        self._Y_hat, self._Y = Y_hat, Y
        m, n = Y_hat.shape
        total = 0.0
        for i in range(m):
            for k in range(n):
                a = min(max(float(Y_hat[i, k]), EPSILON), 1 - EPSILON)
                y = float(Y[i, k])
                total += y * math.log(a) + (1 - y) * math.log1p(-a)
        return -total / (m * n)

    def backward(self) -> np.ndarray:
        Y_hat, Y = self._saved()
        m, n = Y_hat.shape
        dY_hat = np.empty_like(Y_hat)
        for i in range(m):
            for k in range(n):
                a = min(max(float(Y_hat[i, k]), EPSILON), 1 - EPSILON)
                dY_hat[i, k] = (a - Y[i, k]) / (a * (1 - a) * (m * n))
        return dY_hat

    def forward_logits(self, Z: np.ndarray, Y: np.ndarray, A: np.ndarray | None = None) -> float:
        _check_pair(Z, Y, type(self).__name__)
        m, n = Z.shape
        if A is None:
            A = np.empty_like(Z)
            for i in range(m):
                for k in range(n):
                    A[i, k] = sigmoid(float(Z[i, k]))
        self._A, self._Y = A, Y
        total = 0.0
        for i in range(m):
            for k in range(n):
                z = float(Z[i, k])
                total += softplus(z) - float(Y[i, k]) * z
        return total / (m * n)

    def backward_logits(self) -> np.ndarray:
        A, Y = self._A, self._Y
        m, n = A.shape
        dZ = np.empty_like(A)
        for i in range(m):
            for k in range(n):
                dZ[i, k] = (A[i, k] - Y[i, k]) * (1.0 / (m * n))
        return dZ


class LoopCategoricalCrossEntropy(CategoricalCrossEntropy):
    """Categorical cross-entropy with loops; Y one-hot (m, K) or integer labels (m,).

    Standalone, with a = clip(Y_hat[i, k], EPSILON, 1)::

        L = -(1 / m) sum_i sum_k Y[i, k] log a;   dY_hat[i, k] = -Y[i, k] / (a m)

    Fused with a Softmax, from the logits shifted by their row maximum, S = Z[i, k] - max_c Z[i, c]::

        L = (1 / m) sum_i sum_k Y[i, k] (log sum_c exp(S[i, c]) - S[i, k])
        dZ[i, k] = (A[i, k] - Y[i, k]) / m
    """

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        Y = _one_hot_looped(Y, Y_hat)
        _check_pair(Y_hat, Y, type(self).__name__)
        self._Y_hat, self._Y = Y_hat, Y
        m, n = Y_hat.shape
        total = 0.0
        for i in range(m):
            for k in range(n):
                total += float(Y[i, k]) * math.log(min(max(float(Y_hat[i, k]), EPSILON), 1.0))
        return -total / m

    def backward(self) -> np.ndarray:
        Y_hat, Y = self._saved()
        m, n = Y_hat.shape
        dY_hat = np.empty_like(Y_hat)
        for i in range(m):
            for k in range(n):
                a = min(max(float(Y_hat[i, k]), EPSILON), 1.0)
                dY_hat[i, k] = -Y[i, k] / (a * m)
        return dY_hat

    def forward_logits(self, Z: np.ndarray, Y: np.ndarray, A: np.ndarray | None = None) -> float:
        Y = _one_hot_looped(Y, Z)
        _check_pair(Z, Y, type(self).__name__)
        m, n = Z.shape
        fill_A = A is None
        if fill_A:
            A = np.empty_like(Z)
        total = 0.0
        for i in range(m):
            z_max = float(Z[i, 0])
            for k in range(1, n):
                z_max = max(z_max, float(Z[i, k]))
            norm = 0.0
            for k in range(n):
                norm += math.exp(float(Z[i, k]) - z_max)
            log_norm = math.log(norm)
            for k in range(n):
                # Shifted by the row maximum first, so large logits lose no digits.
                shifted = float(Z[i, k]) - z_max
                total += float(Y[i, k]) * (log_norm - shifted)
                if fill_A:
                    A[i, k] = math.exp(shifted - log_norm)
        self._A, self._Y = A, Y
        return total / m

    def backward_logits(self) -> np.ndarray:
        A, Y = self._A, self._Y
        m, n = A.shape
        dZ = np.empty_like(A)
        for i in range(m):
            for k in range(n):
                dZ[i, k] = (A[i, k] - Y[i, k]) * (1.0 / m)
        return dZ


def _check_pair(Y_hat: np.ndarray, Y: np.ndarray, where: str) -> None:
    check_2d(Y_hat, "Y_hat", where)
    check_2d(Y, "Y", where)
    if Y.shape != Y_hat.shape:
        raise ValueError(
            f"{where}: Y must have the shape of Y_hat {Y_hat.shape}; got Y of shape {Y.shape}."
        )


def _one_hot_looped(Y: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Integer labels (m,) or (m, 1) -> one-hot (m, K) like ``like``; a one-hot Y is returned as is."""
    if Y.ndim == 1 or (Y.ndim == 2 and Y.shape[1] == 1 and like.shape[1] > 1):
        m, n = like.shape
        onehot = np.zeros((m, n), dtype=like.dtype)
        for i in range(m):
            label = int(Y[i] if Y.ndim == 1 else Y[i, 0])
            if not 0 <= label < n:
                raise ValueError(f"labels must be integers in [0, {n}); got {label} at index {i}.")
            onehot[i, label] = 1
        return onehot
    return Y
