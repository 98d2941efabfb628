"""Keras 3's other activations for dense networks: SELU, Softsign, ReLU6, HardSigmoid, Mish and
Exponential, as layers.

Keras 3 has them as activation functions and strings only (``keras.activations.selu``,
``activation="selu"``; its one layer among them is ``keras.layers.ReLU(max_value=6)``):
neuralkit makes every activation a layer, so ``activation="selu"`` gives a Dense a ``SELU()``.
The formulas are those of ``keras.src.activations.activations`` and its NumPy backend.

Each is ``A = g(Z)`` elementwise with no parameters, and its backward takes dA = dL/dA and
returns dZ = dA * g'(Z), as the activations of :mod:`neuralkit.layers.activations` do. At a kink
(ReLU6 at 0 and 6, HardSigmoid at -3 and 3) the derivative is taken as 0, as ReLU's at 0 and
PyTorch's.

Stability, in float32 and float64, under ``np.seterr(all="raise")``:

* SELU, Softsign, ReLU6, HardSigmoid and Mish never overflow nor make a NaN for a finite Z
  (SELU's ``scale * Z`` only above ``max / 1.0507``, where the true value is no float either):
  an exponential only ever sees a non-positive argument (``expm1(min(Z, 0))``, ``logaddexp``,
  ``expit``), and Softsign's derivative 1 / (1 + |Z|)**2 is taken as two divisions by
  1 + |Z| >= 1, never as the square, which overflows for |Z| > 1e154.
* Exponential is exp(Z), which exceeds the largest float for Z > log(max) (709.78 in float64,
  88.72 in float32). There it is inf, as ``np.exp`` and Keras's ``ops.exp`` give, and the
  overflow is signalled as ``np.exp`` signals it, by the caller's ``np.seterr``: a
  RuntimeWarning by default, a FloatingPointError under ``"raise"``, nothing under
  ``"ignore"``. Below that, nothing is signalled.
* Underflow is rounding, not an error (a tiny Z / 6, a small gradient times a saturated
  derivative, exp of a very negative Z): the maths run under ``np.errstate(under="ignore")``,
  as in :mod:`neuralkit.layers.smooth_activations`, and the caller's settings for overflow,
  division and invalid operations stay in force.
"""

from __future__ import annotations

import numpy as np

from .._numerics import sigmoid
from .base import Layer

__all__ = ["SELU", "Softsign", "ReLU6", "HardSigmoid", "Mish", "Exponential",
           "SELU_ALPHA", "SELU_SCALE"]

#: SELU's constants, to the digits of Keras's backends and PyTorch (Keras's docstring rounds
#: them to 1.67326324 and 1.05070098).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class SELU(Layer):
    """Scaled exponential linear unit: A = scale (Z if Z > 0 else alpha (exp(Z) - 1)).

    Backward: dZ = dA * scale (1 if Z > 0 else alpha exp(Z)). Caches Z.

    ``alpha`` = 1.6732632423543772 and ``scale`` = 1.0507009873554805 (:data:`SELU_ALPHA`,
    :data:`SELU_SCALE`) are fixed, as in Keras: with LeCun-normal weights they keep the mean
    and variance of the activations (Klambauer et al., 2017). Computed as Keras's
    ``scale * elu(Z, alpha)``, the negative branch as ``alpha * expm1(min(Z, 0))``.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        self.cache = Z
        with np.errstate(under="ignore"):
            return SELU_SCALE * np.where(Z > 0, Z, SELU_ALPHA * np.expm1(np.minimum(Z, 0)))

    def backward(self, dA: np.ndarray) -> np.ndarray:
        Z = self.cache
        with np.errstate(under="ignore"):
            slope = np.where(Z > 0, SELU_SCALE, (SELU_SCALE * SELU_ALPHA) * np.exp(np.minimum(Z, 0)))
            return dA * slope.astype(dA.dtype, copy=False)


class Softsign(Layer):
    """A = Z / (1 + |Z|);  dZ = dA / (1 + |Z|)**2. Caches 1 + |Z|.

    The derivative is computed as ``dA / d / d``, d = 1 + |Z| >= 1: no square to overflow.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        d = 1 + np.abs(Z)
        self.cache = d
        with np.errstate(under="ignore"):
            return Z / d

    def backward(self, dA: np.ndarray) -> np.ndarray:
        d = self.cache
        with np.errstate(under="ignore"):
            return dA / d / d


class ReLU6(Layer):
    """A = min(max(Z, 0), 6);  dZ = dA * [0 < Z < 6]. Caches the mask 0 < Z < 6.

    Keras's ``activation="relu6"`` (``keras.layers.ReLU(max_value=6)``); the derivative at the
    kinks 0 and 6 is taken as 0, as ReLU's at 0.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        self.cache = (Z > 0) & (Z < 6)
        return np.minimum(np.maximum(Z, 0), 6).astype(Z.dtype, copy=False)

    def backward(self, dA: np.ndarray) -> np.ndarray:
        return dA * self.cache


class HardSigmoid(Layer):
    """Keras 3's hard sigmoid: A = clip(Z / 6 + 1/2, 0, 1), computed so, as Keras does.

    Backward: dZ = dA / 6 where -3 < Z < 3, else 0 (0 at the kinks too). Caches the mask
    -3 < Z < 3. This is PyTorch's ``hardsigmoid``; Keras 2 and ONNX's default used a slope of
    0.2 instead (ONNX's ``HardSigmoid`` with alpha = 1/6 and beta = 1/2 is this one).
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        self.cache = (Z > -3) & (Z < 3)
        with np.errstate(under="ignore"):  # Z / 6 of a subnormal Z
            return np.clip(Z / 6 + 0.5, 0, 1).astype(Z.dtype, copy=False)

    def backward(self, dA: np.ndarray) -> np.ndarray:
        with np.errstate(under="ignore"):
            return np.where(self.cache, dA / 6, 0).astype(dA.dtype, copy=False)


class Mish(Layer):
    """Mish: A = Z tanh(softplus(Z)), softplus(Z) = log(1 + exp(Z)) (Misra, 2019).

    Backward, with t = tanh(softplus(Z)) and softplus' = sigmoid::

        dZ = dA * (t + Z (1 - t**2) sigmoid(Z))

    softplus is ``np.logaddexp(0, Z)`` (finite for any finite Z, as in :class:`Softplus`) and
    sigmoid ``scipy.special.expit``: for a large Z, t is exactly 1 and A = Z; for a very
    negative Z, t = softplus(Z) to rounding and A = Z exp(Z) tends to -0. Caches Z and t.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        with np.errstate(under="ignore"):
            t = np.tanh(np.logaddexp(0, Z))
            self.cache = (Z, t)
            return Z * t

    def backward(self, dA: np.ndarray) -> np.ndarray:
        Z, t = self.cache
        with np.errstate(under="ignore"):
            return dA * (t + Z * (1 - t * t) * sigmoid(Z))


class Exponential(Layer):
    """A = exp(Z);  dZ = dA * A. Caches A.

    exp(Z) is inf for Z > log(max) (709.78 in float64, 88.72 in float32), and that overflow
    is signalled as ``np.exp`` signals it, by the caller's ``np.seterr`` (a RuntimeWarning by
    default, a FloatingPointError under ``"raise"``): the module's docstring says why. For a
    very negative Z, A is 0 or a subnormal, quietly.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        with np.errstate(under="ignore"):
            A = np.exp(Z)
        self.cache = A
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        A = self.cache
        with np.errstate(under="ignore"):
            return dA * A
