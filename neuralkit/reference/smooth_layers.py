"""Looped twins of the smooth activations (ELU, GELU, Softplus, Swish), one scalar at a time.

As in :mod:`neuralkit.reference.layers`: each ``LoopX`` subclasses its vectorized twin ``X``
and overrides only ``forward`` and ``backward``, with explicit for-loops over examples i and
units j and the ``math`` module's scalar functions on Python floats (which never signal, so
nothing raises under ``np.seterr(all="raise")``). ``math.exp`` and ``math.expm1`` raise
OverflowError above about 709, so they only ever see non-positive arguments, and GELU's powers
of z are taken of z clipped where the vectorized twin clips it. The caches hold what the twins'
caches hold.
"""

from __future__ import annotations

import math

import numpy as np

from ..layers.smooth_activations import ELU, GELU, PDF_LIMIT, TANH_LIMIT, Softplus, Swish
from ._scalar import check_2d, sigmoid, softplus

__all__ = ["LoopELU", "LoopGELU", "LoopSoftplus", "LoopSwish"]

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TWO_SQRT_2_OVER_PI = 2.0 * math.sqrt(2.0 / math.pi)
_CUBIC = 0.044715


def _clip(z: float, limit: float) -> float:
    return -limit if z < -limit else (limit if z > limit else z)


class LoopELU(ELU):
    """ELU with loops: A[i, j] = z if z > 0 else alpha expm1(z), z = Z[i, j].

    Backward: dZ[i, j] = dA[i, j] if z > 0 else dA[i, j] alpha exp(z). Caches Z.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopELU '{self.name}'")
        alpha = self.alpha
        A = np.empty_like(Z)
        m, n = Z.shape
        for i in range(m):
            for j in range(n):
                z = float(Z[i, j])
                A[i, j] = z if z > 0 else alpha * math.expm1(z)
        self.cache = Z
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        Z = self.cache
        alpha = self.alpha
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                z, g = float(Z[i, j]), float(dA[i, j])
                dZ[i, j] = g if z > 0 else g * (alpha * math.exp(z))
        return dZ


class LoopGELU(GELU):
    """GELU with loops, z = Z[i, j], exact or with the tanh approximation.

    Exact: phi_cdf = erfc(-z / sqrt(2)) / 2, A[i, j] = z phi_cdf;
    dZ[i, j] = dA[i, j] (phi_cdf + z exp(-z**2 / 2) / sqrt(2 pi)). Caches Z and phi_cdf.

    Approximate: s = sigmoid(2 sqrt(2 / pi) (z + 0.044715 z**3)), A[i, j] = z s;
    dZ[i, j] = dA[i, j] (s + z s (1 - s) 2 sqrt(2 / pi) (1 + 3 * 0.044715 z**2)). Caches Z and s.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopGELU '{self.name}'")
        A, kept = np.empty_like(Z), np.empty_like(Z)
        m, n = Z.shape
        for i in range(m):
            for j in range(n):
                z = float(Z[i, j])
                if self.approximate:
                    zc = _clip(z, TANH_LIMIT)
                    value = sigmoid(_TWO_SQRT_2_OVER_PI * (zc + _CUBIC * (zc * zc * zc)))
                else:
                    value = 0.5 * math.erfc(z * -_SQRT_HALF)
                kept[i, j] = value
                A[i, j] = z * value
        self.cache = (Z, kept)
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        Z, kept = self.cache
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                z, g, value = float(Z[i, j]), float(dA[i, j]), float(kept[i, j])
                if self.approximate:
                    zc = _clip(z, TANH_LIMIT)
                    du = _TWO_SQRT_2_OVER_PI * (1 + (3 * _CUBIC) * (zc * zc))
                    dZ[i, j] = g * (value + z * (value * (1 - value)) * du)
                else:
                    zc = _clip(z, PDF_LIMIT)
                    dZ[i, j] = g * (value + z * (_INV_SQRT_2PI * math.exp(-0.5 * (zc * zc))))
        return dZ


class LoopSoftplus(Softplus):
    """Softplus with loops: A[i, j] = max(z, 0) + log1p(exp(-|z|)) = log(1 + exp(z)), z = Z[i, j].

    Backward: dZ[i, j] = dA[i, j] sigmoid(z), both scalars of ``reference._scalar``. Caches Z.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopSoftplus '{self.name}'")
        A = np.empty_like(Z)
        m, n = Z.shape
        for i in range(m):
            for j in range(n):
                A[i, j] = softplus(float(Z[i, j]))
        self.cache = Z
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        Z = self.cache
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                dZ[i, j] = float(dA[i, j]) * sigmoid(float(Z[i, j]))
        return dZ


class LoopSwish(Swish):
    """Swish (SiLU) with loops: s = sigmoid(z), A[i, j] = z s, z = Z[i, j].

    Backward: dZ[i, j] = dA[i, j] s (1 + z (1 - s)). Caches Z and s.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopSwish '{self.name}'")
        A, S = np.empty_like(Z), np.empty_like(Z)
        m, n = Z.shape
        for i in range(m):
            for j in range(n):
                z = float(Z[i, j])
                s = sigmoid(z)
                S[i, j] = s
                A[i, j] = z * s
        self.cache = (Z, S)
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        Z, S = self.cache
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                z, s = float(Z[i, j]), float(S[i, j])
                dZ[i, j] = float(dA[i, j]) * (s * (1 + z * (1 - s)))
        return dZ
