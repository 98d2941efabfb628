"""Reading and setting the optimizer's learning rate, for the callbacks that change it.

``LearningRateScheduler`` and ``ReduceLROnPlateau`` set ``model.optimizer.learning_rate`` to
a number. An optimizer whose rate is a schedule (an object that computes the rate from the
step) cannot take one: that is an error naming the two ways out, before training starts
when it can be seen then.
"""

from __future__ import annotations

import numbers
from typing import Any

__all__ = ["get_learning_rate", "set_learning_rate"]


def _not_settable(owner: str, optimizer: Any, detail: str) -> TypeError:
    cls = type(optimizer).__name__
    return TypeError(
        f"{owner} sets the optimizer's learning rate, but the {cls} optimizer {detail}: a "
        f"learning-rate schedule sets the rate itself. Give the optimizer a float rate, e.g. "
        f"{cls}(learning_rate=0.001), to use {owner}; or keep the schedule and drop {owner}."
    )


def get_learning_rate(model: Any, owner: str) -> float:
    """``model.optimizer.learning_rate`` as a float; a TypeError naming ``owner`` and the fix
    when it is not a number (a schedule) or the optimizer has none."""
    optimizer = model.optimizer
    if not hasattr(optimizer, "learning_rate"):
        raise _not_settable(owner, optimizer, "has no learning_rate")
    schedule = getattr(optimizer, "learning_rate_schedule", None)
    if schedule is not None:
        raise _not_settable(owner, optimizer, f"has learning_rate {schedule!r}, a schedule, not "
                                              "a number")
    rate = optimizer.learning_rate
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
        raise _not_settable(owner, optimizer, f"has learning_rate {rate!r} "
                                              f"({type(rate).__name__}), not a number")
    return float(rate)


def set_learning_rate(model: Any, value: float, owner: str) -> None:
    """``model.optimizer.learning_rate = value``; the same TypeError when the optimizer refuses
    a number (its rate is a schedule)."""
    optimizer = model.optimizer
    get_learning_rate(model, owner)
    try:
        optimizer.learning_rate = value
    except (AttributeError, TypeError) as exc:
        raise _not_settable(owner, optimizer, f"refuses a number as its learning_rate "
                                              f"({type(exc).__name__}: {exc})") from exc
