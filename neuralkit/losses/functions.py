"""Keras's loss functions, ``mean_squared_error(y_true, y_pred)``: the per-example losses.

Each is its class's formula for one example at a time, so ``mean_squared_error(y, p).mean()``
is ``MeanSquaredError()(y, p)``. Passed to ``compile(loss=...)`` a function stands for its class
(``loss=losses.mean_squared_error`` trains exactly as ``loss="mse"``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import Loss
from .cross_entropy import BinaryCrossEntropy, CategoricalCrossEntropy, SparseCategoricalCrossentropy
from .regression import Huber, MeanAbsoluteError, MeanSquaredError

__all__ = ["mean_squared_error", "mean_absolute_error", "huber", "binary_crossentropy",
           "categorical_crossentropy", "sparse_categorical_crossentropy"]


def _function(name: str, cls: type[Loss]) -> Callable[..., np.ndarray]:
    def loss(y_true: Any, y_pred: Any, **kwargs: Any) -> np.ndarray:
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred, dtype=np.float64)
        if y_pred.ndim == 1:
            y_pred = y_pred.reshape(-1, 1)
        if y_true.ndim == 1 and cls is not SparseCategoricalCrossentropy:
            y_true = y_true.reshape(len(y_true), -1)
        if len(y_true) != len(y_pred):
            raise ValueError(f"{name}: y_true has {len(y_true)} examples and y_pred "
                             f"{len(y_pred)}; they must have one row per example each.")
        # One example at a time through the class: the values are the class's, digit for digit
        # (these functions are for inspection; training calls the class on whole batches).
        one = cls(**kwargs)
        return np.array([one(y_true[i:i + 1], y_pred[i:i + 1]) for i in range(len(y_pred))])

    loss.__name__ = loss.__qualname__ = name
    loss.__doc__ = (f"The per-example values (m,) of :class:`{cls.__name__}`; keyword arguments "
                    f"go to its constructor.")
    loss.__loss_class__ = cls  # what compile(loss=...) makes of it
    return loss


mean_squared_error = _function("mean_squared_error", MeanSquaredError)
mean_absolute_error = _function("mean_absolute_error", MeanAbsoluteError)
huber = _function("huber", Huber)
binary_crossentropy = _function("binary_crossentropy", BinaryCrossEntropy)
categorical_crossentropy = _function("categorical_crossentropy", CategoricalCrossEntropy)
sparse_categorical_crossentropy = _function("sparse_categorical_crossentropy",
                                            SparseCategoricalCrossentropy)
