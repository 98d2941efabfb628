"""The training step: batches by index, and one forward/backward/update on a batch.

``Sequential.fit`` loops over epochs and calls these; everything here runs once per batch, so
the per-batch call path is kept short (layer lists and parameter keys are worked out once per
fit).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ._guard import UpdateGuard
from .errors import DivergenceError
from .layers.activations import Sigmoid, Softmax
from .layers.base import Layer
from .layers.dense import Dense
from .losses import Loss

if TYPE_CHECKING:
    from .model import Sequential


class _Batches:
    """The epoch's batches: views of X and Y in order, or rows gathered by index (never a copy of
    the whole data set).

    Shuffled batches are gathered into two arrays reused for every batch: each batch is used up
    (forward, backward, update, metrics) before the next one is gathered, and nothing keeps a
    batch past its step but the first layer's cache, which the next batch replaces.
    """

    def __init__(self, X: np.ndarray, Y: np.ndarray, batch_size: int, order: np.ndarray | None):
        self.X, self.Y, self.batch_size, self.order = X, Y, batch_size, order

    def __len__(self) -> int:
        return math.ceil(self.X.shape[0] / self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        X, Y, size, order = self.X, self.Y, self.batch_size, self.order
        m = X.shape[0]
        if order is None:
            for start in range(0, m, size):
                yield X[start:start + size], Y[start:start + size]
            return
        X_batch = np.empty((min(size, m), *X.shape[1:]), dtype=X.dtype)
        Y_batch = np.empty((min(size, m), *Y.shape[1:]), dtype=Y.dtype)
        for start in range(0, m, size):
            idx = order[start:start + size]
            n = idx.size
            # mode='clip' writes straight into out= (the default 'raise' buffers the whole
            # gather first); the indices are a permutation of range(m), so none is clipped.
            yield (np.take(X, idx, axis=0, out=X_batch[:n], mode="clip"),
                   np.take(Y, idx, axis=0, out=Y_batch[:n], mode="clip"))


class _NoStep:
    """Stands in for the optimizer when only the loss and the gradients are wanted (L-BFGS)."""

    def step(self, params: Any) -> None:
        for _ in params:
            pass


class _TrainStep:
    """One forward/backward/update on a batch, with the layer lists worked out once per fit."""

    def __init__(self, model: Sequential, loss: Loss) -> None:
        layers = model.layers
        self.loss = loss
        self.fused = model._is_fused(loss)
        self.forward_layers = layers[:-1] if self.fused else list(layers)
        self.output_layer = layers[-1] if self.fused else None
        # The stock Softmax or Sigmoid computes nothing the fused loss does not: the loss makes
        # A from the logits once, and the layer's cache is set to it.
        self.loss_makes_output = self.fused and type(self.output_layer).forward in (
            Softmax.forward, Sigmoid.forward)
        # Backward stops at the first layer with parameters: nothing below it learns.
        first = next((i for i, layer in enumerate(layers) if layer.params), len(layers))
        for i, layer in enumerate(layers):
            layer.needs_input_grad = i > first
        self.forward_calls = _calls(self.forward_layers, "forward")
        self.backward_calls = _calls(self.forward_layers, "backward")[first:][::-1]
        self.param_refs = [(f"{layer.name}/{name}", layer, name)
                           for layer in layers for name in layer.params]
        self.regularized = [layer for layer in layers
                            if type(layer).regularization_loss is not Layer.regularization_loss]
        self.optimizer = model.optimizer
        self.guard = UpdateGuard(self.param_refs)  # all-or-nothing updates, never NaN parameters

    def forward_loss(self, Xb: np.ndarray, Yb: np.ndarray) -> tuple[float, np.ndarray]:
        """Forward pass in training mode; returns (loss plus any penalty, A_L)."""
        A = Xb
        for forward in self.forward_calls:
            A = forward(A, True)
        loss = self.loss
        if self.loss_makes_output:
            value, A = loss.forward_fused(A, Yb)
            self.output_layer.cache = A
        elif self.fused:
            Z = A
            A = self.output_layer.forward(Z, True)
            value = loss.forward_logits(Z, Yb, A)
        else:
            value = loss.forward(A, Yb)
        for layer in self.regularized:
            value += layer.regularization_loss()
        return value, A

    def __call__(self, Xb: np.ndarray, Yb: np.ndarray, epoch: int, step: int
                 ) -> tuple[float, np.ndarray]:
        value, A = self.forward_loss(Xb, Yb)
        if not math.isfinite(value):
            raise DivergenceError(
                f"the training loss became {value} at epoch {epoch + 1}, batch {step + 1}; the "
                "parameters are those of the previous step. Try a lower learning rate, "
                "scaling the inputs, or a smaller initialization."
            )
        loss = self.loss
        dA = loss.backward_logits() if self.fused else loss.backward()
        for backward in self.backward_calls:
            dA = backward(dA)
        self.guard.apply(self.optimizer, epoch, step, value)
        return value, A


def _calls(layers: list[Layer], method: str) -> list[Callable[..., Any]]:
    """Each layer's bound ``forward`` (or ``backward``), or a faster equivalent where that is safe.

    A stock Dense writes Z (and dA_prev, when a layer below needs it) into an array reused
    across batches (:class:`_ReusedOutput`).

    An activation may overwrite its input when the array is a temporary that nobody else
    holds: Z as the stock Dense's forward returns it (Dense keeps its input, not its output),
    and dA as the stock Dense above returns it from backward. The twin is used only when the
    class that defines ``forward``/``backward`` also defines it, so a subclass that overrides
    ``forward`` never gets its parent's twin.
    """
    calls: list[Callable[..., Any]] = []
    for i, layer in enumerate(layers):
        if _is_stock_dense(layer) and (method == "forward" or layer.needs_input_grad):
            calls.append(_ReusedOutput(layer, method))
            continue
        neighbour = i - 1 if method == "forward" else i + 1
        source = layers[neighbour] if 0 <= neighbour < len(layers) else None
        twin = _twin(layer, method) if source is not None and _is_stock_dense(source) else None
        calls.append(twin or getattr(layer, method))
    return calls


class _ReusedOutput:
    """A stock Dense's forward (Z) or backward (dA_prev) writing into one array per fit.

    Each batch's Z and dA_prev are used up within its step (the next layer's cache is replaced
    by the next batch), so one array, sliced to the batch's rows, serves every batch. It belongs
    to the training step and goes with it at the end of fit.
    """

    def __init__(self, layer: Dense, method: str) -> None:
        self.method = getattr(layer, method)
        self.__name__ = method
        W = layer.params["W"]
        self.width, self.dtype = (W.shape[0] if method == "forward" else W.shape[1]), W.dtype
        self.buffer: np.ndarray | None = None

    def __call__(self, A: np.ndarray, *args: Any) -> np.ndarray | None:
        if A.dtype != self.dtype:  # an input of another dtype gets a fresh array, as before
            return self.method(A, *args)
        m = A.shape[0]
        if self.buffer is None or self.buffer.shape[0] < m:  # first batch, or a larger one
            self.buffer = np.empty((m, self.width), self.dtype)
        return self.method(A, *args, out=self.buffer[:m])


def _twin(layer: Layer, method: str) -> Callable[..., Any] | None:
    name = f"_{method}_in_place"
    owner = next(cls for cls in type(layer).__mro__ if method in vars(cls))
    return getattr(layer, name) if name in vars(owner) else None


def _is_stock_dense(layer: Layer) -> bool:
    kind = type(layer)
    return kind.forward is Dense.forward and kind.backward is Dense.backward
