"""The base class of metrics, Keras's: state that batches update, and a result.

``fit`` and ``evaluate`` reset each compiled metric at the start of an epoch (or evaluation),
update it with every batch and log ``result()``: the metric over all the examples seen, not
a mean of batch values. neuralkit's batch logs carry each metric's value on the batch alone,
which :meth:`Metric.update` returns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Metric", "MeanMetric"]


class Metric:
    """Base class: implement :meth:`reset_state`, :meth:`update_state` and :meth:`result`.

    Parameters
    ----------
    name : str, optional
        The key of the metric in logs and History (default: the class's snake_case name).
    """

    def __init__(self, name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"a metric's name must be a string; got {name!r}.")
        self.name = name if name is not None else _snake_case(type(self).__name__)
        self.reset_state()

    def reset_state(self) -> None:
        """Forget every batch seen so far."""
        raise NotImplementedError

    def update_state(self, y_true: np.ndarray, y_pred: np.ndarray,
                     sample_weight: np.ndarray | None = None) -> None:
        """Add one batch: targets ``y_true`` and outputs ``y_pred``, both (m, n_out), and
        optional weights (m,)."""
        raise NotImplementedError

    def result(self) -> float:
        """The metric over every example since the last reset."""
        raise NotImplementedError

    def update(self, y_true: np.ndarray, y_pred: np.ndarray,
               sample_weight: np.ndarray | None = None) -> float:
        """:meth:`update_state`, then the metric's value on this batch alone (for the batch
        logs). The default gives :meth:`result` instead; built-in metrics give the batch's."""
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class MeanMetric(Metric):
    """A mean over examples of a per-example value: ``sum(w_i v_i) / sum(w_i)``.

    Subclasses implement :meth:`values` (v_i, shape (m,)) and, for the unweighted sum, may
    implement :meth:`batch_total` with the arithmetic of neuralkit 0.1 so that the logged
    numbers stay bit for bit what they were.
    """

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """The per-example values v_i, shape (m,)."""
        raise NotImplementedError

    def batch_total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        """sum_i v_i over the batch."""
        return float(np.sum(self.values(y_true, y_pred)))

    def update(self, y_true: np.ndarray, y_pred: np.ndarray,
               sample_weight: np.ndarray | None = None) -> float:
        if sample_weight is None:
            total, count = self.batch_total(y_true, y_pred), y_true.shape[0]
        else:
            weights = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
            total = float(self.values(y_true, y_pred) @ weights)
            count = float(np.sum(weights))
        self.total += total
        self.count += count
        return total / count if count else 0.0

    def update_state(self, y_true: np.ndarray, y_pred: np.ndarray,
                     sample_weight: np.ndarray | None = None) -> None:
        self.update(y_true, y_pred, sample_weight)

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


def _snake_case(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or
                                   (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
