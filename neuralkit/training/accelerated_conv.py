"""Conv2D's backward in fit through the compiled accelerator: dA_prev's additions in one pass.

``Conv2D`` (:mod:`neuralkit.layers.conv`) stays the reference a reader follows: dW and db from
one product, then for each kernel offset (p, q) one product ``dZ @ W[p, q].T`` and one strided
NumPy addition of it into dA_prev. This twin, which the training step uses in its place when
the accelerator is built and on (:func:`neuralkit.training.fast_paths.plan`), makes the same
products, each into a block of its own, and the compiled kernel
(``neuralkit/_accelerator_conv.h``) adds them up writing each element of dA_prev once, in the
same order: the same numbers bit for bit (``tests/test_accelerated_conv.py``).

Why: the nine additions of the CNN workload's second convolution (``benchmarks/training.py
--workloads cnn``: dZ 128x11x11x64 into dA_prev 128x13x13x32, float32) took 2.6 ms of its
batch, each one a strided pass over dA_prev; see docs/performance.md for the compiled pass.

Memory: the offsets' blocks, kept between batches, are ``f_h f_w`` arrays (m, n_H, n_W,
n_C_prev) for a chunk of m examples (the layer's chunks); when they would exceed the layer's
``max_work_bytes`` the layer's own NumPy code runs, as it does for anything the kernel does not
take (a dtype other than float32 and float64).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..layers.conv import Conv2D
from . import accelerator

__all__ = ["backward_twin"]

def backward_twin(conv: Conv2D) -> Callable[[np.ndarray], np.ndarray | None]:
    """``conv.linear_backward`` (no activation) with dA_prev's additions compiled."""
    kernels = accelerator.kernels()
    blocks: list[np.ndarray] = []  # the offsets' blocks, flat, kept for the next batch

    def input_gradient(dZ_rows: np.ndarray) -> np.ndarray:
        A_prev, _ = conv.cache
        g = conv.geometry
        m, P, dtype = A_prev.shape[0], g.positions, dZ_rows.dtype
        (fh, fw), (sh, sw), (top, _, left, _) = g.kernel, g.strides, g.pads
        chunk = conv._chunk(m, dtype)  # the layer's chunks: the same products, row for row
        size = fh * fw * chunk * P * g.channels
        if dtype not in accelerator.FLOATS or size * dtype.itemsize > conv.max_work_bytes:
            return conv._input_gradient(dZ_rows)
        if not blocks or blocks[0].dtype != dtype or blocks[0].size < size:
            blocks[:] = [np.empty(size, dtype)]
        W_offsets = conv._kernel_offsets()
        dA_prev = np.empty(A_prev.shape, dtype)  # the kernel writes every element
        for start in range(0, m, chunk):
            stop = min(start + chunk, m)
            rows = dZ_rows[start * P:stop * P]
            shares = blocks[0][:fh * fw * rows.shape[0] * g.channels].reshape(
                fh * fw, stop - start, *g.out_hw, g.channels)
            for p, offsets in g.kernel_rows():
                for q, _, _ in offsets:
                    np.matmul(rows, W_offsets[p, q].T,
                              out=shares[p * fw + q].reshape(rows.shape[0], g.channels))
            kernels.conv_input_gradient(shares, dA_prev[start:stop], fh, fw, sh, sw, top, left)
        return dA_prev

    def backward(dZ: np.ndarray) -> np.ndarray | None:
        with np.errstate(under="ignore"):  # as Conv2D.backward
            dZ_rows = conv._weight_gradients(dZ)
            return input_gradient(dZ_rows) if conv.needs_input_grad else None

    backward.__name__ = "conv_backward_compiled"
    return backward
