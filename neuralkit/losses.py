"""Losses: ``forward(Y_hat, Y) -> float`` (a mean over examples) and ``backward() -> dY_hat``.

``backward`` returns dL/dY_hat already divided by the number of examples m, so the layers'
backward passes only apply the chain rule (the course's 1/m lives here, once).

Cross-entropies pair with their output activation: in a model, Sigmoid followed by
BinaryCrossEntropy and Softmax followed by CategoricalCrossEntropy are *fused*: the loss is
computed from the logits Z (softplus, log-sum-exp), and the gradient handed to the layer
before the activation is exactly dZ = (A - Y) / m. Nothing saturates, for any finite Z.
Any other use clips probabilities to [EPSILON, 1 - EPSILON] before taking logs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from ._numerics import ones, sigmoid, softmax
from ._validation import resolve
from .layers.activations import Sigmoid, Softmax
from .layers.base import Layer

__all__ = ["Loss", "MeanSquaredError", "BinaryCrossEntropy", "CategoricalCrossEntropy", "EPSILON",
           "LOSSES", "get"]

#: Probabilities are clipped to [EPSILON, 1 - EPSILON] when a cross-entropy is not fused
#: with its activation (the value Keras uses).
EPSILON = 1e-7


class Loss(ABC):
    """Base class of losses. Subclasses implement :meth:`forward` and :meth:`backward`."""

    #: Name accepted by ``Sequential.compile(loss=...)``.
    name = "loss"
    #: The output layer this loss is fused with, or None. A loss that names one implements
    #: ``forward_logits(Z, Y, A)``, ``forward_fused(Z, Y) -> (value, A)`` and
    #: ``backward_logits() -> dZ``, taking the logits Z that enter that layer.
    output_activation: type[Layer] | None = None

    def fuses_with(self, layer: Layer) -> bool:
        """True when the model's output ``layer`` is this loss's activation: the loss then
        works from the logits (see the module docstring)."""
        return self.output_activation is not None and isinstance(layer, self.output_activation)

    @abstractmethod
    def forward(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        """Mean loss over the m examples of ``Y_hat`` and ``Y`` (both (m, n_y))."""

    @abstractmethod
    def backward(self) -> np.ndarray:
        """dL/dY_hat (m, n_y) for the last :meth:`forward`, divided by m."""

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
        return f"{type(self).__name__}()"


class MeanSquaredError(Loss):
    """L = mean over examples and outputs of (Y_hat - Y)**2 (the seed's movie-rating cost).

    dL/dY_hat = 2 (Y_hat - Y) / (m * n_y).
    """

    name = "mse"

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        self._Y_hat, self._Y = Y_hat, Y
        diff = Y_hat - Y
        return float(np.vdot(diff, diff)) / diff.size

    def backward(self) -> np.ndarray:
        Y_hat, Y = self._saved()
        return (Y_hat - Y) * (2.0 / Y_hat.size)


class BinaryCrossEntropy(Loss):
    """L = -mean(Y log A + (1 - Y) log(1 - A)) over examples (and outputs, if several).

    Labels must lie in [0, 1]. Standalone, A is clipped to [EPSILON, 1 - EPSILON] and::

        dL/dA = (A - Y) / (A (1 - A)) / (m * n_y)

    Fused with a Sigmoid (:meth:`forward_logits`), the loss comes from the logits Z::

        L = mean(softplus(Z) - Y Z) = mean(log(1 + exp(Z)) - Y Z)
        dL/dZ = (A - Y) / (m * n_y)          (for one output: the course's (A - Y) / m)
    """

    name = "binary_crossentropy"
    output_activation = Sigmoid

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        self._Y_hat, self._Y = Y_hat, Y
        A = np.clip(Y_hat, EPSILON, 1 - EPSILON)
        return -float(np.sum(Y * np.log(A) + (1 - Y) * np.log1p(-A))) / A.size

    def backward(self) -> np.ndarray:
        Y_hat, Y = self._saved()
        A = np.clip(Y_hat, EPSILON, 1 - EPSILON)
        return (A - Y) / (A * (1 - A) * A.size)

    def forward_logits(self, Z: np.ndarray, Y: np.ndarray, A: np.ndarray | None = None) -> float:
        """Loss from the logits Z (m, n_y); ``A = sigmoid(Z)`` may be passed to save work."""
        self._A = sigmoid(Z) if A is None else A
        self._Y = Y
        # softplus(Z) = logaddexp(0, Z) never overflows.
        loss = np.logaddexp(0, Z)
        loss -= Y * Z
        return float(loss.sum()) / Z.size

    def forward_fused(self, Z: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
        """Loss and ``A = sigmoid(Z)`` from the logits Z (m, n_y)."""
        value = self.forward_logits(Z, Y)
        return value, self._A

    def backward_logits(self) -> np.ndarray:
        """dL/dZ = (A - Y) / size for the last :meth:`forward_logits`."""
        return (self._A - self._Y) * (1.0 / self._A.size)


class CategoricalCrossEntropy(Loss):
    """L = -(1/m) sum_i sum_k Y_ik log A_ik, Y one-hot (m, K) or integer labels (m,).

    Standalone, A is clipped to [EPSILON, 1] and dL/dA = -Y / (A m). Fused with a Softmax
    (:meth:`forward_logits`), the loss comes from the logits with log-sum-exp::

        L = (1/m) sum_i (logsumexp(Z_i) - sum_k Y_ik Z_ik)
        dL/dZ = (A - Y) / m
    """

    name = "categorical_crossentropy"
    output_activation = Softmax

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        Y = _one_hot_if_labels(Y, Y_hat)
        self._Y_hat, self._Y = Y_hat, Y
        A = np.clip(Y_hat, EPSILON, 1.0)
        return -float(np.sum(Y * np.log(A))) / A.shape[0]

    def backward(self) -> np.ndarray:
        Y_hat, Y = self._saved()
        A = np.clip(Y_hat, EPSILON, 1.0)
        return -Y / (A * A.shape[0])

    def forward_logits(self, Z: np.ndarray, Y: np.ndarray, A: np.ndarray | None = None) -> float:
        """Loss from the logits Z (m, K); a given ``A = softmax(Z)`` is what
        :meth:`backward_logits` uses (:meth:`forward_fused` computes it once, for both)."""
        return self._from_logits(Z, Y, A)[0]

    def forward_fused(self, Z: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
        """Loss and ``A = softmax(Z)`` from the logits Z (m, K), sharing the work."""
        return self._from_logits(Z, Y, None)

    def _from_logits(self, Z: np.ndarray, Y: np.ndarray, A: np.ndarray | None
                     ) -> tuple[float, np.ndarray]:
        Y = _one_hot_if_labels(Y, Z)
        A_Z, shifted, sums = softmax(Z)
        A = A_Z if A is None else A
        self._A, self._Y = A, Y
        # sum_k Y_ik log A_ik = sum_k Y_ik shifted_ik - log(sums_i) sum_k Y_ik; the row sums
        # of Y as a matrix-vector product (faster than a reduction over a short axis).
        label_mass = Y @ ones(Y.shape[1], Y.dtype)
        value = float(np.log(sums) @ label_mass - np.vdot(Y, shifted)) / Z.shape[0]
        return value, A

    def backward_logits(self) -> np.ndarray:
        """dL/dZ = (A - Y) / m for the last :meth:`forward_logits`."""
        return (self._A - self._Y) * (1.0 / self._A.shape[0])


def _one_hot_if_labels(Y: np.ndarray, like: np.ndarray) -> np.ndarray:
    if Y.ndim == 1 or (Y.ndim == 2 and Y.shape[1] == 1 and like.shape[1] > 1):
        labels = Y.reshape(-1).astype(np.intp)
        onehot = np.zeros(like.shape, dtype=like.dtype)
        onehot[np.arange(labels.size), labels] = 1
        return onehot
    return Y


LOSSES: dict[str, type[Loss]] = {
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "binary_crossentropy": BinaryCrossEntropy,
    "categorical_crossentropy": CategoricalCrossEntropy,
}


def get(identifier: str | Loss) -> Loss:
    """Resolve a loss by name ('mse', 'binary_crossentropy', 'categorical_crossentropy') or instance."""
    return resolve(identifier, Loss, LOSSES, "loss")
