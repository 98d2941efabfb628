"""ProgressBar: a bar per epoch (verbose=1) or a line per epoch (verbose=2)."""

from __future__ import annotations

import sys
import time
from typing import Any

import tqdm.auto

from .base import Callback

__all__ = ["ProgressBar"]


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
            self._bar = tqdm.auto.tqdm(total=self.steps, desc=f"Epoch {epoch + 1}/{self.epochs}",
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
