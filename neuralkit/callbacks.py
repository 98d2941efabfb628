"""Callbacks: code that runs at the edges of training (epochs, batches, start, end).

``fit`` always installs a :class:`History` (returned by ``fit`` and kept as
``model.history``) and, when ``verbose`` > 0, a :class:`ProgressBar`. Ready-made:
:class:`EarlyStopping`, :class:`ModelCheckpoint`, :class:`TerminateOnNaN`,
:class:`LearningRateScheduler`, :class:`CSVLogger`.
"""

from __future__ import annotations

import csv
import inspect
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .model import Sequential


class Callback:
    """Base class: override any of the hooks. ``self.model`` is the model being trained and
    ``self.params`` holds fit's settings ('epochs', 'steps' per epoch, 'batch_size', 'samples',
    'verbose', and 'metrics': the keys the epoch logs will have).

    ``logs`` passed to ``on_epoch_end`` hold the epoch's 'loss', each metric and, when
    validating, 'val_loss' and 'val_<metric>'; ``on_batch_end`` logs hold the batch's
    'loss', 'size' and each metric's value on the batch. Set
    ``self.model.stop_training = True`` to stop after this epoch. ``on_train_end`` always runs,
    also when fit is cut short by Ctrl-C or an exception.
    """

    def __init__(self) -> None:
        self.model: Sequential | None = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Sequential) -> None:
        self.model = model

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        pass


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

    def _record_partial(self, epoch: int, batches: int, steps: int, logs: dict[str, Any]) -> None:
        """Called by fit when an epoch is cut short after ``batches`` applied updates."""
        if self.epoch and self.epoch[-1] == epoch:
            return  # the epoch was recorded before the interruption
        self.partial_epoch = {"epoch": epoch, "batches": batches, "steps": steps, **logs}

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"

    def plot(self, keys: list[str] | None = None, **kwargs: Any) -> Any:
        """Loss and metric curves, training and validation (needs matplotlib, the ``plot`` extra).

        See :func:`neuralkit.plotting.plot_history`; returns the matplotlib Figure.
        """
        from .plotting import plot_history

        return plot_history(self, keys=keys, **kwargs)


class ProgressBar(Callback):
    """verbose=1: a tqdm bar per epoch with the running loss and metrics; verbose=2: one line per epoch."""

    #: Seconds between two refreshes of the bar's numbers (tiny batches must not pay for I/O).
    refresh_interval = 0.2

    def __init__(self, verbose: int = 1, file: Any = None) -> None:
        super().__init__()
        self.verbose = verbose
        self.file = file
        self._bar: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.epochs = self.params["epochs"]
        self.steps = self.params["steps"]

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()
        if self.verbose == 1:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=self.steps, desc=f"Epoch {epoch + 1}/{self.epochs}",
                             unit="batch", leave=True, file=self.file or sys.stderr,
                             dynamic_ncols=True)
            self._done = 0
            self._shown = 0
            self._loss_sum = 0.0
            self._metric_sums: dict[str, float] = {}
            self._samples = 0
            self._last = self._start

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._bar is None:
            return
        self._done += 1
        self._loss_sum += logs["loss"]
        size = logs["size"]
        self._samples += size
        for key, value in logs.items():
            if key not in ("loss", "size"):  # metrics: running mean over the epoch's examples
                self._metric_sums[key] = self._metric_sums.get(key, 0.0) + value * size
        now = time.perf_counter()
        if now - self._last >= self.refresh_interval:
            running = {k: f"{v / self._samples:.4f}" for k, v in self._metric_sums.items()}
            self._bar.set_postfix(loss=f"{self._loss_sum / self._done:.4f}", **running, refresh=False)
            self._bar.update(self._done - self._shown)
            self._shown = self._done
            self._last = now

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        text = " - ".join(f"{k}: {_format_value(v)}" for k, v in (logs or {}).items())
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=False)
            self._bar.update(self._done - self._shown)
            self._bar.close()
            self._bar = None
        elif self.verbose == 2:
            seconds = time.perf_counter() - self._start
            print(f"Epoch {epoch + 1}/{self.epochs} - {seconds:.2f}s - {text}",
                  file=self.file or sys.stdout, flush=True)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._bar is not None:  # interrupted mid-epoch
            self._bar.close()
            self._bar = None


