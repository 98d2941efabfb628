"""One step on a batch: forward, loss, backward (:class:`GradientStep`), then the update
(:class:`TrainStep`).

Everything here runs once per batch, so the per-batch path is kept short: the calls through
the layers are worked out once per fit (:func:`neuralkit.training.fast_paths.plan`), and so is
where the loss meets the model (:func:`neuralkit.training.head.head_of`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._parameters import parameter_slots
from ..errors import DivergenceError
from ..layers.base import Layer
from ..losses import Loss
from ..optimizers import Optimizer
from . import fast_paths
from .guard import UpdateGuard
from .head import head_of, loss_value

__all__ = ["GradientStep", "TrainStep"]


class GradientStep:
    """Forward, loss and backward on a batch: fills every layer's ``grads``, updates nothing.

    Used as a context manager (``with GradientStep(layers, loss) as step:``); on exit every
    layer's ``needs_input_grad`` is what it was before. L-BFGS and the gradient check use it
    as it is; :class:`TrainStep` adds the update.

    Parameters
    ----------
    layers : sequence of Layer
        The model's layers, built.
    loss : Loss
        When it fuses with the last layer (:meth:`Loss.fuses_with`), it takes that layer's
        logits and hands back dZ; with ``from_logits`` it takes the model's output as logits.
    trainable_only : bool, default True
        ``slots`` holds the trainable layers' parameters only (a frozen layer is not updated),
        and backward stops at the first of them. False: every parameter (the gradient check).
    """

    def __init__(self, layers: Sequence[Layer], loss: Loss, trainable_only: bool = True) -> None:
        self.layers = list(layers)
        self.loss = loss
        self.head = head_of(self.layers, loss)
        learning = [layer for layer in self.layers if layer.trainable or not trainable_only]
        self.slots = parameter_slots(learning)
        self.regularized = [layer for layer in self.layers
                            if type(layer).regularization_loss is not Layer.regularization_loss]
        self._saved_needs = [layer.needs_input_grad for layer in self.layers]
        self.plan = fast_paths.plan(self.layers, self.head, trainable_only)
        for layer, needs in zip(self.layers, self.plan.needs_input_grad, strict=True):
            layer.needs_input_grad = needs

    def __enter__(self) -> GradientStep:
        return self

    def __exit__(self, *exc: Any) -> None:
        for layer, needs in zip(self.layers, self._saved_needs, strict=True):
            layer.needs_input_grad = needs

    def forward_loss(self, Xb: np.ndarray, Yb: np.ndarray, Wb: np.ndarray | None = None
                     ) -> tuple[float, np.ndarray]:
        """Forward pass in training mode; returns (loss plus any penalty, A_L)."""
        A = Xb
        for forward in self.plan.forward_calls:
            A = forward(A, True)
        loss, head = self.loss, self.head
        if self.plan.loss_makes_output:
            value, A = loss_value(loss.forward_fused, A, Yb, Wb)
            head.activation.cache = A
        elif head.mode == "activation":
            Z = A
            A = head.activation.forward(Z, True)
            value = loss_value(loss.forward_logits, Z, Yb, Wb, A)
        elif head.mode == "logits":  # the metrics see the logits, as in Keras
            value, _ = loss_value(loss.forward_fused, A, Yb, Wb)
        else:
            value = loss_value(loss.forward, A, Yb, Wb)
        for layer in self.regularized:
            value += layer.regularization_loss()
        return value, A

    def gradients(self, Xb: np.ndarray, Yb: np.ndarray, epoch: int = 0, step: int = 0,
                  Wb: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """Forward and backward; returns (loss, A_L) with every ``grads`` filled.

        Raises
        ------
        DivergenceError
            When the loss is NaN or inf (nothing has been changed).
        """
        value, A = self.forward_loss(Xb, Yb, Wb)
        if not math.isfinite(value):
            raise DivergenceError(
                f"the training loss became {value} at epoch {epoch + 1}, batch {step + 1}; the "
                "parameters are those of the previous step. Try a lower learning rate, "
                "scaling the inputs, or a smaller initialization."
            )
        dA = self.loss.backward_logits() if self.head.mode != "plain" else self.loss.backward()
        for backward in self.plan.backward_calls:
            dA = backward(dA)
        return value, A


class TrainStep(GradientStep):
    """A :class:`GradientStep` followed by the optimizer's update, all-or-nothing
    (:class:`~neuralkit.training.guard.UpdateGuard`)."""

    def __init__(self, layers: Sequence[Layer], loss: Loss, optimizer: Optimizer) -> None:
        super().__init__(layers, loss)
        self.optimizer = optimizer
        self.guard = UpdateGuard(self.slots, self.plan.bounded, self.plan.fused)
        self.stateful = [layer for layer in self.layers
                         if type(layer).after_update is not Layer.after_update]

    def __call__(self, Xb: np.ndarray, Yb: np.ndarray, epoch: int, step: int,
                 Wb: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """Train on one batch; returns (its loss before the update, A_L)."""
        value, A = self.gradients(Xb, Yb, epoch, step, Wb)
        self.guard.apply(self.optimizer, epoch, step, value)
        for layer in self.stateful:  # the batch's update is in: layers may move their state
            layer.after_update()
        return value, A

    def raise_held_interrupt(self) -> None:
        """Raise the KeyboardInterrupt that arrived while an update was written, if one did."""
        if self.guard.interrupted:
            raise KeyboardInterrupt
