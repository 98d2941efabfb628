"""Cross-entropies: binary, categorical, and sparse categorical (integer labels).

Each pairs with its output activation: after a Sigmoid (binary) or a Softmax (categorical)
in a model, the loss is *fused*: it is computed from the logits Z (softplus, log-sum-exp) and
the gradient handed to the layer before the activation is exactly dZ = (A - Y) / m. Nothing
saturates, for any finite Z. ``from_logits=True`` does the same when the model's outputs are
the logits themselves (no activation). Any other use clips probabilities to
[EPSILON, 1 - EPSILON] before taking logs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._numerics import ones, sigmoid, softmax
from .._validation import check_number
from ..layers.activations import Sigmoid, Softmax
from .base import EPSILON, Loss, weight_column, weighted_mean

__all__ = ["BinaryCrossEntropy", "CategoricalCrossEntropy", "SparseCategoricalCrossentropy"]


class _CrossEntropy(Loss):
    """What the cross-entropies share: ``from_logits`` and ``label_smoothing``."""

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0) -> None:
        if not isinstance(from_logits, (bool, np.bool_)):
            raise TypeError(f"from_logits must be True or False; got {from_logits!r}.")
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_number(label_smoothing, "label_smoothing", 0.0, 1.0,
                                            low_inclusive=True, high_inclusive=True)

    def _smoothed(self, Y: np.ndarray, n_classes: int) -> np.ndarray:
        s = self.label_smoothing
        return Y if s == 0.0 else Y * (1.0 - s) + s / n_classes

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None = None
                ) -> float:
        if self.from_logits:
            return self._logits(Y_hat, Y, sample_weight)
        return self._forward_probabilities(Y_hat, Y, sample_weight)

    def _logits(self, Z: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None) -> float:
        # A subclass's forward_logits(Z, Y, A) of neuralkit 0.1 has no sample_weight.
        if sample_weight is None:
            return self.forward_logits(Z, Y)
        return self.forward_logits(Z, Y, None, sample_weight=sample_weight)

    def backward(self) -> np.ndarray:
        return self.backward_logits() if self.from_logits else self._backward_probabilities()

    def forward_fused(self, Z: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None = None
                      ) -> tuple[float, np.ndarray]:
        """Loss and the probabilities A from the logits Z, sharing the work."""
        value = self._logits(Z, Y, sample_weight)
        return value, self._A

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if self.from_logits:
            config["from_logits"] = True
        if self.label_smoothing:
            config["label_smoothing"] = self.label_smoothing
        return config


class BinaryCrossEntropy(_CrossEntropy):
    """L = -mean(Y log A + (1 - Y) log(1 - A)) over examples (and outputs, if several).

    Labels must lie in [0, 1]. Standalone, A is clipped to [EPSILON, 1 - EPSILON] and::

        dL/dA = (A - Y) / (A (1 - A)) / (m * n_y)

    Fused with a Sigmoid (:meth:`forward_logits`), or with ``from_logits=True``, the loss comes
    from the logits Z::

        L = mean(softplus(Z) - Y Z) = mean(log(1 + exp(Z)) - Y Z)
        dL/dZ = (A - Y) / (m * n_y)          (for one output: the course's (A - Y) / m)

    With sample weights, example i's terms are scaled by w_i (the mean stays over m).
    ``label_smoothing`` s replaces Y by Y (1 - s) + s / 2.
    """

    name = "binary_crossentropy"
    output_activation = Sigmoid

    def _forward_probabilities(self, Y_hat: np.ndarray, Y: np.ndarray,
                               sample_weight: np.ndarray | None) -> float:
        Y = self._smoothed(Y, 2)
        self._Y_hat, self._Y, self._w = Y_hat, Y, weight_column(sample_weight, Y_hat)
        A = np.clip(Y_hat, EPSILON, 1 - EPSILON)
        terms = Y * np.log(A) + (1 - Y) * np.log1p(-A)
        if self._w is None:
            return -float(np.sum(terms)) / A.size
        return -weighted_mean(np.mean(terms, axis=1), sample_weight)

    def _backward_probabilities(self) -> np.ndarray:
        Y_hat, Y = self._saved()
        A = np.clip(Y_hat, EPSILON, 1 - EPSILON)
        dA = (A - Y) / (A * (1 - A) * A.size)
        return dA if self._w is None else dA * self._w

    def forward_logits(self, Z: np.ndarray, Y: np.ndarray, A: np.ndarray | None = None,
                       sample_weight: np.ndarray | None = None) -> float:
        """Loss from the logits Z (m, n_y); ``A = sigmoid(Z)`` may be passed to save work."""
        Y = self._smoothed(Y, 2)
        self._A = sigmoid(Z) if A is None else A
        self._Y, self._w = Y, weight_column(sample_weight, Z)
        # softplus(Z) = logaddexp(0, Z) never overflows.
        loss = np.logaddexp(0, Z)
        loss -= Y * Z
        if self._w is None:
            return float(loss.sum()) / Z.size
        return weighted_mean(np.mean(loss, axis=1), sample_weight)

    def backward_logits(self) -> np.ndarray:
        """dL/dZ = (A - Y) / size for the last :meth:`forward_logits` (rows scaled by w_i)."""
        dZ = (self._A - self._Y) * (1.0 / self._A.size)
        return dZ if self._w is None else dZ * self._w


class CategoricalCrossEntropy(_CrossEntropy):
    """L = -(1/m) sum_i sum_k Y_ik log A_ik, Y one-hot (m, K) or integer labels (m,).

    Standalone, A is clipped to [EPSILON, 1] and dL/dA = -Y / (A m). Fused with a Softmax
    (:meth:`forward_logits`), or with ``from_logits=True``, the loss comes from the logits with
    log-sum-exp::

        L = (1/m) sum_i (logsumexp(Z_i) - sum_k Y_ik Z_ik)
        dL/dZ = (A - Y) / m

    With sample weights, example i's terms are scaled by w_i (the mean stays over m).
    ``label_smoothing`` s replaces Y by Y (1 - s) + s / K.
    """

    name = "categorical_crossentropy"
    output_activation = Softmax

    def _forward_probabilities(self, Y_hat: np.ndarray, Y: np.ndarray,
                               sample_weight: np.ndarray | None) -> float:
        Y = self._smoothed(_one_hot_if_labels(Y, Y_hat), Y_hat.shape[1])
        self._Y_hat, self._Y, self._w = Y_hat, Y, weight_column(sample_weight, Y_hat)
        A = np.clip(Y_hat, EPSILON, 1.0)
        if self._w is None:
            return -float(np.sum(Y * np.log(A))) / A.shape[0]
        return -weighted_mean(np.sum(Y * np.log(A), axis=1), sample_weight)

    def _backward_probabilities(self) -> np.ndarray:
        Y_hat, Y = self._saved()
        A = np.clip(Y_hat, EPSILON, 1.0)
        dA = -Y / (A * A.shape[0])
        return dA if self._w is None else dA * self._w

    def forward_logits(self, Z: np.ndarray, Y: np.ndarray, A: np.ndarray | None = None,
                       sample_weight: np.ndarray | None = None) -> float:
        """Loss from the logits Z (m, K); a given ``A = softmax(Z)`` is what
        :meth:`backward_logits` uses (:meth:`forward_fused` computes it once, for both)."""
        Y = self._smoothed(_one_hot_if_labels(Y, Z), Z.shape[1])
        A_Z, shifted, sums = softmax(Z)
        self._A, self._Y = (A_Z if A is None else A), Y
        self._w = weight_column(sample_weight, Z)
        # sum_k Y_ik log A_ik = sum_k Y_ik shifted_ik - log(sums_i) sum_k Y_ik; the row sums
        # of Y as a matrix-vector product (faster than a reduction over a short axis).
        label_mass = Y @ ones(Y.shape[1], Y.dtype)
        if self._w is None:
            return float(np.log(sums) @ label_mass - np.vdot(Y, shifted)) / Z.shape[0]
        per_example = np.log(sums) * label_mass - np.sum(Y * shifted, axis=1)
        return weighted_mean(per_example, sample_weight)

    def backward_logits(self) -> np.ndarray:
        """dL/dZ = (A - Y) / m for the last :meth:`forward_logits` (rows scaled by w_i)."""
        dZ = (self._A - self._Y) * (1.0 / self._A.shape[0])
        return dZ if self._w is None else dZ * self._w


class SparseCategoricalCrossentropy(CategoricalCrossEntropy):
    """The categorical cross-entropy for integer class labels Y (m,) in [0, K): Keras's name
    for what ``CategoricalCrossEntropy`` does with labels (the formulas are its)."""

    name = "sparse_categorical_crossentropy"


def _one_hot_if_labels(Y: np.ndarray, like: np.ndarray) -> np.ndarray:
    if Y.ndim == 1 or (Y.ndim == 2 and Y.shape[1] == 1 and like.shape[1] > 1):
        labels = Y.reshape(-1).astype(np.intp)
        onehot = np.zeros(like.shape, dtype=like.dtype)
        onehot[np.arange(labels.size), labels] = 1
        return onehot
    return Y
