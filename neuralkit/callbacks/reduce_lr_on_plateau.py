"""ReduceLROnPlateau: lower the learning rate when a logged value has stopped improving."""

from __future__ import annotations

from typing import Any

from .._validation import check_int, check_number
from .console import print_message
from .monitor import _check_monitor, _Monitor
from .optimizer_rate import get_learning_rate, set_learning_rate

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(_Monitor):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved for
    ``patience`` epochs (Keras's callback, step for step).

    At the end of each epoch, with ``wait`` and ``cooldown_counter`` starting at 0:

    1. the rate in use is logged as 'learning_rate' (History records it);
    2. if in cooldown (``cooldown_counter > 0``): ``cooldown_counter -= 1`` and ``wait = 0``;
    3. if the value improves on the best so far (``current < best - min_delta`` in mode
       'min', ``current > best + min_delta`` in mode 'max'; the first value always does, NaN
       never): it becomes the best and ``wait = 0``;
    4. otherwise, unless still in cooldown: ``wait += 1``, and when ``wait >= patience`` and
       the rate is above ``min_lr``, the rate becomes ``max(rate * factor, min_lr)``,
       ``cooldown_counter = cooldown`` and ``wait = 0``.

    Parameters
    ----------
    monitor : str, default 'val_loss'
        A key of the epoch logs. A value this fit does not log is an error before training.
    factor : float, default 0.1
        ``new rate = rate * factor``; 0 < factor < 1.
    patience : int, default 10
        Epochs without improvement before the rate is lowered.
    verbose : {0, 1}, default 0
        1: print ``Epoch 12: ReduceLROnPlateau reducing learning rate to 0.0001.``
    mode : {'auto', 'min', 'max'}, default 'auto'
        'auto' is 'max' for accuracies and 'min' for everything else.
    min_delta : float, default 1e-4
        Smallest change that counts as an improvement.
    cooldown : int, default 0
        Epochs after a reduction during which no epoch counts towards ``patience``.
    min_lr : float, default 0
        The rate is never lowered below this.

    The optimizer's ``learning_rate`` must be a number: an optimizer whose rate is a
    schedule is a TypeError before training starts, naming the fix.

    Attributes
    ----------
    best : float, wait : int, cooldown_counter : int
    reductions : list[tuple[int, float]]
        (epoch, new rate) of each reduction, in order.
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0) -> None:
        super().__init__(monitor, mode, min_delta)
        self.factor = check_number(factor, "ReduceLROnPlateau: factor", 0.0, 1.0,
                                   hint=" The new rate is rate * factor: 0.1 divides it by 10.")
        self.patience = check_int(patience, "ReduceLROnPlateau: patience", 0)
        self.verbose = check_int(verbose, "ReduceLROnPlateau: verbose", 0)
        self.cooldown = check_int(cooldown, "ReduceLROnPlateau: cooldown", 0)
        self.min_lr = check_number(min_lr, "ReduceLROnPlateau: min_lr", 0.0, low_inclusive=True)
        self._reset()

    def _reset(self) -> None:
        self.best = self._initial_best()
        self.wait = 0
        self.cooldown_counter = 0
        self.reductions: list[tuple[int, float]] = []

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        _check_monitor(self.monitor, self.params, "ReduceLROnPlateau")
        get_learning_rate(self.model, "ReduceLROnPlateau")  # a schedule: refused now
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs if logs is not None else {}
        rate = get_learning_rate(self.model, "ReduceLROnPlateau")
        logs["learning_rate"] = rate
        current = self._current(logs)
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improves(current):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait >= self.patience and rate > self.min_lr:
            new_rate = max(rate * self.factor, self.min_lr)
            set_learning_rate(self.model, new_rate, "ReduceLROnPlateau")
            self.reductions.append((epoch, new_rate))
            if self.verbose:
                print_message(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                              f"{new_rate}.")
            self.cooldown_counter = self.cooldown
            self.wait = 0
