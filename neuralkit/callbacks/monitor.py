"""What EarlyStopping, ModelCheckpoint and ReduceLROnPlateau share: one logged value, improving
up or down."""

from __future__ import annotations

import math
from typing import Any

from .._validation import check_number
from .base import Callback

__all__ = []


def _is_max_mode(monitor: str, mode: str, owner: str) -> bool:
    """'max' for accuracies, AUC, precision and recall (the metrics whose direction is up),
    'min' for losses and errors, when mode='auto' (Keras's rule)."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max'; got {mode!r}.")
    if mode != "auto":
        return mode == "max"
    name = monitor[4:] if monitor.startswith("val_") else monitor
    return (name in ("acc", "accuracy") or name.endswith("accuracy")
            or name.startswith(("auc", "precision", "recall")))


def _check_monitor(monitor: str, params: dict[str, Any], owner: str) -> None:
    keys = params.get("metrics")
    if keys is not None and monitor not in keys:
        hint = (" Pass validation_data or validation_split to fit, or monitor a training value."
                if monitor.startswith("val_") else "")
        raise ValueError(
            f"{owner} monitors '{monitor}', which this fit does not log; it logs {keys}.{hint}"
        )


class _Monitor(Callback):
    """Shared by EarlyStopping, ModelCheckpoint and ReduceLROnPlateau: one logged value,
    improving up or down."""

    def __init__(self, monitor: str, mode: str, min_delta: float) -> None:
        super().__init__()
        owner = type(self).__name__
        if not isinstance(monitor, str):
            raise TypeError(f"{owner}: monitor must be a log name such as 'val_loss'; got {monitor!r}.")
        min_delta = check_number(min_delta, f"{owner}: min_delta", 0.0, low_inclusive=True)
        self.monitor = monitor
        self.mode_max = _is_max_mode(monitor, mode, owner)
        self.min_delta = float(min_delta)
        self.best = self._initial_best()

    def _initial_best(self) -> float:
        """What any value improves on (-inf in mode 'max', inf in mode 'min')."""
        return -math.inf if self.mode_max else math.inf

    def _current(self, logs: dict[str, Any] | None) -> float:
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(f"{type(self).__name__} monitors '{self.monitor}', which is not in "
                             f"the epoch logs {sorted(logs)}.")
        return float(logs[self.monitor])

    def _improves(self, current: float, reference: float | None = None) -> bool:
        """``current`` beats ``reference`` (the best so far by default) by more than
        ``min_delta``; NaN never does."""
        reference = self.best if reference is None else reference
        if math.isnan(current):
            return False
        if self.mode_max:
            return current > reference + self.min_delta
        return current < reference - self.min_delta
