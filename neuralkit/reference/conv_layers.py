"""The looped twin of Conv2D: the course's convolution, one window and one scalar at a time.

"Convolution model, Step by Step" (Course 4, week 1) writes the convolution as four nested
loops over the examples i, the output rows h and columns w and the filters c, each computing
one number with ``conv_single_step`` on the window of the padded input under the filter;
backward runs the same loops and adds each dZ[i, h, w, c] into the window's share of dA_prev,
of dW and of db. :class:`LoopConv2D` does exactly that, with the window's sum itself a loop
over (p, q, k) of Python floats: no ``@``, ``np.dot`` or whole-array ufunc touches the data
(NumPy allocates the arrays). It is the test oracle of :class:`~neuralkit.layers.Conv2D` (they
agree to 1e-12 in float64) and the "before" of the vectorization benchmark.

As the other looped twins, it subclasses its vectorized twin and overrides only ``forward``
and ``backward``: constructor, ``build`` (the same seeded parameters), ``get_config``, the
padding rule (``self.geometry``: Keras's 'same' with the odd row at the bottom, or the
course's ``pad`` on each side) and the activation are Conv2D's. Cache: A_prev and its padded
copy.
"""

from __future__ import annotations

import numpy as np

from ..layers.conv import Conv2D

__all__ = ["LoopConv2D", "conv_single_step_looped", "zero_pad_looped"]


def zero_pad_looped(A: np.ndarray, pads: tuple[int, int, int, int]) -> np.ndarray:
    """A (m, n_H, n_W, n_C) with ``pads`` = (top, bottom, left, right) zero rows and columns
    around each image, copied element by element."""
    top, bottom, left, right = pads
    m, n_H, n_W, n_C = A.shape
    out = np.zeros((m, n_H + top + bottom, n_W + left + right, n_C), dtype=A.dtype)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for k in range(n_C):
                    out[i, h + top, w + left, k] = A[i, h, w, k]
    return out


def conv_single_step_looped(A_pad: np.ndarray, i: int, vert_start: int, horiz_start: int,
                            W: np.ndarray, c: int) -> float:
    """The course's ``conv_single_step`` without the bias: sum over the window's (p, q, k) of
    A_pad[i, vert_start + p, horiz_start + q, k] W[p, q, k, c], one product at a time."""
    f_h, f_w, n_C_prev, _ = W.shape
    z = 0.0
    for p in range(f_h):
        for q in range(f_w):
            for k in range(n_C_prev):
                z += float(A_pad[i, vert_start + p, horiz_start + q, k]) * float(W[p, q, k, c])
    return z


class LoopConv2D(Conv2D):
    """Conv2D with the course's loops.

    Forward, for each example i, output row h, column w and filter c::

        vert_start, horiz_start = h s_h, w s_w
        Z[i, h, w, c] = conv_single_step(A_prev_pad[i, vert_start:vert_start + f_h,
                                                    horiz_start:horiz_start + f_w, :],
                                         W[:, :, :, c]) + b[c]

    Backward, over the same (i, h, w, c), for every (p, q, k) of the window::

        dA_prev_pad[i, vert_start + p, horiz_start + q, k] += W[p, q, k, c] dZ[i, h, w, c]
        dW[p, q, k, c] += A_prev_pad[i, vert_start + p, horiz_start + q, k] dZ[i, h, w, c]
        db[c]          += dZ[i, h, w, c]

    then dA_prev is dA_prev_pad without its border (skipped when no layer below needs it).
    Same parameters as :class:`~neuralkit.layers.Conv2D`; ``W`` and ``b`` live in the same
    arrays, and the gradients are accumulated into the arrays made at build.
    """

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        if not self.built:
            self._ensure_built(A_prev.shape[1:])
        self._check_input(A_prev)
        g = self.geometry
        W = self.params["W"]
        s_h, s_w = g.strides
        n_H, n_W = g.out_hw
        m = A_prev.shape[0]
        A_pad = zero_pad_looped(A_prev, g.pads)
        Z = np.empty((m, n_H, n_W, self.filters), dtype=np.result_type(A_prev.dtype, W.dtype))
        for i in range(m):
            for h in range(n_H):
                for w in range(n_W):
                    for c in range(self.filters):
                        z = conv_single_step_looped(A_pad, i, h * s_h, w * s_w, W, c)
                        Z[i, h, w, c] = z + float(self.params["b"][c]) if self.use_bias else z
        self.cache = (A_prev, A_pad)
        if self.activation is None:
            return Z
        return self.activation.forward(Z.reshape(-1, self.filters), training).reshape(Z.shape)

    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        dZ = dA if self.activation is None else \
            self.activation.backward(dA.reshape(-1, self.filters)).reshape(dA.shape)
        A_prev, A_pad = self.cache
        g = self.geometry
        W, dW = self.params["W"], self.grads["W"]
        f_h, f_w, n_C_prev, n_C = W.shape
        s_h, s_w = g.strides
        m, n_H, n_W, _ = dZ.shape
        want_dA = self.needs_input_grad
        dA_pad = np.zeros(A_pad.shape, dtype=np.result_type(dZ.dtype, W.dtype)) if want_dA else None
        db = self.grads["b"] if self.use_bias else None
        for c in range(n_C):  # accumulated in place into the arrays made at build
            if db is not None:
                db[c] = 0.0
            for p in range(f_h):
                for q in range(f_w):
                    for k in range(n_C_prev):
                        dW[p, q, k, c] = 0.0
        for i in range(m):
            for h in range(n_H):
                for w in range(n_W):
                    vert_start, horiz_start = h * s_h, w * s_w
                    for c in range(n_C):
                        dz = float(dZ[i, h, w, c])
                        if db is not None:
                            db[c] += dz
                        for p in range(f_h):
                            for q in range(f_w):
                                for k in range(n_C_prev):
                                    y, x = vert_start + p, horiz_start + q
                                    dW[p, q, k, c] += float(A_pad[i, y, x, k]) * dz
                                    if want_dA:
                                        dA_pad[i, y, x, k] += float(W[p, q, k, c]) * dz
        if self.kernel_regularizer is not None:
            self.kernel_regularizer.add_gradient(W, dW)
        if not want_dA:
            return None
        top, _, left, _ = g.pads
        dA_prev = np.empty(A_prev.shape, dtype=dA_pad.dtype)
        for i in range(m):
            for h in range(A_prev.shape[1]):
                for w in range(A_prev.shape[2]):
                    for k in range(n_C_prev):
                        dA_prev[i, h, w, k] = dA_pad[i, h + top, w + left, k]
        return dA_prev
