"""Looped twins of Dense and the activations, written the way the course writes them first.

Every value is computed by explicit Python for-loops over examples i and units k (and input
features j), one scalar at a time: no ``@``, no ``np.dot`` and no whole-array ufunc touches
the data. NumPy is used only to allocate the output arrays. They are slow on purpose: they are
the test oracle for the vectorized layers and the "before" of ``benchmarks/vectorization.py``.

Why subclasses of the vectorized layers
---------------------------------------
Each ``LoopX`` subclasses its vectorized twin ``X`` and overrides only ``forward`` and
``backward``. So a looped layer is the same layer to everything around it:

* ``LoopDense`` has Dense's constructor, initializers, ``build``, ``params``/``grads`` arrays,
  ``get_config`` and the course's ``'W1'``/``'b1'`` numbering in ``Sequential.get_parameters``;
  seeded the same way, it starts from bit-identical parameters.
* ``Sequential`` recognizes its fused output paths with ``isinstance`` (Sigmoid followed by
  BinaryCrossEntropy, Softmax followed by CategoricalCrossEntropy): ``LoopSigmoid`` and
  ``LoopSoftmax`` take exactly the same fused path as ``Sigmoid`` and ``Softmax``, so a looped
  model and its vectorized twin run the same sequence of operations and agree to rounding.

The caches hold the same things as the twins' caches (A for ReLU, Sigmoid, Tanh and Softmax,
the mask Z > 0 for LeakyReLU, A_prev for Dense).

The activations compute in Python floats (``float(Z[i, j])``), which never signal: a result
below the smallest normal float rounds quietly, as the vectorized twins' ``np.errstate(under=
"ignore")`` lets it, so neither raises under ``np.seterr(all="raise")``. For float64 arrays the
numbers are those of NumPy's float64 scalars, bit for bit. The smooth activations' twins
(ELU, GELU, Softplus, Swish) are in :mod:`neuralkit.reference.smooth_layers`, those of SELU,
Softsign, ReLU6, HardSigmoid, Mish and Exponential in :mod:`neuralkit.reference.more_layers`.
"""

from __future__ import annotations

import math

import numpy as np

from ..layers.activations import LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from ..layers.dense import Dense
from ._scalar import check_2d, sigmoid

__all__ = ["LoopDense", "LoopLinear", "LoopReLU", "LoopLeakyReLU", "LoopSigmoid", "LoopTanh",
           "LoopSoftmax"]


class LoopDense(Dense):
    """Dense with loops: the course's per-example ``z = W a_prev + b`` and its backward.

    Forward, for each example i and unit k::

        Z[i, k] = b[k] + sum_j W[k, j] * A_prev[i, j]

    Backward, given dZ (m, n[l]), accumulating example by example as the course's
    non-vectorized gradient descent does::

        dW[k, j]      += dZ[i, k] * A_prev[i, j]        dW (n[l], n[l-1])
        db[k]         += dZ[i, k]                       db (n[l],)
        dA_prev[i, j] += dZ[i, k] * W[k, j]             dA_prev (m, n[l-1])

    Same parameters as :class:`~neuralkit.layers.Dense` (units, kernel_initializer,
    input_dim, name); ``W`` (n[l], n[l-1]) and ``b`` (n[l],) live in the same arrays.
    """

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(A_prev, "A_prev", f"LoopDense '{self.name}'")
        W, b = self.params["W"], self.params["b"]
        m, n_prev = A_prev.shape
        units = self.units
        if n_prev != W.shape[1]:
            raise ValueError(
                f"LoopDense '{self.name}': A_prev has {n_prev} features but W expects "
                f"{W.shape[1]}; got A_prev of shape {A_prev.shape}."
            )
        self.cache = A_prev
        Z = np.empty((m, units), dtype=np.result_type(A_prev.dtype, W.dtype))
        for i in range(m):
            for k in range(units):
                z = 0.0
                for j in range(n_prev):
                    z += W[k, j] * A_prev[i, j]
                Z[i, k] = z + b[k]
        return Z

    def backward(self, dZ: np.ndarray) -> np.ndarray | None:
        A_prev = self.cache
        check_2d(dZ, "dZ", f"LoopDense '{self.name}'")
        W = self.params["W"]
        dW, db = self.grads["W"], self.grads["b"]
        m, n_prev = A_prev.shape
        units = self.units
        if dZ.shape != (m, units):
            raise ValueError(
                f"LoopDense '{self.name}': dZ must have shape {(m, units)} (the forward "
                f"output's); got {dZ.shape}."
            )
        want_dA = self.needs_input_grad
        dA_prev = np.zeros((m, n_prev), dtype=np.result_type(dZ.dtype, W.dtype)) if want_dA else None
        # Accumulated in place into the arrays made at build, as the vectorized Dense does.
        for k in range(units):
            db[k] = 0.0
            for j in range(n_prev):
                dW[k, j] = 0.0
        for i in range(m):
            for k in range(units):
                dz = dZ[i, k]
                db[k] += dz
                for j in range(n_prev):
                    dW[k, j] += dz * A_prev[i, j]
                    if want_dA:
                        dA_prev[i, j] += dz * W[k, j]
        return dA_prev


