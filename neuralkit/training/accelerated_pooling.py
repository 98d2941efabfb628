"""Max pooling's forward and backward in fit through the compiled accelerator, for windows that
do not overlap (Keras's default, strides = pool_size).

``MaxPooling2D`` (:mod:`neuralkit.layers.pooling`) stays the reference a reader follows: one
whole-batch NumPy operation per window offset. These twins, which the training step uses in its
place when the accelerator is built and on (:func:`neuralkit.training.fast_paths.plan`), give
the same numbers bit for bit (``tests/test_accelerated_pooling.py``) in one compiled pass over
the input (``neuralkit/_accelerator_pooling.h``). Measured on the CNN workload of
``benchmarks/training.py`` (batch 128): see docs/performance.md.

Anything the kernels do not take (another dtype, arrays that are not C-contiguous, a gradient of
another dtype) runs the layer's own NumPy code.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..layers.pooling import MaxPooling2D, as_image_batch
from . import accelerator

__all__ = ["forward_twin", "backward_twin"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _takes(*arrays: np.ndarray) -> bool:
    """True when the kernels take these arrays: ndarrays of one float dtype, C-contiguous."""
    first = arrays[0].dtype
    return first in _FLOATS and all(type(a) is np.ndarray and a.dtype == first
                                    and a.flags.c_contiguous for a in arrays)


def forward_twin(layer: MaxPooling2D) -> Callable[..., np.ndarray]:
    """``layer.forward`` in one compiled pass; the cache is the layer's own (P, A, plan)."""
    kernels = accelerator.kernels()
    (kh, kw), (sh, sw) = layer.pool_size, layer.strides

    def forward(A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        A_prev = as_image_batch(layer, A_prev)
        plan = layer.plan(A_prev.shape[1:])
        P = layer._padded(A_prev, plan, -np.inf)
        if not _takes(P):
            return MaxPooling2D.forward(layer, A_prev, training)
        A = np.empty((P.shape[0], plan.out_h, plan.out_w, P.shape[3]), P.dtype)
        kernels.max_pool(P, A, kh, kw, sh, sw)
        layer.cache = (P, A, plan)
        return A

    forward.__name__ = "max_pool_forward_compiled"
    return forward


def backward_twin(layer: MaxPooling2D) -> Callable[[np.ndarray], np.ndarray | None]:
    """``layer.backward`` in one compiled pass, from the cache of either forward."""
    kernels = accelerator.kernels()
    (kh, kw), (sh, sw) = layer.pool_size, layer.strides

    def backward(dA: np.ndarray) -> np.ndarray | None:
        P, A, plan = layer.cache
        if not layer.needs_input_grad:
            return None
        if not _takes(P, A, dA):
            return MaxPooling2D.backward(layer, dA)
        dP = layer._gradient_array(P.shape, plan, P.dtype)
        kernels.max_pool_backward(P, A, dA, dP, kh, kw, sh, sw)
        return layer._cropped(dP, plan)

    backward.__name__ = "max_pool_backward_compiled"
    return backward
