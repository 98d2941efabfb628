"""The training step's speed tricks, all here, each beside the measurement that justifies it.

The plain path of a step is the textbook one: every layer's public ``forward``, the loss,
every layer's public ``backward`` in reverse, then ``optimizer.step`` under the update guard's
snapshot. :func:`plan` replaces parts of it with equivalents that give the same numbers (up
to rounding) and allocate less:

* **Backward stops at the first layer with parameters**: nothing below it learns, so its
  ``needs_input_grad`` is cleared and Dense skips dA_prev = dZ @ W (one matrix product per
  step); fit restores the flag when it ends.
* **Reused outputs**: a stock Dense writes Z, and dA_prev when a layer below needs it, into
  one array per fit instead of a new one per batch (on a large layer a fresh array per batch
  costs page faults, not only arithmetic).
* **In-place activations**: ReLU, Sigmoid and Tanh between Dense layers overwrite Z (forward)
  and ReLU overwrites dA (backward), temporaries that nobody else holds.
* **ReLU after max pooling**: ``Conv2D(k, activation='relu')`` followed by a stock
  ``MaxPooling2D`` whose windows do not overlap runs as convolution, pooling, then ReLU on the
  pooled maps: max and ReLU commute, the numbers are the same bit for bit, and ReLU's forward
  and backward touch a quarter of the elements (2x2 windows). Measured on the CNN workload
  (``benchmarks/training.py --workloads cnn``): ReLU took 6.9 ms of a 56 ms batch before.
* **The loss makes the output**: with a stock Softmax or Sigmoid before its cross-entropy, the
  fused loss computes A from the logits once and sets the layer's cache to it.
* **Plain SGD's bounded step** (:func:`bounded_sgd_step`): on large models, no snapshot.
* **The fused step** (:class:`neuralkit.training.accelerator.FusedStep`): where the compiled
  accelerator was built, the stock optimizers' whole step in one pass, bit for bit the NumPy
  code's numbers, no snapshot (its own switch: :func:`neuralkit.config.set_accelerator`).
* **Compiled max pooling** (:mod:`neuralkit.training.accelerated_pooling`): with the
  accelerator, a stock MaxPooling2D whose windows do not overlap runs its forward and backward
  in one compiled pass each, bit for bit its NumPy code's numbers; a ReLU moved above it
  (ReLU after max pooling, above) runs inside the same passes.
* **Compiled dA_prev of a convolution** (:mod:`neuralkit.training.accelerated_conv`): with
  the accelerator, a stock Conv2D's backward (its convolution alone) adds its kernel offsets'
  shares of dA_prev in one compiled pass, bit for bit the NumPy code's sums.

Each applies only to the stock classes (``type(layer).forward is ReLU.forward``), so a
subclass that overrides a method always runs its own code. The switch
:func:`neuralkit.config.set_fast_paths` (or ``NEURALKIT_FAST_PATHS=0``) turns them all off.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from .. import config
from .._numerics import sigmoid
from ..layers.activations import ReLU, Sigmoid, Softmax, Tanh
from ..layers.base import Layer
from ..layers.conv import Conv2D
from ..layers.dense import Dense
from ..layers.pooling import MaxPooling2D
from ..optimizers import SGD, Optimizer
from . import accelerated_conv, accelerated_pooling, accelerator
from .accelerator import FusedStep
from .guard import BoundedStep, FusedStepCall
from .head import Head

__all__ = ["StepPlan", "plan", "bounded_sgd_step"]

#: Up to this many parameters, plain SGD keeps the guard's snapshot: it costs such a model a
#: few microseconds (one copy into one buffer), and it is what undoes a step cut short by an
#: exception. Above it, the bounded step saves a copy of the whole model per step.
SMALL_MODEL_PARAMS = 1 << 16


class StepPlan(NamedTuple):
    """How a training step calls its layers; see :func:`plan`."""

    forward_calls: list[Callable[..., Any]]   # up to the loss (in 'activation' mode: to Z_L)
    backward_calls: list[Callable[..., Any]]  # in the order they run (last layer first)
    loss_makes_output: bool
    needs_input_grad: list[bool]              # per layer
    bounded: BoundedStep | None
    fused: FusedStepCall | None


class _Linear:
    """The linear half of a Dense with an activation, Z = A_prev @ W.T + b, as a node of its own:
    the step (and its fast paths) then treat ``Dense(k, activation=g)`` as ``Dense(k), g``."""

    def __init__(self, dense: Dense) -> None:
        self.dense, self.params = dense, dense.params
        self.forward, self.backward = dense.linear_forward, dense.linear_backward


class _ConvLinear:
    """The convolution of a Conv2D with an activation, Z before g, as a node of its own (its
    ReLU then runs after the max pooling above it, see :func:`_relu_commutes_with_pool`)."""

    def __init__(self, conv: Conv2D) -> None:
        self.conv, self.params = conv, conv.params

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        with np.errstate(under="ignore"):  # as Conv2D.forward
            return self.conv.linear_forward(A_prev, training)

    def backward(self, dZ: np.ndarray) -> np.ndarray | None:
        with np.errstate(under="ignore"):
            return self.conv.linear_backward(dZ)


def _relu_commutes_with_pool(layer: Layer, above: Layer) -> bool:
    """A stock Conv2D with a stock ReLU, under a stock MaxPooling2D whose windows do not overlap.

    Then pool(relu(Z)) = relu(pool(Z)) bit for bit (a max picks an element, and both give +0.0
    where a window holds no positive Z, as np.maximum(-0.0, 0) does), and so do the gradients:
    each Z gets its window's dA only if it is the window's first maximum and positive, in either
    order. Overlapping windows would add signed zeros in another order, so they keep the plain
    path.
    """
    activation = getattr(layer, "activation", None)
    return (_stock(layer, Conv2D, "forward", "backward", "linear_forward", "linear_backward")
            and _stock(activation, ReLU, "forward", "backward") and _tiling_max_pool(above))


def _tiling_max_pool(layer: Any) -> bool:
    """A stock MaxPooling2D whose windows do not overlap."""
    return _stock(layer, MaxPooling2D, "forward", "backward") and not layer.overlapping


def _stock(obj: Any, cls: type, *methods: str) -> bool:
    """``obj`` is a ``cls`` whose ``methods`` are ``cls``'s own (a subclass may override others)."""
    return isinstance(obj, cls) and all(getattr(type(obj), name) is getattr(cls, name)
                                        for name in methods)