class LoopLinear(Linear):
    """Identity with loops: A[i, j] = Z[i, j];  dZ[i, j] = dA[i, j] (a copy, element by element)."""

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopLinear '{self.name}'")
        self.cache = None
        A = np.empty_like(Z)
        m, n = Z.shape
        for i in range(m):
            for j in range(n):
                A[i, j] = Z[i, j]
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        self.cache  # noqa: B018 - raises if forward has not run
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                dZ[i, j] = dA[i, j]
        return dZ


class LoopReLU(ReLU):
    """ReLU with loops: A[i, j] = Z[i, j] if Z[i, j] > 0 else 0;  dZ[i, j] = dA[i, j] if A[i, j] > 0 else 0.

    The derivative at 0 is taken as 0, as in :class:`~neuralkit.layers.ReLU`.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopReLU '{self.name}'")
        A = np.empty_like(Z)
        m, n = Z.shape
        for i in range(m):
            for j in range(n):
                z = Z[i, j]
                # Written "<= 0" so that a NaN passes through, as np.maximum lets it.
                A[i, j] = 0.0 if z <= 0 else z
        self.cache = A
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        A = self.cache
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                dZ[i, j] = dA[i, j] if A[i, j] > 0 else 0.0
        return dZ


class LoopLeakyReLU(LeakyReLU):
    """LeakyReLU with loops: A[i, j] = Z if Z > 0 else alpha Z;  dZ[i, j] = dA if Z > 0 else alpha dA."""

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopLeakyReLU '{self.name}'")
        alpha = self.alpha
        A = np.empty_like(Z)
        m, n = Z.shape
        positive = np.empty((m, n), dtype=bool)
        for i in range(m):
            for j in range(n):
                z = float(Z[i, j])
                positive[i, j] = z > 0
                A[i, j] = z if z > 0 else alpha * z
        self.cache = positive
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        positive = self.cache
        alpha = self.alpha
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                dZ[i, j] = dA[i, j] if positive[i, j] else alpha * float(dA[i, j])
        return dZ


class LoopSigmoid(Sigmoid):
    """Sigmoid with loops: A[i, j] = sigma(Z[i, j]);  dZ[i, j] = dA[i, j] A[i, j] (1 - A[i, j]).

    The scalar sigma is the stable one of ``neuralkit.reference._scalar.sigmoid``: it never
    exponentiates a positive number, so Z = +-1000 gives exactly 1 and 0 with no overflow.
    Being a Sigmoid, it is fused with a following BinaryCrossEntropy by Sequential, whose
    backward is then skipped, exactly as for the vectorized Sigmoid.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopSigmoid '{self.name}'")
        A = np.empty_like(Z)
        m, n = Z.shape
        for i in range(m):
            for j in range(n):
                A[i, j] = sigmoid(float(Z[i, j]))
        self.cache = A
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        A = self.cache
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                a = float(A[i, j])
                dZ[i, j] = float(dA[i, j]) * a * (1 - a)
        return dZ


class LoopTanh(Tanh):
    """Tanh with loops: A[i, j] = tanh(Z[i, j]);  dZ[i, j] = dA[i, j] (1 - A[i, j]^2)."""

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopTanh '{self.name}'")
        A = np.empty_like(Z)
        m, n = Z.shape
        for i in range(m):
            for j in range(n):
                A[i, j] = math.tanh(Z[i, j])  # saturates to +-1, never overflows
        self.cache = A
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        A = self.cache
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            for j in range(n):
                a = float(A[i, j])
                dZ[i, j] = float(dA[i, j]) * (1 - a * a)
        return dZ


class LoopSoftmax(Softmax):
    """Softmax with loops, row by row (example by example).

    Forward, for each example i, with the row maximum subtracted so exp never overflows::

        A[i, k] = exp(Z[i, k] - max_c Z[i, c]) / sum_c exp(Z[i, c] - max_c Z[i, c])

    Backward (the Jacobian-vector product of each row)::

        s_i      = sum_c dA[i, c] A[i, c]
        dZ[i, k] = A[i, k] (dA[i, k] - s_i)

    Being a Softmax, it is fused with a following CategoricalCrossEntropy by Sequential,
    exactly as the vectorized Softmax is.
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        check_2d(Z, "Z", f"LoopSoftmax '{self.name}'")
        A = np.empty_like(Z)
        m, n = Z.shape
        for i in range(m):
            z_max = float(Z[i, 0])
            for k in range(1, n):
                if Z[i, k] > z_max:
                    z_max = float(Z[i, k])
            exps = []
            total = 0.0
            for k in range(n):
                e = math.exp(float(Z[i, k]) - z_max)
                exps.append(e)
                total += e
            for k in range(n):
                A[i, k] = exps[k] / total
        self.cache = A
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        A = self.cache
        dZ = np.empty_like(dA)
        m, n = dA.shape
        for i in range(m):
            s = 0.0
            for k in range(n):
                s += float(dA[i, k]) * float(A[i, k])
            for k in range(n):
                dZ[i, k] = float(A[i, k]) * (float(dA[i, k]) - s)
        return dZ
