"""Pooling over the windows of images (m, H, W, C), channels last as in Keras: MaxPooling2D and
AveragePooling2D (the global ones are in :mod:`neuralkit.layers.global_pooling`).

Every window is visited at once: for each of the kh * kw offsets (a, b) inside a window, the
strided view ``P[:, a::sh, b::sw, :]`` holds that element of every window of every example, so
forward and backward are kh * kw whole-batch NumPy operations, with no Python loop over
examples, channels or output positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

from .._validation import check_positive_int
from .base import Layer

__all__ = ["MaxPooling2D", "AveragePooling2D"]


def _pair(value: Any, name: str) -> tuple[int, int]:
    """An int n as (n, n), or a tuple/list of two ints >= 1, as a tuple."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a tuple of 2 ints (rows, columns); got "
                             f"{value!r}.")
        return (check_positive_int(value[0], f"{name}[0]"), check_positive_int(value[1], f"{name}[1]"))
    n = check_positive_int(value, name)
    return (n, n)


def _padding(value: Any) -> str:
    if not isinstance(value, str) or value.lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same'; got {value!r}.")
    return value.lower()


def check_channels_last(data_format: Any, where: str) -> None:
    """Only Keras's default layout: (m, H, W, C)."""
    if data_format not in (None, "channels_last"):
        raise ValueError(
            f"{where}: neuralkit's image layers are channels last, (m, H, W, C), like Keras's "
            f"default; got data_format={data_format!r}. Pass data_format='channels_last' (or "
            "leave it out) and transpose channels-first images: X.transpose(0, 2, 3, 1).")


def image_shape(layer: Layer, input_shape: tuple[int, ...]) -> tuple[int, int, int]:
    """(H, W, C) of one example, or a ValueError naming the layer and the fix."""
    shape = tuple(input_shape)
    if len(shape) == 3:
        return shape
    where = f"{type(layer).__name__} '{layer.name}'"
    if len(shape) == 1:
        fix = (f" These look like flat features (m, {shape[0]}): reshape them to images first, "
               "X.reshape(m, H, W, C), or put Reshape((H, W, C)) before this layer.")
    elif len(shape) == 2:
        fix = (f" These look like images without a channel axis (m, {shape[0]}, {shape[1]}): "
               "add one, X[..., None].")
    else:
        fix = ""
    raise ValueError(f"{where} takes images of shape (H, W, C) per example, inputs (m, H, W, C); "
                     f"its inputs have shape {shape} per example.{fix}")


def as_image_batch(layer: Layer, A_prev: Any) -> np.ndarray:
    """A_prev if it is a batch of images (m, H, W, C) of floats (other numbers become
    float64), else a ValueError naming the layer and the fix."""
    if getattr(A_prev, "ndim", None) != 4:
        shape = getattr(A_prev, "shape", None)
        image_shape(layer, tuple(shape)[1:] if isinstance(shape, tuple) and shape else ())
    return A_prev if A_prev.dtype.kind == "f" else A_prev.astype(np.float64)


class _Plan(NamedTuple):
    """The window geometry for inputs (H, W): output size and the padding on each side."""

    out_h: int
    out_w: int
    top: int
    bottom: int
    left: int
    right: int


