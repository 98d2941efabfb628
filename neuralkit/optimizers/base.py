"""The optimizer base class: one step over every ``(key, param, grad)`` of a model.

An optimizer sees one ``(key, param, grad)`` triple at a time and keeps per-parameter state
(momentum, moment estimates) in ``self.state[key]``; ``self.iterations`` counts steps.
Subclass :class:`Optimizer` and implement :meth:`Optimizer.update` to write your own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

import numpy as np

from .._validation import check_number

__all__ = ["Optimizer"]


class Optimizer(ABC):
    """Base class.

    Parameters
    ----------
    learning_rate : float
        Step size, > 0. May be changed between steps (schedules do).

    Attributes
    ----------
    iterations : int
        Number of :meth:`step` calls so far (Adam's t).
    state : dict[str, dict[str, ndarray]]
        Per-parameter state, keyed by the model's parameter key (``'dense_1/W'``).
    """

    #: Name accepted by ``Sequential.compile(optimizer=...)``.
    name = "optimizer"

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = check_number(learning_rate, "learning_rate", 0.0)
        self.iterations = 0
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self._buffers: dict[tuple[Any, ...], np.ndarray] = {}

    def _scratch(self, like: np.ndarray, slot: int | str = 0) -> np.ndarray:
        """A work array shaped like ``like``, reused across steps (never part of the state).

        Updates write their intermediate products here instead of into fresh temporaries: on
        a large layer a new array per step costs page faults, not just the arithmetic. Arrays
        of one shape share a slot; ``slot`` tells apart those that must coexist (a parameter
        key gives one array per parameter).
        """
        key = (like.shape, like.dtype, slot)
        buffer = self._buffers.get(key)
        if buffer is None:
            buffer = self._buffers[key] = np.empty_like(like)
        return buffer

    def step(self, params: Iterable[tuple[str, np.ndarray, np.ndarray]]) -> None:
        """Apply one update to every ``(key, param, grad)``; params change in place."""
        self.iterations += 1
        state = self.state
        for key, param, grad in params:
            slots = state.get(key)
            if slots is None:
                slots = state[key] = self.init_state(param)
            self.update(param, grad, slots)

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        """Create the state of one parameter (default: none)."""
        return {}

    @abstractmethod
    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """Update ``param`` in place from ``grad``, using and updating ``state``."""

    def get_config(self) -> dict[str, Any]:
        """Hyperparameters that rebuild this optimizer."""
        return {"learning_rate": self.learning_rate}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
