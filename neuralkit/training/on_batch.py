"""Keras's one-batch methods: ``train_on_batch``, ``test_on_batch``, ``predict_on_batch``.

Each is the matching full method on one batch, so it computes exactly what ``fit``,
``evaluate`` and ``predict`` compute (one update, the same loss and metrics) and keeps every
check and error of theirs. As in Keras, ``train_on_batch`` leaves ``model.history`` alone and its
metrics cover this batch only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import optimizers as _optimizers

__all__ = ["OnBatch"]


def _rows(x: Any, what: str) -> int:
    rows = len(x) if hasattr(x, "__len__") else 0
    if rows == 0:
        raise ValueError(f"{what}: x must be a non-empty batch, an array of shape (m, ...); "
                         f"got {type(x).__name__} of length {rows}.")
    return rows


class OnBatch:
    """train_on_batch, test_on_batch and predict_on_batch; mixed into the trainer."""

    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: dict[int, float] | None = None, return_dict: bool = False
                       ) -> float | list[float] | dict[str, float]:
        """One optimizer step on the batch (x, y), as ``fit`` takes it.

        Returns the batch's loss (computed before the update) and metrics, as
        :meth:`evaluate` returns them: a float, ``[loss, *metrics]`` or, with
        ``return_dict=True``, a dict.
        """
        if isinstance(self.optimizer, _optimizers.LBFGS):
            raise ValueError("train_on_batch takes one optimizer step, but LBFGS minimizes over "
                             "the whole data set in one fit call; use fit, or another optimizer.")
        history = getattr(self, "history", None)
        try:
            run = self.fit(np.asarray(x) if isinstance(x, list) else x, y,
                           batch_size=_rows(x, "train_on_batch"), epochs=1, verbose=0,
                           shuffle=False, sample_weight=sample_weight, class_weight=class_weight)
        finally:
            self.history = history
        logs = {key: values[0] for key, values in run.history.items()}
        if return_dict:
            return logs
        return logs["loss"] if len(logs) == 1 else list(logs.values())

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """Loss and metrics on the batch (x, y): :meth:`evaluate` on one batch."""
        return self.evaluate(x, y, batch_size=_rows(x, "test_on_batch"), verbose=0,
                             sample_weight=sample_weight, return_dict=return_dict)

    def predict_on_batch(self, x: Any) -> np.ndarray:
        """The outputs for the batch x: :meth:`predict` on one batch."""
        return self.predict(x, batch_size=_rows(x, "predict_on_batch"), verbose=0)
