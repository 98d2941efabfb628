"""TerminateOnNaN: stop training quietly when the loss or a logged value is NaN or inf."""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from ..errors import DivergenceError
from .base import Callback

__all__ = ["TerminateOnNaN"]


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
        self.error: DivergenceError | None = None
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

    def on_divergence(self, error: DivergenceError) -> bool:
        self.error = error
        print(f"TerminateOnNaN: training stopped: {error}", file=sys.stderr)
        return True