def _axis(n: int, k: int, s: int, padding: str) -> tuple[int, int, int]:
    """Output length and padding (before, after) along one axis, as TensorFlow and Keras."""
    if padding == "valid":
        return (n - k) // s + 1, 0, 0
    out = -(-n // s)  # ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return out, total // 2, total - total // 2  # the odd pixel goes at the bottom / right


class _Pooling2D(Layer):
    """Arguments, shapes and window geometry shared by MaxPooling2D and AveragePooling2D."""

    def __init__(self, pool_size: int | tuple[int, int] = 2,
                 strides: int | tuple[int, int] | None = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None, trainable: bool = True) -> None:
        super().__init__(name=name,
                         input_shape=input_shape, trainable=trainable)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else _pair(strides, "strides")
        self.padding = _padding(padding)
        check_channels_last(data_format, type(self).__name__)

    def plan(self, input_shape: tuple[int, ...]) -> _Plan:
        """Output size and padding for examples of ``input_shape`` (H, W, C)."""
        H, W, _ = image_shape(self, input_shape)
        (kh, kw), (sh, sw) = self.pool_size, self.strides
        if self.padding == "valid" and (kh > H or kw > W):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': pool_size {self.pool_size} is larger than "
                f"its inputs' (H, W) = ({H}, {W}) with padding='valid'. Use a smaller pool_size "
                "or padding='same'.")
        out_h, top, bottom = _axis(H, kh, sh, self.padding)
        out_w, left, right = _axis(W, kw, sw, self.padding)
        return _Plan(out_h, out_w, top, bottom, left, right)

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        plan = self.plan(input_shape)
        return (plan.out_h, plan.out_w, input_shape[-1])

    def _padded(self, A_prev: np.ndarray, plan: _Plan, fill: float) -> np.ndarray:
        """A_prev with ``fill`` around it (A_prev itself without padding)."""
        if not any(plan[2:]):
            return A_prev
        m, H, W, C = A_prev.shape
        P = np.full((m, H + plan.top + plan.bottom, W + plan.left + plan.right, C), fill,
                    dtype=A_prev.dtype)
        P[:, plan.top:plan.top + H, plan.left:plan.left + W] = A_prev
        return P

    def _windows(self, P: np.ndarray, plan: _Plan) -> Iterator[np.ndarray]:
        """For each offset (a, b) of a window, in row-major order, the view of P holding that
        element of every window: shape (m, out_h, out_w, C)."""
        (kh, kw), (sh, sw) = self.pool_size, self.strides
        for a in range(kh):
            for b in range(kw):
                yield P[:, a:a + sh * (plan.out_h - 1) + 1:sh, b:b + sw * (plan.out_w - 1) + 1:sw]

    def _gradient_array(self, shape: tuple[int, ...], plan: _Plan, dtype: np.dtype) -> np.ndarray:
        """dL/dP for P of ``shape``, zero where no window reaches. When the windows tile P
        (pool_size == strides) only the rows and columns past the last window are zeroed:
        backward writes every other entry once."""
        (kh, kw), (sh, sw) = self.pool_size, self.strides
        if (kh, kw) != (sh, sw):
            return np.zeros(shape, dtype=dtype)
        dP = np.empty(shape, dtype=dtype)
        dP[:, plan.out_h * sh:] = 0
        dP[:, :, plan.out_w * sw:] = 0
        return dP

    @property
    def overlapping(self) -> bool:
        """True when windows share inputs (pool_size larger than strides on an axis)."""
        return self.pool_size[0] > self.strides[0] or self.pool_size[1] > self.strides[1]

    @staticmethod
    def _cropped(dP: np.ndarray, plan: _Plan) -> np.ndarray:
        if not any(plan[2:]):
            return dP
        H, W = dP.shape[1] - plan.top - plan.bottom, dP.shape[2] - plan.left - plan.right
        return np.ascontiguousarray(dP[:, plan.top:plan.top + H, plan.left:plan.left + W])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding}


