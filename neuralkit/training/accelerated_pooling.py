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

from ..layers.activations import ReLU
from ..layers.pooling import MaxPooling2D, as_image_batch
from . import accelerator

__all__ = ["forward_twin", "backward_twin", "PoolReLU"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _takes(*arrays: np.ndarray) -> bool:
    """True when the kernels take these arrays: ndarrays of one float dtype, C-contiguous."""
    first = arrays[0].dtype
    return first in _FLOATS and all(type(a) is np.ndarray and a.dtype == first
                                    and a.flags.c_contiguous for a in arrays)


def forward_twin(layer: MaxPooling2D, relu: ReLU | None = None) -> Callable[..., np.ndarray]:
    """``layer.forward`` in one compiled pass; the cache is the layer's own (P, A, plan).

    With ``relu``, the stock ReLU that runs on the pooled maps (:class:`PoolReLU`), folded into
    the same pass: A is then the ReLU's output, and the ReLU's cache too.
    """
    kernels = accelerator.kernels()
    (kh, kw), (sh, sw) = layer.pool_size, layer.strides

    def forward(A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        A_prev = as_image_batch(layer, A_prev)
        plan = layer.plan(A_prev.shape[1:])
        P = layer._padded(A_prev, plan, -np.inf)
        if not _takes(P):
            A = MaxPooling2D.forward(layer, A_prev, training)
            return A if relu is None else relu.forward(A, training)
        A = np.empty((P.shape[0], plan.out_h, plan.out_w, P.shape[3]), P.dtype)
        kernels.max_pool(P, A, kh, kw, sh, sw, relu is not None)
        layer.cache = (P, A, plan)
        if relu is not None:
            relu.cache = A
        return A

    forward.__name__ = "max_pool_forward_compiled" if relu is None else "max_pool_relu_forward_compiled"
    return forward


def backward_twin(layer: MaxPooling2D, relu: ReLU | None = None
                  ) -> Callable[[np.ndarray], np.ndarray | None]:
    """``layer.backward`` in one compiled pass, from the cache of either forward; with ``relu``,
    the ReLU's backward first (folded into the pass when the forward folded it)."""
    kernels = accelerator.kernels()
    (kh, kw), (sh, sw) = layer.pool_size, layer.strides

    def backward(dA: np.ndarray) -> np.ndarray | None:
        P, A, plan = layer.cache
        folded = relu is not None and relu.cache is A  # A is the ReLU's output
        if relu is not None and not folded:
            dA = relu.backward(dA)
        if not layer.needs_input_grad:
            return None
        if not _takes(P, A, dA):
            return MaxPooling2D.backward(layer, relu.backward(dA) if folded else dA)
        dP = layer._gradient_array(P.shape, plan, P.dtype)
        kernels.max_pool_backward(P, A, dA, dP, kh, kw, sh, sw, folded)
        return layer._cropped(dP, plan)

    backward.__name__ = ("max_pool_backward_compiled" if relu is None
                         else "max_pool_relu_backward_compiled")
    return backward


class PoolReLU:
    """A stock MaxPooling2D whose windows do not overlap and the stock ReLU that the training
    step runs after it (a Conv2D's, moved above the pooling: see
    :func:`neuralkit.training.fast_paths._relu_commutes_with_pool`), as one node of the step
    with both in one compiled pass each way.

    Why: on the pooled maps of the CNN workload (``benchmarks/training.py --workloads cnn``,
    batch 128, float32), ReLU's own forward and backward took 1.4 ms of a 27 ms batch.
    """

    def __init__(self, pool: MaxPooling2D, relu: ReLU) -> None:
        self.pool, self.relu, self.params = pool, relu, pool.params
        self.forward, self.backward = forward_twin(pool, relu), backward_twin(pool, relu)
