"""Numerical kernels shared by layers and losses (a leaf module: NumPy and SciPy only).

Each is the plain formula arranged for speed at the shapes a training step meets; the
measurement behind each arrangement is in its docstring.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import expit

__all__ = ["ones", "sigmoid", "softmax"]


@functools.lru_cache(maxsize=32)
def ones(n: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of ``n`` ones, shared: ``ones(m, dt) @ M`` sums M's rows.

    Sums over an axis as a BLAS matrix-vector product are 2-10x faster than NumPy's
    reductions at the shapes a training step meets (a short reduced or kept axis).
    """
    vector = np.ones(n, dtype=dtype)
    vector.flags.writeable = False
    return vector


def sigmoid(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1 / (1 + exp(-Z)) by ``scipy.special.expit``: saturates to exactly 0 or 1, no overflow."""
    return expit(Z) if out is None else expit(Z, out=out)


def softmax(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise softmax of Z (m, K) and the parts the cross-entropy reuses.

    Returns ``(A, shifted, sums)``: ``shifted = Z - max_k Z`` (each row's largest entry is 0,
    so exp() <= 1 and nothing overflows for any finite Z), ``sums`` (m,) the row sums of
    ``exp(shifted)``, each >= 1, and ``A = exp(shifted) / sums``.
    """
    # NumPy reduces a short last axis slowly (K = 10: 2.5x slower than this); over the
    # first axis of a contiguous transposed copy, each step is one vectorized pass.
    row_max = (np.maximum.reduce(np.ascontiguousarray(Z.T), axis=0) if Z.shape[1] <= 64
               else np.maximum.reduce(Z, axis=1))
    shifted = Z - row_max[:, None]
    A = np.exp(shifted)
    # The row sums as a matrix-vector product, for the same reason.
    sums = A @ ones(A.shape[1], A.dtype)
    A /= sums[:, None]
    return A, shifted, sums
