"""Where the loss meets the model: the output head of a training step and of evaluation.

Three ways, decided once per fit or evaluation:

* ``plain``: the loss takes the model's output A_L (``loss.forward(A_L, Y)``).
* ``activation``: the last layer computes the loss's activation (a Sigmoid before the binary
  cross-entropy, a Softmax before the categorical one, or a Dense whose ``activation`` is
  one): the loss takes the logits Z entering it and hands back dZ (fused, never saturating).
* ``logits``: the loss was made with ``from_logits=True``: the model's output is the logits,
  which the metrics see too (as in Keras: give a threshold of 0 to a binary accuracy).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..layers.base import Layer
from ..layers.dense import Dense
from ..losses import Loss

__all__ = ["Head", "head_of", "loss_value"]


class Head(NamedTuple):
    mode: str                  # 'plain', 'activation' or 'logits'
    output: Layer              # the model's last layer
    activation: Layer | None   # mode 'activation': the layer computing A = g(Z)
    linear: bool               # mode 'activation': the last layer is a Dense with that activation

    def inference(self, A: np.ndarray, loss: Loss, Y: np.ndarray | None, W: np.ndarray | None
                  ) -> tuple[np.ndarray, np.ndarray, float | None]:
        """The last layer in inference mode on its input A: (output, what the metrics see, the
        loss or None when Y is None)."""
        if self.mode == "activation":
            Z = self.output.linear_forward(A, False) if self.linear else A
            out = self.activation.forward(Z, False)
            value = None if Y is None else loss_value(loss.forward_logits, Z, Y, W, out)
            return out, out, value
        out = self.output.forward(A, False)
        if Y is None:
            return out, out, None
        if self.mode == "logits":
            value, _ = loss_value(loss.forward_fused, out, Y, W)
            return out, out, value
        return out, out, loss_value(loss.forward, out, Y, W)


def head_of(layers: list[Layer], loss: Loss | None) -> Head:
    """The head of a model whose last layer is ``layers[-1]`` trained with ``loss``."""
    output = layers[-1]
    if loss is not None and loss.from_logits:
        return Head("logits", output, None, False)
    if loss is not None and loss.fuses_with(output):
        linear = isinstance(output, Dense) and output.activation is not None
        return Head("activation", output, output.activation if linear else output, linear)
    return Head("plain", output, None, False)


def loss_value(method: Any, A: np.ndarray, Y: np.ndarray, W: np.ndarray | None,
               *args: Any) -> Any:
    """``method(A, Y, *args)``, with ``sample_weight=W`` only when there are weights (so a loss
    written for neuralkit 0.1, without that argument, keeps working unweighted)."""
    return method(A, Y, *args) if W is None else method(A, Y, *args, sample_weight=W)