def _format_value(value: float) -> str:
    # Four decimals for losses and accuracies; small values (learning rates) keep their digits.
    return f"{value:.4f}" if value == 0 or abs(value) >= 1e-3 else f"{value:.3g}"


class CallbackList:
    """Calls each hook on every callback in order."""

    def __init__(self, callbacks: list[Callback], model: Sequential, params: dict[str, Any]) -> None:
        self.callbacks = callbacks
        for callback in callbacks:
            callback.set_model(model)
            callback.params = params
        # Only callbacks that override a batch hook cost anything per batch.
        self.batch_begin = [c for c in callbacks
                            if type(c).on_batch_begin is not Callback.on_batch_begin]
        self.batch_end = [c for c in callbacks if type(c).on_batch_end is not Callback.on_batch_end]

    def on_train_begin(self) -> None:
        for i, callback in enumerate(self.callbacks):
            try:
                callback.on_train_begin({})
            except BaseException:
                # Those already begun (a CSVLogger's open file, say) are ended before raising.
                _end_all(self.callbacks[:i], {})
                raise

    def on_train_end(self, logs: dict[str, Any]) -> None:
        _end_all(self.callbacks, logs)

    def on_epoch_begin(self, epoch: int) -> None:
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, {})

    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> None:
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)


def _end_all(callbacks: list[Callback], logs: dict[str, Any]) -> None:
    """on_train_end on every callback even if one raises; the first error is re-raised."""
    error: BaseException | None = None
    for callback in callbacks:
        try:
            callback.on_train_end(logs)
        except BaseException as exc:
            error = error or exc
    if error is not None:
        raise error


