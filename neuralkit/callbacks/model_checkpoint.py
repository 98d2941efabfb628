"""ModelCheckpoint: save the model (or its weights) after each epoch or when it improves."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from .._validation import check_int, check_number
from .console import print_message
from .monitor import _check_monitor, _Monitor

__all__ = ["ModelCheckpoint"]


class ModelCheckpoint(_Monitor):
    """Save the model after each epoch, atomically (Keras's callback).

    Parameters
    ----------
    filepath : str or path-like
        May contain ``{epoch}`` (1-based) and log keys, formatted with ``str.format``:
        ``'ckpt-{epoch:03d}-{val_loss:.4f}.npz'`` (and ``{batch}``, 1-based, with an integer
        ``save_freq``). A missing folder is created. A file being replaced is never lost: the
        new one is written beside it and renamed over it.
    monitor : str, default 'val_loss'
        The value compared when ``save_best_only``.
    verbose : {0, 1}, default 0
        1: print ``Epoch 3: val_loss improved from 0.41230 to 0.39870, saving model to
        best.npz`` (or ``... did not improve from ...``, or ``Epoch 3: saving model to ...``).
    save_best_only : bool, default False
        Save only when ``monitor`` improves on the best value so far.
    save_weights_only : bool, default False
        Write only the parameters, with ``model.save_weights`` (load them with
        ``model.load_weights``), instead of the whole model with ``model.save``.
    mode : {'auto', 'min', 'max'}, default 'auto'
    save_freq : 'epoch' or int, default 'epoch'
        'epoch': after each epoch. An int n: after every n training batches (counted across
        epochs), from the batch's logs (so ``monitor`` must then be a training value such as
        'loss').
    initial_value_threshold : float, optional
        With ``save_best_only``, the value to beat before the first save.
    include_optimizer : bool, default True
        Whole-model files also store the optimizer state, so that training can resume from
        the file.

    Attributes
    ----------
    best : float, the best monitored value saved so far
    saved : list[pathlib.Path], every file written, in order
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq: str | int = "epoch",
                 initial_value_threshold: float | None = None,
                 include_optimizer: bool = True) -> None:
        super().__init__(monitor, mode, 0.0)
        if isinstance(filepath, bytes) or not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"ModelCheckpoint: filepath must be a str or path; got {filepath!r}.")
        self.filepath = os.fspath(filepath)
        self.verbose = check_int(verbose, "ModelCheckpoint: verbose", 0)
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        if save_freq != "epoch":
            if isinstance(save_freq, str):
                raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a number of "
                                 f"batches; got {save_freq!r}.")
            save_freq = check_int(save_freq, "ModelCheckpoint: save_freq", 1)
            # An instance hook: the loop calls it per batch, and a per-epoch checkpoint
            # (the default) costs nothing per batch.
            self.on_train_batch_end = self._on_train_batch_end
        self.save_freq = save_freq
        self.initial_value_threshold = None if initial_value_threshold is None else check_number(
            initial_value_threshold, "ModelCheckpoint: initial_value_threshold")
        self.include_optimizer = bool(include_optimizer)
        self.saved: list[Path] = []
        self._reset_best()

    def _reset_best(self) -> None:
        self.best = (self._initial_best() if self.initial_value_threshold is None
                     else self.initial_value_threshold)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._epoch = 0
        self._batches_since_save = 0
        if self.save_best_only:
            _check_monitor(self.monitor, self.params, "ModelCheckpoint")
            if self.save_freq != "epoch" and self.monitor.startswith("val_"):
                raise ValueError(
                    f"ModelCheckpoint: save_freq={self.save_freq} compares the training batch "
                    f"logs, which have no '{self.monitor}'. Monitor a training value ('loss') "
                    "or use save_freq='epoch'."
                )

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch

    def _on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs or {})

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _save(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> None:
        path = self._file_path(epoch, batch, logs)
        if self.save_best_only:
            current = self._current(logs)
            best = "None" if math.isinf(self.best) else f"{self.best:.5f}"
            if not self._improves(current):
                if self.verbose:
                    print_message(f"Epoch {epoch + 1}: {self.monitor} did not improve from {best}")
                return
            if self.verbose:
                print_message(f"Epoch {epoch + 1}: {self.monitor} improved from {best} to "
                              f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose:
            print_message(f"Epoch {epoch + 1}: saving model to {path}")
        target = Path(path)
        if str(target.parent) and not target.parent.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
        if self.save_weights_only:
            self.saved.append(self.model.save_weights(target))
        else:
            self.saved.append(self.model.save(target, include_optimizer=self.include_optimizer))

    def _file_path(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> str:
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"ModelCheckpoint: cannot fill in filepath {self.filepath!r} from epoch"
                f"{', batch' if batch is not None else ''} and logs {sorted(logs)}: "
                f"{type(exc).__name__}: {exc}."
            ) from exc
