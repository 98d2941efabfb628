"""Gradient clipping, as every optimizer applies it before its update (Keras 3's options).

``clipnorm`` rescales each parameter's gradient to an L2 norm of at most ``clipnorm``;
``global_clipnorm`` rescales all the gradients of a step together, by their joint norm;
``clipvalue`` clips each element to [-clipvalue, clipvalue]. The results go to an array the
caller supplies: the gradients themselves (the layers' arrays) are never written.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

__all__ = ["l2_norm", "clip_by_norm", "clip_by_value", "global_norm_scale"]


def l2_norm(arrays: Iterable[np.ndarray]) -> float:
    """sqrt(sum of squares) over every element of ``arrays``, as a float.

    One BLAS pass per array; an array whose squares overflow (|x| > ~1e19 in float32,
    ~1e154 in float64) is measured again scaled by its largest magnitude, so a finite gradient
    always has a finite norm. NaN when an element is NaN or inf.
    """
    flats = [np.ravel(a) for a in arrays]
    total = sum(float(np.vdot(flat, flat)) for flat in flats)
    if math.isfinite(total):
        return math.sqrt(total)
    if not all(np.isfinite(flat).all() for flat in flats):
        return math.nan
    big = max(float(np.max(np.abs(flat))) for flat in flats if flat.size)
    scaled = (np.divide(flat, big, dtype=np.float64) for flat in flats)
    return big * math.sqrt(sum(float(np.vdot(s, s)) for s in scaled))


def clip_by_norm(grad: np.ndarray, clipnorm: float, out: np.ndarray) -> np.ndarray:
    """``grad * clipnorm / ||grad||`` in ``out`` when ``||grad|| > clipnorm``, else ``grad``
    itself (unchanged, not copied). A gradient holding NaN or inf is returned as it is."""
    norm = l2_norm([grad])
    if not norm > clipnorm:  # also NaN: the update then fails, and the step is undone
        return grad
    return np.multiply(grad, clipnorm / norm, out=out)


def clip_by_value(grad: np.ndarray, clipvalue: float, out: np.ndarray) -> np.ndarray:
    """Each element of ``grad`` clipped to [-clipvalue, clipvalue], in ``out``."""
    return np.clip(grad, -clipvalue, clipvalue, out=out)


def global_norm_scale(grads: Iterable[np.ndarray], clipnorm: float) -> float | None:
    """The factor ``clipnorm / N`` that brings the joint norm N of ``grads`` down to
    ``clipnorm``, or None when ``N <= clipnorm`` (or N is NaN): no clipping."""
    norm = l2_norm(grads)
    return clipnorm / norm if norm > clipnorm else None
