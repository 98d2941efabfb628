"""ModelCheckpoint: save the model after each epoch (or when it improves), atomically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .monitor import _check_monitor, _Monitor

__all__ = ["ModelCheckpoint"]


class ModelCheckpoint(_Monitor):
    """Save the model after each epoch, atomically (:func:`neuralkit.saving.save_model`).

    Parameters
    ----------
    filepath : str or path-like
        May contain ``{epoch}`` (1-based) and log keys, formatted with ``str.format``:
        ``'ckpt-{epoch:03d}-{val_loss:.4f}.npz'``. A file being replaced is never lost: the
        new one is written beside it and renamed over it.
    monitor : str, default 'val_loss'
        The value compared when ``save_best_only``.
    save_best_only : bool, default False
        Save only when ``monitor`` improves on the best value so far.
    mode : {'auto', 'min', 'max'}, default 'auto'
    include_optimizer : bool, default True
        Store the optimizer state too, so that training can resume from the file.

    Attributes
    ----------
    best : float, the best monitored value saved so far
    saved : list[pathlib.Path], every file written, in order
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss",
                 save_best_only: bool = False, mode: str = "auto",
                 include_optimizer: bool = True) -> None:
        super().__init__(monitor, mode, 0.0)
        if isinstance(filepath, bytes) or not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"ModelCheckpoint: filepath must be a str or path; got {filepath!r}.")
        self.filepath = os.fspath(filepath)
        self.save_best_only = bool(save_best_only)
        self.include_optimizer = bool(include_optimizer)
        self.saved: list[Path] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if self.save_best_only:
            _check_monitor(self.monitor, self.params, "ModelCheckpoint")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.save_best_only:
            current = self._current(logs)
            if not self._improves(current):
                return
            self.best = current
        try:
            path = self.filepath.format(epoch=epoch + 1, **(logs or {}))
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"ModelCheckpoint: cannot fill in filepath {self.filepath!r} from epoch and "
                f"logs {sorted(logs or {})}: {type(exc).__name__}: {exc}."
            ) from exc
        self.saved.append(self.model.save(path, include_optimizer=self.include_optimizer))
