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
from .schedules import LearningRateSchedule

__all__ = ["Optimizer"]


class Optimizer(ABC):
    """Base class.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule
        Step size: a float > 0, or a :class:`~neuralkit.optimizers.schedules.LearningRateSchedule`
        evaluated before every step at the number of steps already taken (0 at the first),
        as in Keras 3.

    Attributes
    ----------
    learning_rate : float
        The rate of the next step (during a step, of that step). A float rate may be set
        between steps (``LearningRateScheduler`` does), and a schedule may replace either; a
        float cannot replace a schedule (TypeError, as in Keras 3).
    learning_rate_schedule : LearningRateSchedule or None
        The schedule, when ``learning_rate`` was given one.
    iterations : int
        Number of :meth:`step` calls so far (Adam's t).
    state : dict[str, dict[str, ndarray]]
        Per-parameter state, keyed by the model's parameter key (``'dense_1/W'``).
    """

    #: Name accepted by ``Sequential.compile(optimizer=...)``.
    name = "optimizer"

    _learning_rate: float | LearningRateSchedule = 0.0
    _step_rate: float | None = None  # the rate of the step in progress

    def __init__(self, learning_rate: float | LearningRateSchedule) -> None:
        self.learning_rate = learning_rate
        self.iterations = 0
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self._buffers: dict[tuple[Any, ...], np.ndarray] = {}

    # ------------------------------------------------------------------ the learning rate
    @property
    def learning_rate(self) -> float:
        """The rate of the next step: the float given, or the schedule at ``iterations``."""
        if self._step_rate is not None:
            return self._step_rate
        rate = self._learning_rate
        if isinstance(rate, LearningRateSchedule):
            return self._scheduled_rate(rate)
        return rate

    @learning_rate.setter
    def learning_rate(self, value: float | LearningRateSchedule) -> None:
        if isinstance(value, LearningRateSchedule):
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError(
                f"{type(self).__name__} was created with a learning-rate schedule "
                f"({self._learning_rate!r}), so its learning_rate cannot be set to a number "
                f"(got {value!r}); as in Keras 3. Create the optimizer with a float "
                "learning_rate to set it, or assign another LearningRateSchedule."
            )
        if callable(value) and not isinstance(value, (int, float)):
            raise TypeError(f"learning_rate must be a number or a LearningRateSchedule; got "
                            f"{value!r}. Subclass neuralkit.optimizers.schedules."
                            "LearningRateSchedule to give a function of the step.")
        self._learning_rate = check_number(value, "learning_rate", 0.0)

    @property
    def learning_rate_schedule(self) -> LearningRateSchedule | None:
        """The schedule given as ``learning_rate``, or None for a float rate."""
        rate = self._learning_rate
        return rate if isinstance(rate, LearningRateSchedule) else None

    def _scheduled_rate(self, schedule: LearningRateSchedule) -> float:
        step = self.iterations
        return check_number(schedule(step), "learning_rate", 0.0, low_inclusive=True,
                            hint=f" It came from {schedule!r} at step {step}.")

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
        """Apply one update to every ``(key, param, grad)``; params change in place.

        The learning rate is read once, before ``iterations`` counts the step: every update
        of the step sees that rate as ``self.learning_rate``.
        """
        self._step_rate = self.learning_rate
        self.iterations += 1
        state = self.state
        try:
            for key, param, grad in params:
                slots = state.get(key)
                if slots is None:
                    slots = state[key] = self.init_state(param)
                self.update(param, grad, slots)
        finally:
            self._step_rate = None

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        """Create the state of one parameter (default: none)."""
        return {}

    @abstractmethod
    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """Update ``param`` in place from ``grad``, using and updating ``state``."""

    def get_config(self) -> dict[str, Any]:
        """Hyperparameters that rebuild this optimizer."""
        return {"learning_rate": self._learning_rate}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