class MaxPooling2D(_Pooling2D):
    """Max over each kh x kw window, moved by strides (sh, sw), channel by channel (Keras's).

    Forward, for each example i, output position (h, w) and channel c::

        A[i, h, w, c] = max over a < kh, b < kw of P[i, h sh + a, w sw + b, c]

    where P is A_prev, with padding='same' padded by -inf (padding never wins a max).
    Shapes: A_prev (m, H, W, C) -> A (m, out_h, out_w, C); 'valid': out = floor((H - kh) / sh)
    + 1; 'same': out = ceil(H / sh), with the padding TensorFlow uses, half on each side and
    the odd row or column at the bottom or right.

    Backward: each window's dA goes to the position of its maximum, summed where windows
    overlap. On ties the **first** maximum in row-major order within the window (lowest row,
    then lowest column) takes all of it, as in PyTorch and TensorFlow, so the gradient is a
    true subgradient and dA is passed on exactly once. (The course's mask ``x == max(x)``
    would give dA to every tied entry: all four zeros of a window after a ReLU, say.)

    Computed as kh * kw whole-batch operations: forward ``np.maximum`` of the strided views;
    backward, offset by offset in row-major order, ``hit = (view == A) & ~taken``, the view's
    gradient is ``dA * hit`` and ``taken |= hit`` (the last offset takes ``~taken``), so ties go
    to the first. Cache: P (A_prev itself unless padded) and A, by reference (as Dense keeps
    A_prev). Memory: the output A; in backward dA_prev and two boolean masks of the output's
    shape (and a product when windows overlap); 'same' padding adds a padded copy of the input.

    Parameters
    ----------
    pool_size : int or (int, int), default 2
    strides : int or (int, int), optional
        Default: pool_size (windows side by side).
    padding : {'valid', 'same'}, default 'valid'
    data_format : 'channels_last' or None
        Only channels last; given for Keras compatibility.
    name : str, optional
    input_shape : (H, W, C), optional
    """

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        A_prev = as_image_batch(self, A_prev)
        plan = self.plan(A_prev.shape[1:])
        P = self._padded(A_prev, plan, -np.inf)
        views = self._windows(P, plan)
        A = np.array(next(views))
        for view in views:
            np.maximum(A, view, out=A)
        self.cache = (P, A, plan)
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        P, A, plan = self.cache
        if not self.needs_input_grad:
            return None
        dP = self._gradient_array(P.shape, plan, np.result_type(P.dtype, dA.dtype))
        overlapping = self.overlapping
        offsets = list(zip(self._windows(P, plan), self._windows(dP, plan), strict=True))
        last = len(offsets) - 1
        hit = np.empty(A.shape, dtype=bool)    # the windows whose dA goes to this offset
        taken = np.empty(A.shape, dtype=bool)  # the windows whose dA went to an earlier one
        for n, (view, d) in enumerate(offsets):
            if n < last:
                np.equal(view, A, out=hit)
                if n == 0:
                    np.copyto(taken, hit)
                else:
                    np.greater(hit, taken, out=hit)  # a maximum, and none before: hit & ~taken
                    np.logical_or(taken, hit, out=taken)
            elif n > 0:
                np.logical_not(taken, out=hit)       # the last offset holds the remaining maxima
            share = dA if last == 0 else np.multiply(dA, hit, out=None if overlapping else d)
            if overlapping:
                np.add(d, share, out=d)
            elif share is not d:
                d[...] = share
        return self._cropped(dP, plan)


class AveragePooling2D(_Pooling2D):
    """Mean over each kh x kw window, moved by strides (sh, sw), channel by channel (Keras's).

    Forward::

        A[i, h, w, c] = (1 / n_hw) sum over a, b of P[i, h sh + a, w sw + b, c]

    with P = A_prev padded by zeros for padding='same', and n_hw the number of entries of
    window (h, w) inside A_prev: kh kw, except at the border with 'same' padding, where the
    padding is left out of the mean (TensorFlow's and Keras's rule). Shapes as MaxPooling2D.

    Backward: every entry of a window gets dA / n_hw (the course's ``distribute_value``),
    summed where windows overlap. Computed offset by offset over whole-batch strided views,
    as MaxPooling2D. Cache: the input shape and the divisors; memory: dA_prev and one
    output-sized array (a padded copy too with 'same').

    Parameters
    ----------
    Those of :class:`MaxPooling2D` (Keras 3 has no default pool_size here; 2 is accepted).
    """

    def _divisors(self, shape: tuple[int, ...], plan: _Plan, dtype: np.dtype) -> Any:
        """n_hw: a number, or (out_h, out_w, 1) where 'same' padding cuts windows."""
        (kh, kw), (sh, sw) = self.pool_size, self.strides
        if not any(plan[2:]):
            return kh * kw
        H, W = shape[1], shape[2]
        starts_h = np.arange(plan.out_h) * sh - plan.top
        starts_w = np.arange(plan.out_w) * sw - plan.left
        rows = np.minimum(starts_h + kh, H) - np.maximum(starts_h, 0)
        cols = np.minimum(starts_w + kw, W) - np.maximum(starts_w, 0)
        return np.multiply.outer(rows, cols)[:, :, None].astype(dtype)

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        A_prev = as_image_batch(self, A_prev)
        plan = self.plan(A_prev.shape[1:])
        P = self._padded(A_prev, plan, 0.0)
        views = self._windows(P, plan)
        A = np.array(next(views))
        for view in views:
            np.add(A, view, out=A)
        n = self._divisors(A_prev.shape, plan, A.dtype)
        with np.errstate(under="ignore"):  # the mean of tiny values
            np.divide(A, n, out=A)
        self.cache = (P.shape, n, plan)
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        shape, n, plan = self.cache
        if not self.needs_input_grad:
            return None
        with np.errstate(under="ignore"):
            g = np.divide(dA, n)
        dP = self._gradient_array(shape, plan, g.dtype)
        for d in self._windows(dP, plan):
            if self.overlapping:
                np.add(d, g, out=d)
            else:
                d[...] = g
        return self._cropped(dP, plan)
