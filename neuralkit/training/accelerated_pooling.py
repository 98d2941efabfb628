"""Max pooling's forward and backward in fit through the compiled accelerator, for windows that
do not overlap (Keras's default, strides = pool_size).

``MaxPooling2D`` (:mod:`neuralkit.layers.pooling`) stays the reference a reader follows: one
whole-batch NumPy operation per window offset. :class:`CompiledPool`, the node the training step
runs in its place when the accelerator is built and on (:func:`neuralkit.training.fast_paths.plan`),
gives the same numbers bit for bit (``tests/test_accelerated_pooling.py``) in one compiled pass
over the input each way (``neuralkit/_accelerator_pooling.h``), with the ReLU that the step
moves above the pooling folded in. Measured on the CNN workload of ``benchmarks/training.py``
(batch 128): see docs/performance.md.

Anything the kernels do not take (another dtype, arrays that are not C-contiguous, a gradient of
another dtype) runs the layer's own NumPy code.
"""

from __future__ import annotations

import numpy as np

from ..layers.activations import ReLU
from ..layers.pooling import MaxPooling2D, as_image_batch
from . import accelerator

__all__ = ["CompiledPool"]

def _takes(*arrays: np.ndarray) -> bool:
    """True when the kernels take these arrays: ndarrays of one float dtype, C-contiguous."""
    first = arrays[0].dtype
    return first in accelerator.FLOATS and all(
        type(a) is np.ndarray and a.dtype == first and a.flags.c_contiguous for a in arrays)


class CompiledPool:
    """A stock MaxPooling2D whose windows do not overlap, as a node of the training step with its
    forward and backward in one compiled pass each; with ``relu``, also the stock ReLU that the
    step runs after it (a Conv2D's, moved above the pooling: see
    :func:`neuralkit.training.fast_paths._relu_commutes_with_pool`), folded into those passes.

    The pooling's cache is its own, (P, A, plan), with A the ReLU's output when it is folded
    (then the ReLU's cache too). Why fold: on the pooled maps of the CNN workload
    (``benchmarks/training.py --workloads cnn``, batch 128, float32), ReLU's own forward and
    backward took 1.4 ms of a 27 ms batch.
    """

    def __init__(self, pool: MaxPooling2D, relu: ReLU | None = None) -> None:
        self.pool, self.relu, self.params = pool, relu, pool.params
        self._kernels = accelerator.kernels()
        self._window = (*pool.pool_size, *pool.strides)

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        layer, relu = self.pool, self.relu
        A_prev = as_image_batch(layer, A_prev)
        plan = layer.plan(A_prev.shape[1:])
        P = layer._padded(A_prev, plan, -np.inf)
        if not _takes(P):
            A = MaxPooling2D.forward(layer, A_prev, training)
            return A if relu is None else relu.forward(A, training)
        A = np.empty((P.shape[0], plan.out_h, plan.out_w, P.shape[3]), P.dtype)
        self._kernels.max_pool(P, A, *self._window, relu is not None)
        layer.cache = (P, A, plan)
        if relu is not None:
            relu.cache = A
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        """From the cache of either forward (this one's or the layer's own)."""
        layer, relu = self.pool, self.relu
        P, A, plan = layer.cache
        folded = relu is not None and relu.cache is A  # A is the ReLU's output
        if relu is not None and not folded:
            dA = relu.backward(dA)
        if not layer.needs_input_grad:
            return None
        if not _takes(P, A, dA):
            return MaxPooling2D.backward(layer, relu.backward(dA) if folded else dA)
        dP = layer._gradient_array(P.shape, plan, P.dtype)
        self._kernels.max_pool_backward(P, A, dA, dP, *self._window, folded)
        return layer._cropped(dP, plan)
