"""Dropout: inverted dropout, the course's regularizer for deep networks (active only in training)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validation import check_number, check_positive_int
from .base import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
    """Inverted dropout with drop probability ``rate`` (keep_prob = 1 - rate), on inputs of any
    shape: (m, n) features or (m, H, W, C) images.

    In training (``forward(A, training=True)``), each entry of each example is kept with
    probability keep_prob, independently (as Keras's Dropout), and the kept ones are scaled up,
    so the expected output is A::

        D = (U < keep_prob) / keep_prob        U uniform in [0, 1), shape of A (or noise_shape)
        A_out = A * D
        dA = dA_out * D                        (backward)

    With ``noise_shape`` (Keras's argument, the samples axis included, None for "as the
    input"), U has that shape and D is broadcast over the axes where it is 1: ``(None, 1, 1,
    C)`` keeps or drops whole channels of an image (what Keras's SpatialDropout2D does).

    In inference (``training=False``: predict, evaluate) the layer is the identity. The mask
    is drawn from ``self.rng``, the model's seeded generator, so ``Sequential(..., seed=s)``
    makes dropout reproducible too.

    Parameters
    ----------
    rate : float in [0, 1)
        Fraction of the units dropped (the course's 1 - keep_prob).
    name : str, optional
        (The second positional argument, as in neuralkit 0.1.)
    noise_shape : tuple of int or None, optional, keyword-only
        The mask's shape, one entry per axis of the input (samples first), each None, 1 or
        the input's size on that axis.
    """

    def __init__(self, rate: float, name: str | None = None, input_dim: int | None = None,
                 input_shape: tuple[int, ...] | None = None, *,
                 noise_shape: Sequence[int | None] | None = None) -> None:
        super().__init__(name=name, input_dim=input_dim, input_shape=input_shape)
        self.rate = check_number(rate, "rate", 0.0, 1.0, low_inclusive=True,
                                 hint=" It is the fraction of the units dropped.")
        self.noise_shape = None if noise_shape is None else _checked_noise_shape(noise_shape)

    def _mask_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """``noise_shape`` with its None entries filled from the input's ``shape``."""
        if self.noise_shape is None:
            return shape
        noise = self.noise_shape
        if len(noise) != len(shape) or any(n is not None and n not in (1, s)
                                           for n, s in zip(noise, shape, strict=False)):
            raise ValueError(f"Dropout '{self.name}': noise_shape {noise} does not fit inputs of "
                             f"shape {shape}; give one entry per axis (samples first), each "
                             "None, 1 or the input's size.")
        return tuple(s if n is None else n for n, s in zip(noise, shape, strict=True))

    def forward(self, A: np.ndarray, training: bool = True) -> np.ndarray:
        if not training or self.rate == 0.0:
            self.cache = None
            return A
        keep = 1.0 - self.rate
        D = self.rng.random(self._mask_shape(A.shape),
                            dtype=A.dtype if A.dtype == np.float32 else np.float64)
        # The comparison gives booleans; scaling them by 1/keep in A's dtype makes the mask.
        D = np.less(D, keep).astype(A.dtype)
        D *= 1.0 / keep
        self.cache = D
        return A * D

    def backward(self, dA: np.ndarray) -> np.ndarray:
        D = self.cache
        return dA if D is None else dA * D

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "rate": self.rate}
        if self.noise_shape is not None:  # left out without one: the form of neuralkit 0.1
            config["noise_shape"] = self.noise_shape
        return config


def _checked_noise_shape(value: Any) -> tuple[int | None, ...]:
    if not isinstance(value, (tuple, list)) or not value:
        raise TypeError(f"noise_shape must be None or a tuple of ints and Nones (samples axis "
                        f"first); got {value!r}.")
    return tuple(None if n is None else check_positive_int(n, f"noise_shape[{i}]")
                 for i, n in enumerate(value))