def _is_max_mode(monitor: str, mode: str, owner: str) -> bool:
    """'max' for accuracies and 'min' for losses and errors when mode='auto' (Keras's rule)."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max'; got {mode!r}.")
    if mode != "auto":
        return mode == "max"
    name = monitor[4:] if monitor.startswith("val_") else monitor
    return name in ("acc", "accuracy") or name.endswith("accuracy")


def _check_monitor(monitor: str, params: dict[str, Any], owner: str) -> None:
    keys = params.get("metrics")
    if keys is not None and monitor not in keys:
        hint = (" Pass validation_data or validation_split to fit, or monitor a training value."
                if monitor.startswith("val_") else "")
        raise ValueError(
            f"{owner} monitors '{monitor}', which this fit does not log; it logs {keys}.{hint}"
        )


class _Monitor(Callback):
    """Shared by EarlyStopping and ModelCheckpoint: one logged value, improving up or down."""

    def __init__(self, monitor: str, mode: str, min_delta: float) -> None:
        super().__init__()
        owner = type(self).__name__
        if not isinstance(monitor, str):
            raise TypeError(f"{owner}: monitor must be a log name such as 'val_loss'; got {monitor!r}.")
        if isinstance(min_delta, bool) or not isinstance(min_delta, (int, float)) or not (
                math.isfinite(min_delta) and min_delta >= 0):
            raise ValueError(f"{owner}: min_delta must be a finite number >= 0; got {min_delta!r}.")
        self.monitor = monitor
        self.mode_max = _is_max_mode(monitor, mode, owner)
        self.min_delta = float(min_delta)
        self.best = -math.inf if self.mode_max else math.inf

    def _current(self, logs: dict[str, Any] | None) -> float:
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(f"{type(self).__name__} monitors '{self.monitor}', which is not in "
                             f"the epoch logs {sorted(logs)}.")
        return float(logs[self.monitor])

    def _improves(self, current: float) -> bool:
        if math.isnan(current):
            return False
        if self.mode_max:
            return current > self.best + self.min_delta
        return current < self.best - self.min_delta


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
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an integer >= 0; got {patience!r}.")
        self.patience = patience
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
                self.best_weights = [p.copy() for p in _parameters(self.model)]
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        finished = self.model.stop_training or self._last_epoch == self.params.get("epochs", 0) - 1
        if self.restore_best_weights and self.best_weights is not None and finished:
            for target, best in zip(_parameters(self.model), self.best_weights, strict=True):
                target[...] = best  # in place: optimizer state and references stay valid


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


class TerminateOnNaN(Callback):
    """Stop training quietly instead of failing when the loss becomes NaN or inf.

    ``fit`` always checks each batch's loss before its update, and each update before
    keeping it, and raises :class:`~neuralkit.DivergenceError` when one is not finite. With
    this callback, fit instead stops there and returns the History (the parameters are
    those of the last finite step; ``model.history.partial_epoch`` tells how far the epoch
    got), and the error is kept in :attr:`error`. It also stops training after an epoch
    whose logs (validation loss, metrics) hold a NaN or inf.

    Attributes
    ----------
    error : DivergenceError or None
    stopped_epoch : int or None
    """

    def __init__(self) -> None:
        super().__init__()
        self.error: Exception | None = None
        self.stopped_epoch: int | None = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.error = None
        self.stopped_epoch = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        bad = [k for k, v in (logs or {}).items()
               if isinstance(v, (int, float, np.number)) and not math.isfinite(v)]
        if bad:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            print(f"TerminateOnNaN: epoch {epoch + 1}: {', '.join(bad)} is NaN or inf; "
                  "training stopped.", file=sys.stderr)

    def _diverged(self, error: Exception) -> None:
        """Called by fit when it stops on a DivergenceError because of this callback."""
        self.error = error
        print(f"TerminateOnNaN: training stopped: {error}", file=sys.stderr)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of each epoch.

    Parameters
    ----------
    schedule : callable
        ``schedule(epoch, learning_rate) -> new learning_rate`` (epoch 0-based, as in Keras)
        or ``schedule(epoch) -> learning_rate``. The value must be a finite number > 0.

    The rate used is added to each epoch's logs as 'learning_rate' (so History records it).
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
        lr = (self.schedule(epoch, optimizer.learning_rate) if self._two_args
              else self.schedule(epoch))
        if isinstance(lr, (bool, np.bool_)) or not isinstance(lr, (int, float, np.integer, np.floating)) \
                or not math.isfinite(lr) or lr <= 0:
            raise ValueError(f"LearningRateScheduler: schedule returned {lr!r} for epoch {epoch}; "
                             "expected a finite number > 0.")
        optimizer.learning_rate = float(lr)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file: ``epoch,loss,...`` (epoch 0-based).

    Each row is flushed when written, so the file holds every completed epoch even if the
    run is interrupted. Values are written with Python's shortest exact repr.

    Parameters
    ----------
    filename : str or path-like
    separator : str, default ','
    append : bool, default False
        Add to an existing file (its header is kept) instead of overwriting it.
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",",
                 append: bool = False) -> None:
        super().__init__()
        if isinstance(filename, bytes) or not isinstance(filename, (str, os.PathLike)):
            raise TypeError(f"CSVLogger: filename must be a str or path; got {filename!r}.")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"CSVLogger: separator must be one character; got {separator!r}.")
        self.filename = Path(filename)
        self.separator = separator
        self.append = bool(append)
        self._file: Any = None
        self._writer: Any = None
        self.keys: list[str] | None = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        has_header = (self.append and self.filename.exists()
                      and self.filename.stat().st_size > 0)
        self.keys = None
        if has_header:
            with open(self.filename, newline="") as file:
                header = next(csv.reader(file, delimiter=self.separator), None)
            self.keys = header[1:] if header else None
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._writer = csv.writer(self._file, delimiter=self.separator)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = list(logs)
            self._writer.writerow(["epoch", *self.keys])
        self._writer.writerow([epoch, *(_csv_value(logs[k]) if k in logs else "NA"
                                        for k in self.keys)])
        self._file.flush()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None


def _csv_value(value: Any) -> Any:
    return repr(float(value)) if isinstance(value, (float, np.floating)) else value


def _parameters(model: Sequential) -> list[np.ndarray]:
    return [layer.params[name] for layer in model.layers for name in layer.params]
