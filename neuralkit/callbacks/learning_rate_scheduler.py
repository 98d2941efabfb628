"""LearningRateScheduler: set the optimizer's learning rate at the start of each epoch."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._validation import check_int, check_number
from .base import Callback
from .console import print_message
from .optimizer_rate import get_learning_rate, set_learning_rate

__all__ = ["LearningRateScheduler"]


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of each epoch.

    Parameters
    ----------
    schedule : callable
        ``schedule(epoch, learning_rate) -> new learning_rate`` (epoch 0-based, as in Keras)
        or ``schedule(epoch) -> learning_rate``. The value must be a finite number > 0.
    verbose : {0, 1}, default 0
        1: print ``Epoch 3: LearningRateScheduler setting learning rate to 0.01.`` each epoch.

    The rate used is added to each epoch's logs as 'learning_rate' (so History records it).
    An optimizer whose ``learning_rate`` is a
    :class:`~neuralkit.optimizers.schedules.LearningRateSchedule` cannot take a rate from this
    callback: training stops with a TypeError before the first step, as in Keras 3.
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        self.verbose = check_int(verbose, "LearningRateScheduler: verbose", 0)
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

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        get_learning_rate(self.model, "LearningRateScheduler")  # a schedule: refused now

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        current = get_learning_rate(self.model, "LearningRateScheduler")
        lr = self.schedule(epoch, current) if self._two_args else self.schedule(epoch)
        try:
            rate = check_number(lr, "learning_rate", 0.0)
        except (TypeError, ValueError):
            raise ValueError(f"LearningRateScheduler: schedule returned {lr!r} for epoch {epoch}; "
                             "expected a finite number > 0.") from None
        set_learning_rate(self.model, rate, "LearningRateScheduler")
        if self.verbose:
            print_message(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                          f"{rate}.")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = get_learning_rate(self.model, "LearningRateScheduler")
