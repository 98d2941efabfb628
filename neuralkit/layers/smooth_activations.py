"""The smooth activations of Keras 3's dense networks: ELU, GELU, Softplus and Swish (SiLU).

Each is ``A = g(Z)`` elementwise with no parameters, and its backward takes dA = dL/dA and
returns dZ = dA * g'(Z), as the activations of :mod:`neuralkit.layers.activations` do.

Stable for any finite Z, in float32 and float64, even under ``np.seterr(all="raise")``:

* Nothing overflows and nothing is invalid: an exponential only ever sees a non-positive
  argument (``expm1(min(Z, 0))``, ``logaddexp``, ``expit``, ``exp(-Z**2 / 2)``), and GELU's
  powers of Z are taken of Z clipped where the result no longer depends on it (its exponential
  or sigmoid is already exactly 0 or 1 there), so the numbers are those of the plain formula.
* Underflow is rounding, not an error: a result below the smallest normal float (exp(-Z**2/2)
  for large |Z|, a small gradient times a saturated derivative) becomes a subnormal or 0, its
  correctly rounded value. No arrangement of ``dA * g'(Z)`` avoids that without flushing small
  gradients to zero, so the maths run under ``np.errstate(under="ignore")``: every bit is
  kept, and the caller's settings for overflow, division and invalid operations stay in force.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import erfc

from .._numerics import sigmoid
from .._validation import check_number
from .base import Layer

__all__ = ["ELU", "GELU", "Softplus", "Swish", "SiLU"]

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_CUBIC = 0.044715
#: GELU's density exp(-Z**2 / 2) / sqrt(2 pi) is below 1e-347, so 0 in every float type, for
#: |Z| >= 40: Z**2 is taken of Z clipped to [-40, 40] (it would overflow for |Z| > 1.3e154).
PDF_LIMIT = 40.0
#: For |Z| >= 100, the tanh form's sigmoid(2 u) is exactly 0 or 1 (|2 u| > 70,000) and its
#: derivative exactly 0: u's cube is taken of Z clipped to [-100, 100] (float32 Z**3 overflows
#: for |Z| > 7e12).
TANH_LIMIT = 100.0


class ELU(Layer):
    """Exponential linear unit: A = Z if Z > 0 else alpha (exp(Z) - 1).

    Backward: dZ = dA if Z > 0 else dA * alpha exp(Z). Caches Z.

    The negative branch is computed as ``alpha * expm1(min(Z, 0))``: accurate near 0, and
    nothing overflows for a large positive Z, whose branch is not taken.

    Parameters
    ----------
    alpha : float, default 1.0
        Scale of the negative branch: A tends to -alpha as Z -> -inf, and the slope just
        below 0 is alpha (with alpha = 1 the slope is continuous at 0).
    """

    def __init__(self, alpha: float = 1.0, name: str | None = None, input_dim: int | None = None,
                 input_shape: tuple[int, ...] | None = None):
        super().__init__(name=name, input_dim=input_dim, input_shape=input_shape)
        self.alpha = check_number(alpha, "alpha", 0.0, low_inclusive=True)

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        self.cache = Z
        with np.errstate(under="ignore"):
            return np.where(Z > 0, Z, self.alpha * np.expm1(np.minimum(Z, 0)))

    def backward(self, dA: np.ndarray) -> np.ndarray:
        Z = self.cache
        with np.errstate(under="ignore"):
            return np.where(Z > 0, dA, dA * (self.alpha * np.exp(np.minimum(Z, 0))))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


class GELU(Layer):
    """Gaussian error linear unit: A = Z Phi(Z), Phi the standard normal distribution function.

    Exact (``approximate=False``, Keras's default)::

        A  = Z Phi(Z) = 0.5 Z (1 + erf(Z / sqrt(2)))
        dZ = dA * (Phi(Z) + Z phi(Z)),     phi(Z) = exp(-Z**2 / 2) / sqrt(2 pi)

    Phi is computed as ``0.5 * erfc(-Z / sqrt(2))`` (``scipy.special.erfc``): Keras's
    ``0.5 * (1 + erf(Z / sqrt(2)))`` without its cancellation for negative Z, so A keeps its
    relative accuracy in the left tail. Caches Z and Phi(Z).

    Tanh approximation (``approximate=True``), Keras's formula::

        u  = sqrt(2 / pi) (Z + 0.044715 Z**3)
        A  = 0.5 Z (1 + tanh(u)) = Z s,                        s = sigmoid(2 u)
        dZ = dA * (s + Z s (1 - s) 2 sqrt(2 / pi) (1 + 3 * 0.044715 Z**2))

    computed through s = sigmoid(2 u) (``scipy.special.expit``), the same function, as
    0.5 (1 + tanh(u)) = sigmoid(2 u) and 1 - tanh(u)**2 = 4 s (1 - s), without the cancellation
    of 1 + tanh(u) for negative Z. Caches Z and s.

    Parameters
    ----------
    approximate : bool, default False
        Use the tanh approximation instead of the exact erf form.
    """

    def __init__(self, approximate: bool = False, name: str | None = None,
                 input_dim: int | None = None, input_shape: tuple[int, ...] | None = None):
        super().__init__(name=name, input_dim=input_dim, input_shape=input_shape)
        if not isinstance(approximate, (bool, np.bool_)):
            raise TypeError(f"approximate must be True or False; got {approximate!r} "
                            f"({type(approximate).__name__}).")
        self.approximate = bool(approximate)

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        with np.errstate(under="ignore"):
            if self.approximate:
                Zc = np.clip(Z, -TANH_LIMIT, TANH_LIMIT)
                s = sigmoid((2 * _SQRT_2_OVER_PI) * (Zc + _CUBIC * (Zc * Zc * Zc)))
                self.cache = (Z, s)
                return Z * s
            Phi = 0.5 * erfc(Z * -_SQRT_HALF)
            self.cache = (Z, Phi)
            return Z * Phi

    def backward(self, dA: np.ndarray) -> np.ndarray:
        with np.errstate(under="ignore"):
            if self.approximate:
                Z, s = self.cache
                Zc = np.clip(Z, -TANH_LIMIT, TANH_LIMIT)
                du = (2 * _SQRT_2_OVER_PI) * (1 + (3 * _CUBIC) * (Zc * Zc))  # d(2u)/dZ
                return dA * (s + Z * (s * (1 - s)) * du)
            Z, Phi = self.cache
            Zc = np.clip(Z, -PDF_LIMIT, PDF_LIMIT)
            pdf = _INV_SQRT_2PI * np.exp(-0.5 * (Zc * Zc))
            return dA * (Phi + Z * pdf)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "approximate": self.approximate}


class Softplus(Layer):
    """A = log(1 + exp(Z));  dZ = dA * sigmoid(Z). Caches Z.

    Computed as ``np.logaddexp(0, Z)`` = max(Z, 0) + log1p(exp(-|Z|)): finite for any finite
    Z (A = Z to rounding for large Z, 0 or a subnormal for very negative Z). The derivative
    is ``scipy.special.expit``, which saturates to exactly 0 or 1.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        self.cache = Z
        with np.errstate(under="ignore"):
            return np.logaddexp(0, Z)

    def backward(self, dA: np.ndarray) -> np.ndarray:
        Z = self.cache
        with np.errstate(under="ignore"):
            return dA * sigmoid(Z)


class Swish(Layer):
    """Swish, also called SiLU: A = Z sigmoid(Z).

    Backward: dZ = dA * s (1 + Z (1 - s)), s = sigmoid(Z) (``scipy.special.expit``); the
    derivative of Z s is s + Z s (1 - s). Caches Z and s. Keras names it ``'swish'`` and
    ``'silu'``; :data:`SiLU` is this class.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        s = sigmoid(Z)
        self.cache = (Z, s)
        with np.errstate(under="ignore"):
            return Z * s

    def backward(self, dA: np.ndarray) -> np.ndarray:
        Z, s = self.cache
        with np.errstate(under="ignore"):
            return dA * (s * (1 + Z * (1 - s)))


#: Keras's other name for Swish (the same class: a SiLU is saved and loaded as a Swish).
SiLU = Swish
