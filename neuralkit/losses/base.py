"""The base class of losses: ``forward(Y_hat, Y) -> float`` and ``backward() -> dY_hat``.

``backward`` returns dL/dY_hat already divided by the number of examples m, so the layers'
backward passes only apply the chain rule (the course's 1/m lives here, once).

Sample weights follow Keras's ``sum_over_batch_size``: with per-example losses l_i and weights
w_i, ``L = sum_i w_i l_i / m`` (divided by the batch size, not by the sum of the weights), so
``dL/dY_hat_i = w_i dl_i/dY_hat_i / m``. Without weights every loss computes exactly what
neuralkit 0.1 computed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from ..layers.base import Layer

__all__ = ["Loss", "EPSILON"]

#: Probabilities are clipped to [EPSILON, 1 - EPSILON] when a cross-entropy is not fused
#: with its activation (the value Keras uses).
EPSILON = 1e-7


class Loss(ABC):
    """Base class of losses. Subclasses implement :meth:`forward` and :meth:`backward`.

    A loss object is also callable the Keras way, ``loss(y_true, y_pred, sample_weight=None)``,
    which returns :meth:`forward`'s value.
    """

    #: Name accepted by ``Sequential.compile(loss=...)``.
    name = "loss"
    #: The output layer this loss is fused with, or None. A loss that names one implements
    #: ``forward_logits(Z, Y, A, sample_weight)``, ``forward_fused(Z, Y, sample_weight) ->
    #: (value, A)`` and ``backward_logits() -> dZ``, taking the logits Z that enter that layer.
    output_activation: type[Layer] | None = None
    #: True when the model's outputs are the logits themselves (``from_logits=True``).
    from_logits = False

    def fuses_with(self, layer: Layer) -> bool:
        """True when the model's output ``layer`` computes this loss's activation: the loss then
        works from the logits Z entering it (the stock layer, or a Dense whose ``activation``
        is it)."""
        if self.output_activation is None or self.from_logits:
            return False
        return isinstance(getattr(layer, "activation", None) or layer, self.output_activation)

    @abstractmethod
    def forward(self, Y_hat: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None = None
                ) -> float:
        """Mean loss over the m examples of ``Y_hat`` and ``Y`` (both (m, n_y)), each weighted
        by ``sample_weight`` (m,) when given."""

    @abstractmethod
    def backward(self) -> np.ndarray:
        """dL/dY_hat (m, n_y) for the last :meth:`forward`, divided by m."""

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        """Keras's order: ``loss(y_true, y_pred)`` is ``forward(y_pred, y_true)``."""
        y_pred = np.asarray(y_pred, dtype=np.float64)
        y_true = np.asarray(y_true, dtype=np.float64)
        if y_pred.ndim == 1:
            y_pred = y_pred.reshape(-1, 1)
        if y_true.ndim == 1 and y_pred.shape[1] == 1:
            y_true = y_true.reshape(-1, 1)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        return self.forward(y_pred, y_true, weights)

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this loss."""
        return {}

    def _saved(self) -> tuple[np.ndarray, np.ndarray]:
        try:
            return self._Y_hat, self._Y
        except AttributeError:
            raise RuntimeError(
                f"{type(self).__name__}: backward() was called before forward()."
            ) from None

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def weighted_mean(per_example: np.ndarray, weights: np.ndarray) -> float:
    """sum_i w_i l_i / m: Keras's sum_over_batch_size."""
    return float(per_example @ weights) / per_example.shape[0]


def weight_column(weights: np.ndarray | None, like: np.ndarray) -> np.ndarray | None:
    """Weights (m,) as a column (m, 1) in ``like``'s dtype, to scale per-example gradients."""
    return None if weights is None else np.asarray(weights, dtype=like.dtype).reshape(-1, 1)
