"""The pooling functions of "Convolution model, Step by Step" (Course 4, week 1), computed by
neuralkit's MaxPooling2D and AveragePooling2D (see :mod:`neuralkit.course`).

The assignment's layouts: images A_prev (m, n_H_prev, n_W_prev, n_C), channels last as in
neuralkit; ``hparameters = {"f": f, "stride": s}`` (square f x f windows, no padding); a pooling
cache ``(A_prev, hparameters)``; modes ``"max"`` and ``"average"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..layers.base import Layer
from ..layers.pooling import AveragePooling2D, MaxPooling2D

__all__ = ["pool_forward", "create_mask_from_window", "distribute_value", "pool_backward"]

#: The assignment's pooling cache: (A_prev, hparameters).
PoolCache = tuple[np.ndarray, dict[str, int]]

_MODES = {"max": MaxPooling2D, "average": AveragePooling2D}


def _images(A: Any, name: str) -> np.ndarray:
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 4:
        raise ValueError(f"{name} must be a batch of images (m, n_H, n_W, n_C), channels last; "
                         f"got shape {A.shape}.")
    return A


def _layer(hparameters: Any, mode: Any) -> Layer:
    if not isinstance(mode, str) or mode not in _MODES:
        raise ValueError(f"mode must be 'max' or 'average'; got {mode!r}.")
    if not isinstance(hparameters, dict) or not {"f", "stride"} <= set(hparameters):
        raise ValueError("hparameters must be a dict {'f': f, 'stride': stride}; got "
                         f"{hparameters!r}.")
    return _MODES[mode](pool_size=hparameters["f"], strides=hparameters["stride"])


def pool_forward(A_prev: Any, hparameters: dict[str, int],
                 mode: str = "max") -> tuple[np.ndarray, PoolCache]:
    """Max or average pooling of A_prev over f x f windows moved by ``stride``.

    Runs :class:`~neuralkit.layers.MaxPooling2D` or :class:`~neuralkit.layers.AveragePooling2D`
    with ``pool_size=f, strides=stride, padding='valid'``.

    Parameters
    ----------
    A_prev : array, shape (m, n_H_prev, n_W_prev, n_C)
    hparameters : dict
        ``{"f": f, "stride": stride}``.
    mode : {'max', 'average'}, default 'max'

    Returns
    -------
    A : ndarray, shape (m, n_H, n_W, n_C)
        ``n_H = int(1 + (n_H_prev - f) / stride)``, likewise n_W.
    cache : tuple
        ``(A_prev, hparameters)``, the assignment's.
    """
    A_prev = _images(A_prev, "A_prev")
    layer = _layer(hparameters, mode)
    A = layer.forward(A_prev, training=True)
    return A, (A_prev, hparameters)


def create_mask_from_window(x: Any) -> np.ndarray:
    """A boolean mask of x's shape, True at x's maximum.

    Computed as the gradient that :class:`~neuralkit.layers.MaxPooling2D` passes back through
    one window covering x. Where x has several equal maxima, only the first in row-major order
    is True (the layer's rule, PyTorch's and TensorFlow's); the assignment's ``x == np.max(x)``
    marks them all, and so passes the gradient on several times.

    Parameters
    ----------
    x : array, shape (f, f)
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"x must be one 2-D window (f, f); got shape {x.shape}.")
    layer = MaxPooling2D(pool_size=x.shape)
    layer.forward(x[None, :, :, None])
    return layer.backward(np.ones((1, 1, 1, 1)))[0, :, :, 0] != 0


def distribute_value(dz: float, shape: tuple[int, int]) -> np.ndarray:
    """An array of ``shape`` (n_H, n_W) whose every entry is dz / (n_H n_W).

    Computed as the gradient that :class:`~neuralkit.layers.AveragePooling2D` passes back
    through one n_H x n_W window.
    """
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise ValueError(f"shape must be (n_H, n_W); got {shape!r}.")
    layer = AveragePooling2D(pool_size=tuple(shape))
    layer.forward(np.zeros((1, *layer.pool_size, 1)))
    return layer.backward(np.full((1, 1, 1, 1), float(dz)))[0, :, :, 0]


def pool_backward(dA: Any, cache: PoolCache, mode: str = "max") -> np.ndarray:
    """dL/dA_prev of :func:`pool_forward`, given dA = dL/dA (same shape as A).

    Max: each window's dA goes to its maximum (the first one on ties, see
    :func:`create_mask_from_window`); average: each window's dA is spread evenly over it
    (:func:`distribute_value`); both summed where windows overlap. Runs the layer's forward
    on the cached A_prev, then its backward.

    Returns
    -------
    dA_prev : ndarray, shape of A_prev
    """
    if not (isinstance(cache, (tuple, list)) and len(cache) == 2):
        raise TypeError("cache must be the (A_prev, hparameters) returned by pool_forward.")
    A_prev, hparameters = cache
    A_prev = _images(A_prev, "A_prev in cache")
    layer = _layer(hparameters, mode)
    A = layer.forward(A_prev, training=True)
    dA = _images(dA, "dA")
    if dA.shape != A.shape:
        raise ValueError(f"dA must have the shape of pool_forward's A, {A.shape}; got {dA.shape}.")
    return layer.backward(dA)
