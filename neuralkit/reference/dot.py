"""The course's first vectorization demonstration: a dot product, looped and vectorized.

The course times ``c = np.dot(a, b)`` against::

    c = 0
    for i in range(n):
        c += a[i] * b[i]

on two vectors of a million random numbers.
"""

from __future__ import annotations

import numpy as np

__all__ = ["dot_looped", "dot_vectorized"]


def dot_looped(a: np.ndarray, b: np.ndarray) -> float:
    """c = sum_i a[i] b[i], one product at a time. a, b: 1-D arrays of the same length n."""
    _check_vectors(a, b)
    c = 0.0
    for i in range(a.shape[0]):
        c += a[i] * b[i]
    return float(c)


def dot_vectorized(a: np.ndarray, b: np.ndarray) -> float:
    """c = np.dot(a, b) for 1-D arrays a, b of the same length n."""
    _check_vectors(a, b)
    return float(np.dot(a, b))


def _check_vectors(a: np.ndarray, b: np.ndarray) -> None:
    for name, v in (("a", a), ("b", b)):
        if not isinstance(v, np.ndarray) or v.ndim != 1:
            raise ValueError(f"{name} must be a 1-D NumPy array; got "
                             f"{getattr(v, 'shape', type(v).__name__)}.")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same length; got {a.shape[0]} and {b.shape[0]}.")