def _nodes(layers: Sequence[Layer], head: Head, expand: bool, compiled: bool = False
           ) -> list[tuple[int, Any]]:
    """(layer index, node) for every call of a step up to the loss: a Dense with an activation
    gives its two halves when ``expand`` (the fast paths), and always when it is the output of
    an 'activation' head (the loss takes its Z). A max pooling that gets its conv's ReLU is
    followed by it; with ``compiled``, a max pooling without overlap is a compiled node, with
    that ReLU inside."""
    nodes: list[tuple[int, Any]] = []
    last = len(layers) - 1
    # The poolings (below the last layer) whose conv's ReLU goes after them.
    pools = {i for i in range(1, last)
             if expand and _relu_commutes_with_pool(layers[i - 1], layers[i])}
    for i, layer in enumerate(layers):
        if i in pools:
            relu = layers[i - 1].activation
            nodes += ([(i, accelerated_pooling.CompiledPool(layer, relu))] if compiled
                      else [(i, layer), (i, relu)])
            continue
        if i == last and head.mode == "activation":
            if head.linear:
                nodes.append((i, _Linear(layer)))
            continue
        if compiled and _tiling_max_pool(layer):
            nodes.append((i, accelerated_pooling.CompiledPool(layer)))
            continue
        if i + 1 in pools:
            nodes.append((i, _ConvLinear(layer)))
            continue
        stock = expand and isinstance(layer, Dense) and _has_stock_linear(layer) and (
            layer.activation is not None or _is_stock_dense(layer))
        if not stock:
            nodes.append((i, layer))
        elif layer.activation is None:  # its linear half alone: one call fewer per step
            nodes.append((i, _Linear(layer)))
        else:
            nodes += [(i, _Linear(layer)), (i, layer.activation)]
    return nodes


def plan(layers: Sequence[Layer], head: Head, trainable_only: bool = True) -> StepPlan:
    """The calls of one training step through ``layers`` up to the loss (see :class:`Head`).

    Backward stops at the first layer with parameters to learn (trainable ones, unless
    ``trainable_only`` is False, as for the gradient check).
    """
    learns = [bool(layer.params) and (layer.trainable or not trainable_only) for layer in layers]
    if not config.fast_paths_enabled():
        nodes = _nodes(layers, head, expand=False)
        return StepPlan([node.forward for _, node in nodes],
                        [node.backward for _, node in reversed(nodes)], False,
                        [layer.needs_input_grad for layer in layers], None, None)
    first = next((i for i, learning in enumerate(learns) if learning), len(layers))
    needs = [i > first for i in range(len(layers))]
    compiled = config.accelerator_enabled() and accelerator.built()
    nodes = _nodes(layers, head, expand=True, compiled=compiled)
    first_node = next((k for k, (i, _) in enumerate(nodes) if i >= first), len(nodes))
    loss_makes_output = (head.mode == "activation"
                         and type(head.activation).forward in (Softmax.forward, Sigmoid.forward))
    large = sum(p.size for layer in layers for p in layer.params.values()) > SMALL_MODEL_PARAMS
    return StepPlan(_calls(nodes, "forward", needs, compiled),
                    _calls(nodes, "backward", needs, compiled)[first_node:][::-1],
                    loss_makes_output, needs, bounded_sgd_step if large else None,
                    FusedStep() if compiled else None)


