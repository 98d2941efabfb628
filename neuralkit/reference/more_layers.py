"""Looped twins of SELU, Softsign, ReLU6, HardSigmoid, Mish and Exponential, one scalar at a time.

As in :mod:`neuralkit.reference.smooth_layers`: each ``LoopX`` subclasses its vectorized twin
``X`` and overrides only ``forward`` and ``backward``, with explicit for-loops over examples i
and units j and the ``math`` module's scalar functions on Python floats, which never signal an
underflow. ``math.exp`` and ``math.expm1`` raise OverflowError above about 709, so SELU's and
Mish's exponentials only ever see non-positive arguments. The caches hold what the twins'
caches hold.

Exponential's twin gives the same values as :class:`~neuralkit.layers.Exponential`, inf
included, but signals its overflow differently: where exp(z) exceeds the largest float64
(z > 709.78), ``math.exp`` raises OverflowError and the twin stores inf quietly; a float64
result beyond float32's range stored into a float32 array is NumPy's cast overflow, which the
caller's ``np.seterr`` governs, as it governs the vectorized layer's ``np.exp``.
"""

from __future__ import annotations

import math

import numpy as np

from ..layers.more_activations import (
    SELU,
    SELU_ALPHA,
    SELU_SCALE,
    Exponential,
    HardSigmoid,
    Mish,
    ReLU6,
    Softsign,
)
from ._scalar import check_2d, sigmoid, softplus

__all__ = ["LoopSELU", "LoopSoftsign", "LoopReLU6", "LoopHardSigmoid", "LoopMish",
           "LoopExponential"]


class LoopSELU(SELU):
    """SELU with loops: A[i, j] = scale (z if z > 0 else alpha expm1(z)), z = Z[i, j].

    Backward: dZ[i, j] = dA[i, j] scale (1 if z > 0 else alpha exp(z)). Caches Z.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopSELU '{self.name}'")
        A = np.empty_like(Z)
        m, n = Z.shape
        for i in range(m):
            for j in range(n):
                z = float(Z[i, j])
                A[i, j] = SELU_SCALE * (z if z > 0 else SELU_ALPHA * math.expm1(z))
        self.cache = Z
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        Z = self.cache
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                z, g = float(Z[i, j]), float(dA[i, j])
                slope = SELU_SCALE if z > 0 else (SELU_SCALE * SELU_ALPHA) * math.exp(z)
                dZ[i, j] = g * slope
        return dZ


class LoopSoftsign(Softsign):
    """Softsign with loops: d = 1 + |z|, A[i, j] = z / d;  dZ[i, j] = dA[i, j] / d / d.

    Caches the array of d, as the twin does.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopSoftsign '{self.name}'")
        A, D = np.empty_like(Z), np.empty_like(Z)
        m, n = Z.shape
        for i in range(m):
            for j in range(n):
                z = float(Z[i, j])
                d = 1.0 + abs(z)
                D[i, j] = d
                A[i, j] = z / d
        self.cache = D
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        D = self.cache
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                d = float(D[i, j])
                dZ[i, j] = float(dA[i, j]) / d / d
        return dZ


class LoopReLU6(ReLU6):
    """ReLU6 with loops: A[i, j] = 0 if z <= 0, 6 if z >= 6, else z;  dZ[i, j] = dA[i, j] [0 < z < 6].

    Caches the mask 0 < z < 6.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopReLU6 '{self.name}'")
        A = np.empty_like(Z)
        m, n = Z.shape
        inside = np.empty((m, n), dtype=bool)
        for i in range(m):
            for j in range(n):
                z = float(Z[i, j])
                inside[i, j] = 0 < z < 6
                A[i, j] = 0.0 if z <= 0 else (6.0 if z >= 6 else z)
        self.cache = inside
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        inside = self.cache
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                dZ[i, j] = dA[i, j] if inside[i, j] else 0.0
        return dZ


class LoopHardSigmoid(HardSigmoid):
    """HardSigmoid with loops: h = z / 6 + 1/2, A[i, j] = 0 if h <= 0, 1 if h >= 1, else h.

    Backward: dZ[i, j] = dA[i, j] / 6 if -3 < z < 3 else 0. Caches the mask -3 < z < 3.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopHardSigmoid '{self.name}'")
        A = np.empty_like(Z)
        m, n = Z.shape
        inside = np.empty((m, n), dtype=bool)
        for i in range(m):
            for j in range(n):
                z = float(Z[i, j])
                inside[i, j] = -3 < z < 3
                h = z / 6 + 0.5
                A[i, j] = 0.0 if h <= 0 else (1.0 if h >= 1 else h)
        self.cache = inside
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        inside = self.cache
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                dZ[i, j] = float(dA[i, j]) / 6 if inside[i, j] else 0.0
        return dZ


class LoopMish(Mish):
    """Mish with loops: t = tanh(softplus(z)), A[i, j] = z t, z = Z[i, j].

    Backward: dZ[i, j] = dA[i, j] (t + z (1 - t**2) sigmoid(z)), softplus and sigmoid the
    scalars of ``reference._scalar``. Caches Z and t.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopMish '{self.name}'")
        A, T = np.empty_like(Z), np.empty_like(Z)
        m, n = Z.shape
        for i in range(m):
            for j in range(n):
                z = float(Z[i, j])
                t = math.tanh(softplus(z))
                T[i, j] = t
                A[i, j] = z * t
        self.cache = (Z, T)
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        Z, T = self.cache
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                z, t = float(Z[i, j]), float(T[i, j])
                dZ[i, j] = float(dA[i, j]) * (t + z * (1 - t * t) * sigmoid(z))
        return dZ


class LoopExponential(Exponential):
    """Exponential with loops: A[i, j] = exp(z) (inf beyond the float64 range);  dZ = dA A.

    Caches A. How its overflow is signalled is in the module's docstring.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopExponential '{self.name}'")
        A = np.empty_like(Z)
        m, n = Z.shape
        for i in range(m):
            for j in range(n):
                try:
                    A[i, j] = math.exp(float(Z[i, j]))
                except OverflowError:
                    A[i, j] = math.inf
        self.cache = A
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        A = self.cache
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                dZ[i, j] = float(dA[i, j]) * float(A[i, j])
        return dZ
