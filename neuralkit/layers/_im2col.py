"""The geometry of a 2-D convolution and its columns matrix (im2col), for :class:`Conv2D`.

A convolution of images (m, n_H_prev, n_W_prev, n_C_prev) by a kernel (f_h, f_w, n_C_prev,
n_C) is one matrix product once every window the kernel visits is laid out as a row::

    cols[(i, h, w), (p, q, k)] = A_prev_pad[i, h s_h + p, w s_w + q, k]      (M, K)
    Z = cols @ W.reshape(K, n_C)                                            (M, n_C)

with M = m n_H n_W output positions and K = f_h f_w n_C_prev. A column of ones appended to
cols (and b appended to the kernel matrix) adds the bias inside the same product, and gives
db = sum of dZ inside the product cols.T @ dZ that makes dW.

Two layouts of the same matrix, chosen by the number of input channels (measured on 2 cores,
batches of 128 float32 images, ``tests/test_conv.py`` checks both against the same oracles):

- ``rows``: cols stored (M, K+1), filled by one copy of a ``sliding_window_view`` of the
  (padded) images, whose runs of f_w n_C_prev contiguous numbers are long enough once
  n_C_prev >= 4 (13x13x32 images: 1.1 ms, 3x faster than one copy per kernel offset).
- ``columns``: cols stored transposed, (K+1, M), for 1 to 3 channels (grayscale, RGB): the
  images are first copied channels-first, (n_C_prev, m, H, W), so that each of the f_h f_w
  kernel offsets is one copy of runs of n_W numbers (28x28x1 images: 0.34 ms against 2.7 ms
  for the ``rows`` copy, whose runs are 3 numbers long). BLAS takes the transposed matrix as
  it is.

Padding: each batch is copied into the interior of a work array whose zero border was written
when it was made (no padded array is allocated per batch).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

__all__ = ["Geometry", "geometry", "Workspace", "COLUMNS_LAYOUT_MAX_CHANNELS"]

#: Up to this many input channels, the columns matrix is stored transposed (the ``columns``
#: layout); from one more, one row per output position (``rows``).
COLUMNS_LAYOUT_MAX_CHANNELS = 3

Pair = tuple[int, int]
#: (rows, columns) of an image, as two slices.
Window = tuple[slice, slice]


@dataclass(frozen=True)
class Geometry:
    """Where the kernel goes: sizes of one example in and out, and the zero padding.

    ``pads`` is (top, bottom, left, right); the padded input is (n_H_prev + top + bottom,
    n_W_prev + left + right), and n_H = (padded height - f_h) // s_h + 1 (n_W likewise).
    """

    in_hw: Pair
    channels: int
    kernel: Pair
    strides: Pair
    pads: tuple[int, int, int, int]
    out_hw: Pair

    @property
    def padded_hw(self) -> Pair:
        top, bottom, left, right = self.pads
        return self.in_hw[0] + top + bottom, self.in_hw[1] + left + right

    @property
    def positions(self) -> int:
        """n_H n_W: output positions (rows of cols) per example."""
        return self.out_hw[0] * self.out_hw[1]

    @property
    def depth(self) -> int:
        """K = f_h f_w n_C_prev: numbers in one window."""
        return self.kernel[0] * self.kernel[1] * self.channels

    @property
    def transposed(self) -> bool:
        """True for the ``columns`` layout (few input channels), see the module's notes."""
        return self.channels <= COLUMNS_LAYOUT_MAX_CHANNELS

    def kernel_rows(self) -> list[tuple[int, list[tuple[int, Window, Window]]]]:
        """For each kernel row p that meets the unpadded input, its offsets (p, q) that do:
        (p, [(q, the output rows and columns whose window puts (p, q) on the input, the input
        rows and columns it lands on), ...]). Output (h, w) meets input (h s_h + p - top,
        w s_w + q - left). Worked out once per geometry: with the views kept by
        :meth:`Workspace.fill`, this took Conv2D's forward + backward at the course's
        conv_backward sizes ((2, 5, 7, 4), W (3, 3, 4, 8), pad 1, stride 2) from 110-190 us to
        66-94 us (0.52-0.60x, 5 paired runs, 2 shared cores), and at (10, 4, 4, 3), W (2, 2,
        3, 8), pad 2, stride 2, to 0.81-0.91x: Python, not arithmetic, at those sizes."""
        return _kernel_rows(self)


