"""EarlyStopping: stop training when a logged value has stopped improving."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._parameters import parameter_slots
from .._validation import check_int, check_number
from .console import print_message
from .monitor import _check_monitor, _Monitor

__all__ = ["EarlyStopping"]


class EarlyStopping(_Monitor):
    """Stop training when a logged value has stopped improving (Keras's callback).

    After each epoch from ``start_from_epoch`` on, ``wait`` grows by one; the value improves if
    ``current < best - min_delta`` (mode 'min') or ``current > best + min_delta`` (mode
    'max'; the first value always improves, NaN never does). An improvement becomes the best
    and resets ``wait`` to 0, but with a ``baseline`` only if it also improves on the
    baseline. At an epoch that does not improve, once ``wait >= patience`` (and after the
    first epoch), ``model.stop_training`` is set and fit ends after that epoch.

    Parameters
    ----------
    monitor : str, default 'val_loss'
        A key of the epoch logs: 'loss', 'val_loss', 'accuracy', 'val_accuracy', ...
        A value this fit does not log is an error before training starts.
    min_delta : float, default 0
        Smallest change that counts as an improvement.
    patience : int, default 0
        Epochs without improvement before stopping (0: stop at the first one).
    verbose : {0, 1}, default 0
        1: print ``Epoch 7: early stopping`` (and which epoch's weights are restored).
    mode : {'auto', 'min', 'max'}, default 'auto'
        'auto' is 'max' for accuracies and 'min' for everything else, as in Keras.
    baseline : float, optional
        A value to reach: while no epoch improves on it, improvements over the best so far
        do not reset ``wait``, so training stops ``patience`` epochs in at the first epoch
        that does not improve.
    restore_best_weights : bool, default False
        When fit ends normally (stopped here or out of epochs), put back the parameters of
        the best epoch (of the first monitored one if none improved). Not done when fit is
        cut short by an exception or Ctrl-C.
    start_from_epoch : int, default 0
        Epochs of warm-up before monitoring starts: they neither count towards ``patience``
        nor set the best.

    Attributes
    ----------
    best, best_epoch : the best value and its epoch (0-based; None before one is seen)
    stopped_epoch : int, the epoch after which this callback stopped training (0 if it did not,
        as in Keras: it never stops after the first epoch)
    wait : int, epochs since the last improvement that counted
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0) -> None:
        super().__init__(monitor, mode, min_delta)
        self.patience = check_int(patience, "EarlyStopping: patience", 0)
        self.verbose = check_int(verbose, "EarlyStopping: verbose", 0)
        self.baseline = None if baseline is None else check_number(
            baseline, "EarlyStopping: baseline", hint=" Pass None for no baseline.")
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = check_int(start_from_epoch, "EarlyStopping: start_from_epoch", 0)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        _check_monitor(self.monitor, self.params, "EarlyStopping")
        self.best = self._initial_best()
        self.best_epoch: int | None = None
        self.best_weights: list[np.ndarray] | None = None
        self.stopped_epoch = 0  # as Keras: 0 until it stops training (never at epoch 0)
        self.wait = 0
        self._last_epoch = -1

    def _weights(self) -> list[np.ndarray]:
        """Every parameter, then every layer's state (moving statistics): what a best epoch is."""
        state = [value for layer in self.model.layers for value in layer.state.values()]
        return [slot.value for slot in parameter_slots(self.model.layers)] + state

    def _copy_weights(self) -> list[np.ndarray]:
        return [value.copy() for value in self._weights()]

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._last_epoch = epoch
        current = self._current(logs)
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self._copy_weights(), epoch
        self.wait += 1
        if self._improves(current):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self._copy_weights()
            if self.baseline is None or self._improves(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        finished = self.model.stop_training or self._last_epoch == self.params.get("epochs", 0) - 1
        if self.verbose and self.stopped_epoch > 0:
            print_message(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None and finished:
            if self.verbose:
                print_message("Restoring model weights from the end of the best epoch: "
                              f"{self.best_epoch + 1}.")
            for target, best in zip(self._weights(), self.best_weights, strict=True):
                target[...] = best  # in place: optimizer state and references stay valid
