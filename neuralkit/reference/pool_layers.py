"""Looped twins of the pooling layers, written as the course's ``pool_forward`` and
``pool_backward`` (Course 4, week 1): for loops over examples i, output rows h, output columns
w and channels c, and inside each window over its rows and columns, one scalar at a time.

NumPy only allocates the arrays. Padding ('same') is never materialized: a window position
outside the input is skipped, so it never wins a max and is left out of a mean, the rule the
vectorized layers implement with -inf and zero padding. A max-pooling tie goes to the first
maximum in row-major order (a strict ``>`` while scanning the window), as in
:class:`~neuralkit.layers.MaxPooling2D`. Each twin subclasses its vectorized layer, so it takes
the same arguments and drops into a model unchanged. The means are computed in Python floats,
which never signal an underflow (float64 arrays get NumPy's float64 numbers, bit for bit).
"""

from __future__ import annotations

import numpy as np

from ..layers.pooling import AveragePooling2D, MaxPooling2D, as_image_batch

__all__ = ["LoopMaxPooling2D", "LoopAveragePooling2D"]


class LoopMaxPooling2D(MaxPooling2D):
    """MaxPooling2D with loops: the course's ``pool_forward(mode='max')`` and its backward.

    For each example i, output position (h, w) and channel c, the window's rows
    h sh - top + a and columns w sw - left + b inside the input::

        A[i, h, w, c] = max of A_prev[i, row, col, c] over the window      (forward)
        dA_prev[i, row*, col*, c] += dA[i, h, w, c]                        (backward)

    where (row*, col*) is the first maximum in row-major order. Cache: A_prev.
    """

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        A_prev = as_image_batch(self, A_prev)
        m, H, W, C = A_prev.shape
        plan = self.plan(A_prev.shape[1:])
        (kh, kw), (sh, sw) = self.pool_size, self.strides
        A = np.empty((m, plan.out_h, plan.out_w, C), dtype=A_prev.dtype)
        for i in range(m):
            for h in range(plan.out_h):
                for w in range(plan.out_w):
                    for c in range(C):
                        best = None
                        for a in range(kh):
                            row = h * sh - plan.top + a
                            for b in range(kw):
                                col = w * sw - plan.left + b
                                if 0 <= row < H and 0 <= col < W:
                                    x = A_prev[i, row, col, c]
                                    if best is None or x > best:
                                        best = x
                        A[i, h, w, c] = best
        self.cache = A_prev
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        A_prev = self.cache
        if not self.needs_input_grad:
            return None
        m, H, W, C = A_prev.shape
        plan = self.plan(A_prev.shape[1:])
        (kh, kw), (sh, sw) = self.pool_size, self.strides
        dA_prev = np.zeros(A_prev.shape, dtype=np.result_type(A_prev.dtype, dA.dtype))
        for i in range(m):
            for h in range(plan.out_h):
                for w in range(plan.out_w):
                    for c in range(C):
                        best, where = None, None
                        for a in range(kh):
                            row = h * sh - plan.top + a
                            for b in range(kw):
                                col = w * sw - plan.left + b
                                if 0 <= row < H and 0 <= col < W:
                                    x = A_prev[i, row, col, c]
                                    if best is None or x > best:
                                        best, where = x, (row, col)
                        dA_prev[i, where[0], where[1], c] += dA[i, h, w, c]
        return dA_prev


class LoopAveragePooling2D(AveragePooling2D):
    """AveragePooling2D with loops: the course's ``pool_forward(mode='average')`` and
    ``distribute_value`` in its backward.

    For each example i, output position (h, w) and channel c, over the n_hw window positions
    inside the input::

        A[i, h, w, c] = (sum of A_prev[i, row, col, c] over the window) / n_hw      (forward)
        dA_prev[i, row, col, c] += dA[i, h, w, c] / n_hw                            (backward)

    Cache: A_prev.
    """

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        A_prev = as_image_batch(self, A_prev)
        m, H, W, C = A_prev.shape
        plan = self.plan(A_prev.shape[1:])
        (kh, kw), (sh, sw) = self.pool_size, self.strides
        A = np.empty((m, plan.out_h, plan.out_w, C), dtype=A_prev.dtype)
        for i in range(m):
            for h in range(plan.out_h):
                for w in range(plan.out_w):
                    for c in range(C):
                        total, count = 0.0, 0
                        for a in range(kh):
                            row = h * sh - plan.top + a
                            for b in range(kw):
                                col = w * sw - plan.left + b
                                if 0 <= row < H and 0 <= col < W:
                                    total += float(A_prev[i, row, col, c])
                                    count += 1
                        A[i, h, w, c] = total / count
        self.cache = A_prev
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        A_prev = self.cache
        if not self.needs_input_grad:
            return None
        m, H, W, C = A_prev.shape
        plan = self.plan(A_prev.shape[1:])
        (kh, kw), (sh, sw) = self.pool_size, self.strides
        dA_prev = np.zeros(A_prev.shape, dtype=np.result_type(A_prev.dtype, dA.dtype))
        for i in range(m):
            for h in range(plan.out_h):
                for w in range(plan.out_w):
                    inside = [(h * sh - plan.top + a, w * sw - plan.left + b)
                              for a in range(kh) for b in range(kw)
                              if 0 <= h * sh - plan.top + a < H and 0 <= w * sw - plan.left + b < W]
                    for c in range(C):
                        share = float(dA[i, h, w, c]) / len(inside)
                        for row, col in inside:
                            dA_prev[i, row, col, c] += share
        return dA_prev