@functools.lru_cache(maxsize=256)
def _kernel_rows(geom: Geometry) -> list[tuple[int, list[tuple[int, Window, Window]]]]:
    """:meth:`Geometry.kernel_rows`, cached (a Geometry is frozen, so hashable)."""
    top, _, left, _ = geom.pads
    found = []
    for p in range(geom.kernel[0]):
        rows = _reach(geom.in_hw[0], geom.out_hw[0], geom.strides[0], top, p)
        if rows is None:
            continue
        offsets = []
        for q in range(geom.kernel[1]):
            cols = _reach(geom.in_hw[1], geom.out_hw[1], geom.strides[1], left, q)
            if cols is not None:
                offsets.append((q, (rows[0], cols[0]), (rows[1], cols[1])))
        if offsets:
            found.append((p, offsets))
    return found


def _reach(n: int, out: int, stride: int, before: int, offset: int) -> tuple[slice, slice] | None:
    """Along one axis: the outputs o with 0 <= o s + offset - before < n, and the inputs met."""
    first = max(0, -((offset - before) // stride))           # ceil((before - offset) / stride)
    last = min(out - 1, (n - 1 + before - offset) // stride)
    if last < first:
        return None
    start = first * stride + offset - before
    return slice(first, last + 1), slice(start, start + (last - first) * stride + 1, stride)


def geometry(in_shape: tuple[int, int, int], kernel: Pair, strides: Pair,
             padding: str | Pair, where: str) -> Geometry:
    """The geometry for examples ``in_shape`` (n_H_prev, n_W_prev, n_C_prev).

    ``padding`` is 'valid' (none), 'same' (Keras's: n_H = ceil(n_H_prev / s_h), the total
    pad max((n_H - 1) s_h + f_h - n_H_prev, 0) split with the extra row at the bottom, the
    extra column at the right) or (p_h, p_w), p zeros on each side (the course's ``pad``).
    """
    pads, out = [], []
    for axis, name in ((0, "height"), (1, "width")):
        n, f, s = in_shape[axis], kernel[axis], strides[axis]
        if padding == "same":
            size = -(-n // s)
            total = max((size - 1) * s + f - n, 0)
            before, after = total // 2, total - total // 2
        else:
            before = after = 0 if padding == "valid" else padding[axis]
            if n + before + after < f:
                raise ValueError(
                    f"{where}: the kernel ({kernel[0]}, {kernel[1]}) is larger than the padded "
                    f"input along its {name}: {n} + {before + after} (padding) < {f}; for "
                    f"examples of shape {tuple(in_shape)} use a smaller kernel_size, "
                    "padding='same', or larger images.")
            size = (n + before + after - f) // s + 1
        pads.append((before, after))
        out.append(size)
    (top, bottom), (left, right) = pads
    return Geometry((in_shape[0], in_shape[1]), in_shape[2], kernel, strides,
                    (top, bottom, left, right), (out[0], out[1]))


class Workspace:
    """The work arrays of one Conv2D, for up to ``rows`` examples at a time, reused batch
    after batch: the columns matrix (its ones column made once), and the zero-bordered copy
    of the images (the ``columns`` layout always has one: its channels-first copy)."""

    def __init__(self, geom: Geometry, dtype: np.dtype, rows: int, bias: bool) -> None:
        self.geom, self.dtype, self.rows, self.bias = geom, np.dtype(dtype), rows, bias
        width = geom.depth + bias
        M = rows * geom.positions
        Hp, Wp = geom.padded_hw
        padded = any(geom.pads)
        if geom.transposed:
            self.cols = np.empty((width, M), dtype)
            self.images = np.zeros((geom.channels, rows, Hp, Wp), dtype)
        else:
            self.cols = np.empty((M, width), dtype)
            self.images = np.zeros((rows, Hp, Wp, geom.channels), dtype) if padded else None
        if bias:
            (self.cols[-1] if geom.transposed else self.cols[:, -1]).fill(1)
        self._views: dict[int, tuple[np.ndarray | None, np.ndarray | None, np.ndarray]] = {}

    @staticmethod
    @functools.lru_cache(maxsize=256)
    def nbytes_per_example(geom: Geometry, dtype: np.dtype, bias: bool) -> int:
        """Bytes of the work arrays per example: the columns, the padded (or channels-first)
        copy, and one kernel offset's share of dA_prev (:meth:`Conv2D.backward`)."""
        Hp, Wp = geom.padded_hw
        images = Hp * Wp * geom.channels if (geom.transposed or any(geom.pads)) else 0
        cols = geom.positions * (geom.depth + bias)
        share = geom.positions * geom.channels
        return np.dtype(dtype).itemsize * (cols + images + share)

    def fill(self, A: np.ndarray) -> np.ndarray:
        """The columns matrix of the examples ``A`` (r, n_H_prev, n_W_prev, n_C_prev), r <=
        ``rows``, as an (r n_H n_W, K [+1]) matrix (a transposed view in the ``columns``
        layout); valid until the next call."""
        g = self.geom
        r = A.shape[0]
        (fh, fw), (sh, sw), (oh, ow) = g.kernel, g.strides, g.out_hw
        top, _, left, _ = g.pads
        H, W = g.in_hw
        M = r * g.positions
        if g.transposed:
            images = self.images[:, :r]
            np.copyto(images[:, :, top:top + H, left:left + W], A.transpose(3, 0, 1, 2))
            blocks = self.cols[:g.depth].reshape(fh, fw, g.channels, self.rows, oh, ow)
            for p in range(fh):
                for q in range(fw):
                    np.copyto(blocks[p, q, :, :r],
                              images[:, :, p:p + (oh - 1) * sh + 1:sh, q:q + (ow - 1) * sw + 1:sw])
            return self.cols[:, :M].T
        # Why: the strided views of the work arrays are made once per batch size and kept;
        # making them per call (sliding_window_view, as_strided) was most of what the cached
        # kernel rows and these views saved at the course's sizes (Geometry.kernel_rows).
        views = self._views.get(r)
        if views is None:
            source = self.images[:r] if self.images is not None else None
            target = _target(self.cols[:M], r, g)
            windows = None if source is None else _windows(source, g)
            views = self._views[r] = (source, windows, target)
        source, windows, target = views
        if source is not None:
            np.copyto(source[:, top:top + H, left:left + W], A)
        else:
            windows = _windows(A, g)
        np.copyto(target, windows)
        return self.cols[:M]


def _windows(source: np.ndarray, g: Geometry) -> np.ndarray:
    """The windows of (padded) images as (r, n_H, n_W, f_h, f_w, n_C_prev), a strided view."""
    (fh, fw), (sh, sw), (oh, ow) = g.kernel, g.strides, g.out_hw
    windows = sliding_window_view(source, (fh, fw), axis=(1, 2))[:, ::sh, ::sw][:, :oh, :ow]
    return windows.transpose(0, 1, 2, 4, 5, 3)


def _target(cols: np.ndarray, r: int, g: Geometry) -> np.ndarray:
    """cols (r n_H n_W, K [+1]) seen as (r, n_H, n_W, f_h, f_w, n_C_prev), writeable."""
    (fh, fw), (oh, ow), C = g.kernel, g.out_hw, g.channels
    row, item = cols.strides
    return as_strided(cols, (r, oh, ow, fh, fw, C),
                      (row * oh * ow, row * ow, row, item * fw * C, item * C, item), writeable=True)
