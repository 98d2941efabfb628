"""LearningRateScheduler: set the optimizer's learning rate at the start of each epoch."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._validation import check_number
from .base import Callback

__all__ = ["LearningRateScheduler"]


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of each epoch.

    Parameters
    ----------
    schedule : callable
        ``schedule(epoch, learning_rate) -> new learning_rate`` (epoch 0-based, as in Keras)
        or ``schedule(epoch) -> learning_rate``. The value must be a finite number > 0.

    The rate used is added to each epoch's logs as 'learning_rate' (so History records it).
    An optimizer whose ``learning_rate`` is a
    :class:`~neuralkit.optimizers.schedules.LearningRateSchedule` cannot take a rate from this
    callback: training stops with a TypeError before the first step, as in Keras 3.
    """

    def __init__(self, schedule: Callable[..., float]) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be callable; got {schedule!r}.")
        self.schedule = schedule
        try:
            inspect.signature(schedule).bind(0, 0.1)
            self._two_args = True
        except TypeError:
            self._two_args = False
        except ValueError:  # no signature available (some builtins): Keras's form
            self._two_args = True

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        optimizer = self.model.optimizer
        schedule = getattr(optimizer, "learning_rate_schedule", None)
        if schedule is not None:  # Keras 3 refuses too (its optimizer's setter raises)
            raise TypeError(
                f"LearningRateScheduler: the optimizer's learning_rate is a schedule "
                f"({schedule!r}), which sets the rate at every step, so this callback cannot "
                "set it per epoch. Give the optimizer a float learning_rate, or drop the callback."
            )
        lr = (self.schedule(epoch, optimizer.learning_rate) if self._two_args
              else self.schedule(epoch))
        try:
            optimizer.learning_rate = check_number(lr, "learning_rate", 0.0)
        except (TypeError, ValueError):
            raise ValueError(f"LearningRateScheduler: schedule returned {lr!r} for epoch {epoch}; "
                             "expected a finite number > 0.") from None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
