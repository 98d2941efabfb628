"""EarlyStopping: stop training when a logged value has stopped improving."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._parameters import parameter_slots
from .._validation import check_int
from .monitor import _check_monitor, _Monitor

__all__ = ["EarlyStopping"]


class EarlyStopping(_Monitor):
    """Stop training when a logged value has stopped improving.

    After each epoch, the value improves if ``current < best - min_delta`` (mode 'min') or
    ``current > best + min_delta`` (mode 'max'); after ``patience`` epochs in a row without
    improvement, ``model.stop_training`` is set and fit ends after that epoch.

    Parameters
    ----------
    monitor : str, default 'val_loss'
        A key of the epoch logs: 'loss', 'val_loss', 'accuracy', 'val_accuracy', ...
    min_delta : float, default 0
        Smallest change that counts as an improvement.
    patience : int, default 0
        Epochs without improvement before stopping (0: stop at the first one).
    mode : {'auto', 'min', 'max'}, default 'auto'
        'auto' is 'max' for accuracies and 'min' for everything else, as in Keras.
    restore_best_weights : bool, default False
        When fit ends normally (stopped here or out of epochs), put back the parameters of
        the best epoch. Not done when fit is cut short by an exception or Ctrl-C.

    Attributes
    ----------
    best, best_epoch : the best value and its epoch (0-based)
    stopped_epoch : int or None, the epoch after which this callback stopped training
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 mode: str = "auto", restore_best_weights: bool = False) -> None:
        super().__init__(monitor, mode, min_delta)
        self.patience = check_int(patience, "EarlyStopping: patience", 0)
        self.restore_best_weights = bool(restore_best_weights)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        _check_monitor(self.monitor, self.params, "EarlyStopping")
        self.best = -math.inf if self.mode_max else math.inf
        self.best_epoch: int | None = None
        self.best_weights: list[np.ndarray] | None = None
        self.stopped_epoch: int | None = None
        self.wait = 0
        self._last_epoch = -1

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._last_epoch = epoch
        current = self._current(logs)
        self.wait += 1
        if self._improves(current):
            self.best, self.best_epoch, self.wait = current, epoch, 0
            if self.restore_best_weights:
                self.best_weights = [slot.value.copy() for slot in parameter_slots(self.model.layers)]
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        finished = self.model.stop_training or self._last_epoch == self.params.get("epochs", 0) - 1
        if self.restore_best_weights and self.best_weights is not None and finished:
            for slot, best in zip(parameter_slots(self.model.layers), self.best_weights, strict=True):
                slot.value[...] = best  # in place: optimizer state and references stay valid