def _calls(nodes: list[tuple[int, Any]], method: str, needs: list[bool], compiled: bool
           ) -> list[Callable[..., Any]]:
    """Each node's bound ``forward`` (or ``backward``), or its faster twin where that is safe.

    An activation may overwrite its input when the array is a temporary that nobody else holds:
    Z as a stock Dense's forward returns it (Dense keeps its input, not its output), and dA as
    the stock Dense above returns it from backward.
    """
    calls: list[Callable[..., Any]] = []
    for k, (i, node) in enumerate(nodes):
        if _is_stock_dense(node) and (method == "forward" or needs[i]):
            calls.append(_ReusedOutput(node, method))
            continue
        conv = _linear_conv(node) if compiled and method == "backward" else None
        if conv is not None:
            calls.append(accelerated_conv.backward_twin(conv))
            continue
        neighbour = k - 1 if method == "forward" else k + 1
        beside_dense = 0 <= neighbour < len(nodes) and _is_stock_dense(nodes[neighbour][1])
        twin = _TWINS[method].get(getattr(type(node), method, None)) if beside_dense else None
        calls.append(twin(node) if twin is not None else getattr(node, method))
    return calls


def _linear_conv(node: Any) -> Conv2D | None:
    """The stock Conv2D whose convolution alone is ``node`` (a Conv2D without an activation, or
    the linear half of one), else None."""
    linear = ("linear_forward", "linear_backward", "_weight_gradients", "_input_gradient")
    if isinstance(node, _ConvLinear):
        return node.conv if _stock(node.conv, Conv2D, *linear) else None
    stock = _stock(node, Conv2D, "forward", "backward", *linear) and node.activation is None
    return node if stock else None


def _has_stock_linear(layer: Dense) -> bool:
    kind = type(layer)
    return kind.linear_forward is Dense.linear_forward and kind.linear_backward is Dense.linear_backward


def _is_stock_dense(node: Any) -> bool:
    """A stock Dense without an activation, or the linear half of a stock Dense."""
    if isinstance(node, _Linear):
        return _has_stock_linear(node.dense)
    kind = type(node)
    return (isinstance(node, Dense) and node.activation is None and kind.forward is Dense.forward
            and kind.backward is Dense.backward and _has_stock_linear(node))


class _ReusedOutput:
    """A stock Dense's forward (Z) or backward (dA_prev) writing into one array per fit.

    Each batch's Z and dA_prev are used up within its step (the next layer's cache is replaced
    by the next batch), so one array, sliced to the batch's rows, serves every batch. It belongs
    to the training step and goes with it at the end of fit.
    """

    def __init__(self, layer: Dense | _Linear, method: str) -> None:
        self.method = getattr(layer, method)
        self.__name__ = f"reused_{method}"
        W = layer.params["W"]
        self.width, self.dtype = (W.shape[0] if method == "forward" else W.shape[1]), W.dtype
        self.buffer: np.ndarray | None = None
        # The buffer's rows of the last batch size: every batch but an epoch's last has the same
        # size, and slicing anew costs 0.2 us a call (3 calls a step on workload (c)).
        self.rows, self.view = 0, None

    def __call__(self, A: np.ndarray, *args: Any) -> np.ndarray | None:
        if A.dtype != self.dtype:  # an input of another dtype gets a fresh array, as before
            return self.method(A, *args)
        m = A.shape[0]
        if m != self.rows:
            if self.buffer is None or self.buffer.shape[0] < m:  # first batch, or a larger one
                self.buffer = np.empty((m, self.width), self.dtype)
            self.rows, self.view = m, self.buffer[:m]
        return self.method(A, *args, out=self.view)


