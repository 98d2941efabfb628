"""The course's convolution functions (Course 4, week 1, "Convolution model, Step by Step"),
computed by neuralkit's :class:`~neuralkit.layers.Conv2D` (see :mod:`neuralkit.course`).

Layouts are the assignment's: A_prev (m, n_H_prev, n_W_prev, n_C_prev), W (f, f, n_C_prev,
n_C), b (1, 1, 1, n_C), ``hparameters = {"stride": s, "pad": p}`` and the cache
``(A_prev, W, b, hparameters)``, so ``cache_conv[0][1][2][3]`` is what the notebook prints.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_int
from ..layers.conv import Conv2D

__all__ = ["zero_pad", "conv_single_step", "conv_forward", "conv_backward"]

#: conv_forward's cache, the assignment's: (A_prev, W, b, hparameters).
ConvCache = tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, int]]


def _array(value: Any, name: str, ndim: int, layout: str) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, {layout}; got shape {array.shape}.")
    return array


def _hparameters(hparameters: Any) -> tuple[int, int]:
    if not isinstance(hparameters, dict) or not {"stride", "pad"} <= set(hparameters):
        raise ValueError(f'hparameters must be a dict {{"stride": s, "pad": p}}; got '
                         f"{hparameters!r}.")
    return (check_int(hparameters["stride"], 'hparameters["stride"]', 1),
            check_int(hparameters["pad"], 'hparameters["pad"]', 0))


def _layer(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int, pad: int) -> Conv2D:
    """A float64 Conv2D holding W and b, built for examples of A_prev's shape."""
    f_h, f_w, n_C_prev, n_C = W.shape
    if A_prev.shape[3] != n_C_prev:
        raise ValueError(f"W has n_C_prev = {n_C_prev} (W.shape[2]) but A_prev has "
                         f"{A_prev.shape[3]} channels (A_prev.shape[3]); got W of shape "
                         f"{W.shape} and A_prev of shape {A_prev.shape}.")
    if b.size != n_C or b.shape not in ((1, 1, 1, n_C), (n_C,)):
        raise ValueError(f"b must have shape (1, 1, 1, {n_C}) to match W {W.shape}; got "
                         f"{b.shape}.")
    layer = Conv2D(n_C, (f_h, f_w), strides=stride, padding=pad, kernel_initializer="zeros")
    layer.build(A_prev.shape[1:])
    layer.params["W"][...] = W
    layer.params["b"][...] = b.reshape(n_C)
    return layer


def zero_pad(X: Any, pad: int) -> np.ndarray:
    """X (m, n_H, n_W, n_C) with ``pad`` zeros around each image: (m, n_H + 2 pad,
    n_W + 2 pad, n_C). The padding Conv2D applies for ``padding=pad``."""
    X = _array(X, "X", 4, "a batch of images (m, n_H, n_W, n_C)")
    pad = check_int(pad, "pad", 0)
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant")


def conv_single_step(a_slice_prev: Any, W: Any, b: Any) -> np.float64:
    """Z = sum(a_slice_prev * W) + b for one window: a_slice_prev and W (f, f, n_C_prev), b
    (1, 1, 1); a float (the one output of a Conv2D with one filter on that window)."""
    a = _array(a_slice_prev, "a_slice_prev", 3, "one window (f, f, n_C_prev)")
    W = _array(W, "W", 3, "one filter (f, f, n_C_prev)")
    if W.shape != a.shape:
        raise ValueError(f"W must have a_slice_prev's shape {a.shape}; got {W.shape}.")
    b = np.asarray(b, dtype=np.float64)
    if b.size != 1:
        raise ValueError(f"b must hold one number (shape (1, 1, 1)); got shape {b.shape}.")
    layer = _layer(a[None], W[..., None], b.reshape(1), 1, 0)
    return layer.forward(a[None])[0, 0, 0, 0]


def conv_forward(A_prev: Any, W: Any, b: Any, hparameters: dict[str, int]
                 ) -> tuple[np.ndarray, ConvCache]:
    """Z = the convolution of A_prev by the filters W plus b, and the cache.

    Parameters
    ----------
    A_prev : array (m, n_H_prev, n_W_prev, n_C_prev)
    W : array (f, f, n_C_prev, n_C)
    b : array (1, 1, 1, n_C)
    hparameters : dict
        ``{"stride": s, "pad": p}``: ``pad`` zeros on each side, then windows every s.

    Returns
    -------
    Z : array (m, n_H, n_W, n_C)
        n_H = int((n_H_prev - f + 2 pad) / stride) + 1, n_W likewise.
    cache : tuple
        (A_prev, W, b, hparameters), for :func:`conv_backward`.
    """
    A_prev = _array(A_prev, "A_prev", 4, "(m, n_H_prev, n_W_prev, n_C_prev)")
    W = _array(W, "W", 4, "(f, f, n_C_prev, n_C)")
    b = np.asarray(b, dtype=np.float64)
    stride, pad = _hparameters(hparameters)
    Z = _layer(A_prev, W, b, stride, pad).forward(A_prev)
    return Z, (A_prev, W, b, hparameters)


def conv_backward(dZ: Any, cache: ConvCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dA_prev (m, n_H_prev, n_W_prev, n_C_prev), dW (f, f, n_C_prev, n_C) and db (1, 1, 1,
    n_C) from dZ (m, n_H, n_W, n_C), Z's gradient, and conv_forward's cache.

    The sums of the assignment's formulas (1)-(3) over every example, position and filter (no
    division by m: dZ carries it). Works with ``pad = 0`` too, where the assignment's
    ``da_prev_pad[pad:-pad, pad:-pad, :]`` would be empty.
    """
    if not isinstance(cache, tuple) or len(cache) != 4:
        raise ValueError("cache must be conv_forward's 4-tuple (A_prev, W, b, hparameters); got "
                         f"{cache!r:.80}.")
    A_prev, W, b, hparameters = cache
    A_prev = _array(A_prev, "cache[0] (A_prev)", 4, "(m, n_H_prev, n_W_prev, n_C_prev)")
    W = _array(W, "cache[1] (W)", 4, "(f, f, n_C_prev, n_C)")
    b = np.asarray(b, dtype=np.float64)
    stride, pad = _hparameters(hparameters)
    layer = _layer(A_prev, W, b, stride, pad)
    dZ = _array(dZ, "dZ", 4, "(m, n_H, n_W, n_C)")
    expected = (A_prev.shape[0], *layer.output_shape)
    if dZ.shape != expected:
        raise ValueError(f"dZ must have Z's shape {expected}; got {dZ.shape}.")
    layer.forward(A_prev)  # the layer's own cache, from the assignment's
    dA_prev = layer.backward(dZ)
    return dA_prev, layer.grads["W"].copy(), layer.grads["b"].reshape(1, 1, 1, -1).copy()
