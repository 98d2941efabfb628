"""Dropout: inverted dropout, the course's regularizer for deep networks (active only in training)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_number
from .base import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
    """Inverted dropout with drop probability ``rate`` (keep_prob = 1 - rate).

    In training (``forward(A, training=True)``), each unit of each example is kept with
    probability keep_prob and the kept ones are scaled up, so the expected output is A::

        D = (U < keep_prob) / keep_prob        U uniform in [0, 1), shape of A (m, n)
        A_out = A * D
        dA = dA_out * D                        (backward)

    In inference (``training=False``: predict, evaluate) the layer is the identity. The mask
    is drawn from ``self.rng``, the model's seeded generator, so ``Sequential(..., seed=s)``
    makes dropout reproducible too.

    Parameters
    ----------
    rate : float in [0, 1)
        Fraction of the units dropped (the course's 1 - keep_prob).
    name : str, optional
    """

    def __init__(self, rate: float, name: str | None = None, input_dim: int | None = None,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_dim=input_dim, input_shape=input_shape)
        self.rate = check_number(rate, "rate", 0.0, 1.0, low_inclusive=True,
                                 hint=" It is the fraction of the units dropped.")

    def forward(self, A: np.ndarray, training: bool = True) -> np.ndarray:
        if not training or self.rate == 0.0:
            self.cache = None
            return A
        keep = 1.0 - self.rate
        D = self.rng.random(A.shape, dtype=A.dtype if A.dtype == np.float32 else np.float64)
        # The comparison gives booleans; scaling them by 1/keep in A's dtype makes the mask.
        D = np.less(D, keep).astype(A.dtype)
        D *= 1.0 / keep
        self.cache = D
        return A * D

    def backward(self, dA: np.ndarray) -> np.ndarray:
        D = self.cache
        return dA if D is None else dA * D

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate}
