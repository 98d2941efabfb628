"""Losses: ``forward(Y_hat, Y) -> float`` (a mean over examples) and ``backward() -> dY_hat``.

Names accepted by ``compile(loss=...)`` are Keras's ('mse', 'mae', 'huber',
'binary_crossentropy', 'categorical_crossentropy', 'sparse_categorical_crossentropy', and their
long forms). Keras's class spellings (``BinaryCrossentropy``, ...) are the same classes as
neuralkit 0.1's (``BinaryCrossEntropy``, ...).
"""

from __future__ import annotations

from typing import Any

from .._validation import resolve
from .base import EPSILON, Loss
from .cross_entropy import BinaryCrossEntropy, CategoricalCrossEntropy, SparseCategoricalCrossentropy
from .functions import (
    binary_crossentropy,
    categorical_crossentropy,
    huber,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
)
from .regression import Huber, MeanAbsoluteError, MeanSquaredError

BinaryCrossentropy = BinaryCrossEntropy
CategoricalCrossentropy = CategoricalCrossEntropy

__all__ = ["Loss", "MeanSquaredError", "MeanAbsoluteError", "Huber", "BinaryCrossEntropy",
           "CategoricalCrossEntropy", "BinaryCrossentropy", "CategoricalCrossentropy",
           "SparseCategoricalCrossentropy", "EPSILON", "LOSSES", "get", "mean_squared_error",
           "mean_absolute_error", "huber", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy"]

LOSSES: dict[str, type[Loss]] = {
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "huber": Huber,
    "binary_crossentropy": BinaryCrossEntropy,
    "categorical_crossentropy": CategoricalCrossEntropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def get(identifier: Any) -> Loss:
    """Resolve a loss by name (see :data:`LOSSES`), class, instance or Keras's loss function
    (``mean_squared_error``, made into its class)."""
    cls = getattr(identifier, "__loss_class__", None)
    return resolve(identifier if cls is None else cls, Loss, LOSSES, "loss")
