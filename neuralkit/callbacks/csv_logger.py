"""CSVLogger: each epoch's logs as a row of a CSV file, flushed as it is written."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import numpy as np

from .base import Callback

__all__ = ["CSVLogger"]


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
