"""Scalar maths for the looped twins: one Python float in, one out, never an overflow.

``math.exp`` raises OverflowError above about 709, so every formula here only ever
exponentiates a non-positive number.
"""

from __future__ import annotations

import math

__all__ = ["sigmoid", "softplus", "check_2d"]


def sigmoid(z: float) -> float:
    """sigma(z) = 1 / (1 + exp(-z)), stable for any finite z.

    For z >= 0 it is 1 / (1 + exp(-z)); for z < 0 the same value is written
    exp(z) / (1 + exp(z)), so exp only ever sees -|z| <= 0 and saturates to 0 quietly.
    """
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def softplus(z: float) -> float:
    """log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|)), stable for any finite z."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def check_2d(array: object, name: str, where: str) -> None:
    """Raise a clear ValueError unless ``array`` is a 2-D array (the loops index [i, j])."""
    ndim = getattr(array, "ndim", None)
    if ndim != 2:
        shape = getattr(array, "shape", type(array).__name__)
        raise ValueError(
            f"{where}: {name} must be a 2-D array with samples as rows, shape (m, n); "
            f"got {shape}."
        )