class _ReLUForwardInPlace:
    """ReLU.forward overwriting Z: A = max(Z, 0) against kept zeros.

    Against an array of zeros, np.maximum runs 2-4x faster than against the scalar 0
    (measured with NumPy 2.4); the zeros are kept for the next batch.
    """

    __name__ = "relu_forward_in_place"

    def __init__(self, layer: ReLU) -> None:
        self.layer = layer
        self.zeros: np.ndarray | None = None

    def __call__(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        zeros = self.zeros
        if zeros is None or zeros.shape != Z.shape or zeros.dtype != Z.dtype:
            # One array of the batch's shape, kept while batches have that shape (all but an
            # epoch's last): slicing a larger one per batch cost 0.2 us on workload (c).
            zeros = self.zeros = np.zeros_like(Z)
        A = np.maximum(Z, zeros, out=Z)
        self.layer.cache = A
        return A


def _in_place(kernel: Callable[..., np.ndarray], name: str) -> Callable[[Layer], Callable[..., Any]]:
    """A twin of an activation's forward: A = kernel(Z) written over Z, cached as the layer does."""

    def twin(layer: Layer) -> Callable[..., np.ndarray]:
        def forward(Z: np.ndarray, training: bool = True) -> np.ndarray:
            A = kernel(Z, out=Z)
            layer.cache = A
            return A

        forward.__name__ = name
        return forward

    return twin


def _relu_backward_in_place(layer: ReLU) -> Callable[[np.ndarray], np.ndarray]:
    def backward(dA: np.ndarray) -> np.ndarray:
        dA *= layer.cache > 0  # A > 0 exactly where Z > 0
        return dA

    backward.__name__ = "relu_backward_in_place"
    return backward


#: The twins, by the stock method they stand in for.
_TWINS: dict[str, dict[Callable[..., Any], Callable[[Layer], Callable[..., Any]]]] = {
    "forward": {ReLU.forward: _ReLUForwardInPlace,
                Sigmoid.forward: _in_place(sigmoid, "sigmoid_forward_in_place"),
                Tanh.forward: _in_place(np.tanh, "tanh_forward_in_place")},
    "backward": {ReLU.backward: _relu_backward_in_place},
}


#: Half the square root of the largest float: a step below it cannot overflow (SGD).
_BOUNDED_DTYPES = {np.dtype(t): math.sqrt(np.finfo(t).max) / 2 for t in (np.float32, np.float64)}


def bounded_sgd_step(optimizer: Optimizer, triples: list[tuple[str, np.ndarray, np.ndarray]]
                     ) -> Callable[[], None] | None:
    """Plain SGD's step, prepared so that applying it can neither raise nor make a finite
    parameter inf or NaN; None for any other optimizer (SGD with momentum, clipping or weight
    decay included), or when the step could overflow. A learning-rate schedule is taken
    exactly: the rate is the one ``SGD.step`` would use.

    The returned ``commit()`` applies the whole step, the numbers of ``optimizer.step``; the
    guard then takes no snapshot of the parameters (one copy of the model fewer per step).
    """
    # Plain SGD writes W - lr * dW and nothing else. The steps lr * dW are computed first,
    # each into a work array of its own; if ||lr * dW|| < sqrt(max) / 2, every step is far
    # below half the spacing of floats near the largest one, so W - lr * dW cannot round to
    # inf from a finite W. The norm is one BLAS pass over an array still in cache.
    # Clipping and weight decay change the step (the guard's path applies them); a schedule
    # does not: optimizer.learning_rate is the rate SGD.step would take, schedule(iterations).
    kind = type(optimizer)
    if not (isinstance(optimizer, SGD) and optimizer.momentum == 0.0
            and kind.update is SGD.update and kind.step is Optimizer.step
            and optimizer.weight_decay is None and optimizer.clipnorm is None
            and optimizer.clipvalue is None and optimizer.global_clipnorm is None):
        return None
    lr = optimizer.learning_rate
    steps = []
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is declined below
        for key, param, grad in triples:
            limit = _BOUNDED_DTYPES.get(param.dtype)
            if limit is None or grad.dtype != param.dtype:
                return None
            step = np.multiply(grad, lr, out=optimizer._scratch(param, key))
            flat = step.reshape(-1)
            if not math.sqrt(np.vdot(flat, flat)) < limit:  # False for NaN and inf too
                return None
            steps.append((key, param, step))

    def commit() -> None:
        optimizer.iterations += 1
        for key, param, step in steps:
            optimizer.state.setdefault(key, {})
            _subtract_step(param, step)

    return commit


def _subtract_step(param: np.ndarray, step: np.ndarray) -> None:
    """W -= lr * dW, one parameter of a bounded step (a function of its own for the tests)."""
    param -= step
