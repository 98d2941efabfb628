"""Callbacks: code that runs at the edges of training (epochs, batches, start, end).

``fit`` always installs a :class:`History` (returned by ``fit`` and kept as
``model.history``) and, when ``verbose`` > 0, a :class:`ProgressBar`.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Sequential


class Callback:
    """Base class: override any of the hooks. ``self.model`` is the model being trained and
    ``self.params`` holds fit's settings ('epochs', 'steps' per epoch, 'batch_size', 'samples').

    ``logs`` passed to ``on_epoch_end`` hold the epoch's 'loss', each metric and, when
    validating, 'val_loss' and 'val_<metric>'; ``on_batch_end`` logs hold the batch's
    'loss', 'size' and each metric. Set ``self.model.stop_training = True`` to stop after this epoch.
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
    epoch : list[int]
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

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
        text = " - ".join(f"{k}: {v:.4f}" for k, v in (logs or {}).items())
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
        for callback in self.callbacks:
            callback.on_train_begin({})

    def on_train_end(self, logs: dict[str, Any]) -> None:
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_epoch_begin(self, epoch: int) -> None:
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, {})

    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> None:
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)
