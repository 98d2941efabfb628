"""History: the epoch logs of a fit, kept as ``model.history`` and returned by ``fit``."""

from __future__ import annotations

from typing import Any

from ..plotting import plot_history
from .base import Callback

__all__ = ["History"]


class History(Callback):
    """Records the epoch logs: ``history['loss'][e]`` is epoch e's mean batch loss.

    Attributes
    ----------
    history : dict[str, list[float]]
        One value per completed epoch for each log key.
    epoch : list[int]
        The completed epochs (0-based).
    partial_epoch : dict or None
        None when training ended at an epoch boundary. When it stopped in the middle of an
        epoch (Ctrl-C, an exception, a divergence), the unfinished epoch, which ``history``
        does not contain: ``{'epoch': e, 'batches': k, 'steps': steps per epoch, 'loss': mean
        loss of the k batches whose update was applied, '<metric>': ...}``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.partial_epoch: dict[str, Any] | None = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.partial_epoch = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def on_epoch_interrupted(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.epoch and self.epoch[-1] == epoch:
            return  # the epoch was recorded before the interruption
        self.partial_epoch = {"epoch": epoch, **(logs or {})}

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"

    def plot(self, keys: list[str] | None = None, **kwargs: Any) -> Any:
        """Loss and metric curves, training and validation (needs matplotlib, the ``plot`` extra).

        See :func:`neuralkit.plotting.plot_history`; returns the matplotlib Figure.
        """
        return plot_history(self, keys=keys, **kwargs)
