"""The base class of metrics, Keras's: state that batches update, and a result.

``fit`` and ``evaluate`` reset each compiled metric at the start of an epoch (or evaluation),
update it with every batch and log ``result()``: the metric over all the examples seen, not
a mean of batch values. neuralkit's batch logs carry each metric's value on the batch alone,
which :meth:`Metric.update` returns.

Every metric takes ``y_true`` and ``y_pred`` as (m, n_out) arrays (a 1-D array is one output,
(m, 1)) and optional per-example weights ``sample_weight`` of shape (m,) (or (m, 1), or one
number for every example): each example's value counts ``w_i`` times.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["Metric", "MeanMetric", "MeanMetricWrapper"]


class Metric:
    """Base class: implement :meth:`reset_state`, :meth:`update_state` and :meth:`result`.

    Parameters
    ----------
    name : str, optional
        The key of the metric in logs and History (default: the class's snake_case name).

    Attributes
    ----------
    direction : {'up', 'down'} or None
        Whether larger values are better ('up': accuracies, precision, AUC) or smaller ones
        ('down': errors), Keras's ``_direction``; None when unknown.
    """

    direction: str | None = None

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
        """The constructor's arguments: ``type(self)(**self.get_config())`` is a fresh copy."""
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class MeanMetric(Metric):
    """A mean over examples of a per-example value: ``sum_i w_i v_i / sum_i w_i``.

    Subclasses implement :meth:`values` (v_i, shape (m,)) and, for the unweighted sum, may
    implement :meth:`batch_total` with the arithmetic of neuralkit 0.1 so that the logged
    numbers stay bit for bit what they were. ``y_true`` and ``y_pred`` must have the same
    shape unless :attr:`same_shape` is False. No example (or a total weight of 0) gives 0.
    """

    same_shape = True

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
        y_true, y_pred = check_batch(y_true, y_pred, self.name, self.same_shape)
        weights = check_sample_weight(sample_weight, y_pred.shape[0], self.name)
        if weights is None:
            total, count = self.batch_total(y_true, y_pred), y_true.shape[0]
        else:
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


class MeanMetricWrapper(MeanMetric):
    """The weighted mean over examples of ``fn(y_true, y_pred, **kwargs)``, as Keras's.

    ``fn`` returns one value per example, shape (m,), or per entry, shape (m, n_out) (then
    averaged over outputs). To save the model, ``fn`` must be one of neuralkit's functions
    or be given to ``load_model(..., custom_objects={name: fn})``.

    Parameters
    ----------
    fn : callable
        ``fn(y_true, y_pred, **kwargs)`` with y_true and y_pred of shape (m, n_out).
    name : str, optional
        The log key (default: ``fn.__name__``).
    **kwargs
        Passed to ``fn`` on every call.
    """

    def __init__(self, fn: Callable[..., Any], name: str | None = None, **kwargs: Any) -> None:
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: fn must be a function f(y_true, y_pred); "
                            f"got {fn!r}.")
        self.fn = fn
        self.fn_kwargs = kwargs
        super().__init__(name if name is not None else getattr(fn, "__name__", None))

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        values = np.asarray(self.fn(y_true, y_pred, **self.fn_kwargs), dtype=np.float64)
        if values.ndim == 2 and values.shape[0] == y_true.shape[0]:
            values = np.mean(values, axis=1)
        if values.shape != (y_true.shape[0],):
            raise ValueError(f"metric '{self.name}': {getattr(self.fn, '__name__', self.fn)} "
                             f"returned shape {values.shape}; expected one value per example, "
                             f"({y_true.shape[0]},) or ({y_true.shape[0]}, n_out).")
        return values

    def get_config(self) -> dict[str, Any]:
        return {"fn": self.fn, **super().get_config(), **self.fn_kwargs}


def check_batch(y_true: Any, y_pred: Any, name: str, same_shape: bool = True
                ) -> tuple[np.ndarray, np.ndarray]:
    """``y_true`` and ``y_pred`` as 2-D arrays (a 1-D array is one output, (m, 1)), with one
    row per example each and, if ``same_shape``, the same number of outputs."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim == 1:
        y_true = y_true.reshape(-1, 1)
    if y_pred.ndim == 1:
        y_pred = y_pred.reshape(-1, 1)
    if y_true.ndim != 2 or y_pred.ndim != 2:
        raise ValueError(f"metric '{name}': y_true and y_pred must be 2-D, (m, n_out); got "
                         f"shapes {y_true.shape} and {y_pred.shape}.")
    if y_true.shape[0] != y_pred.shape[0] or same_shape and y_true.shape != y_pred.shape:
        raise ValueError(f"metric '{name}': y_true has shape {y_true.shape} and y_pred "
                         f"{y_pred.shape}; expected the same shape (m, n_out).")
    return y_true, y_pred


def check_sample_weight(sample_weight: Any, m: int, name: str) -> np.ndarray | None:
    """None, or the weights as a float64 (m,) array: one number is every example's weight."""
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.ndim == 0:
        weights = np.full(m, float(weights))
    elif weights.shape in ((m,), (m, 1)):
        weights = weights.reshape(m)
    else:
        raise ValueError(f"metric '{name}': sample_weight must hold one weight per example, "
                         f"shape ({m},); got shape {weights.shape}.")
    if not np.isfinite(weights).all():
        raise ValueError(f"metric '{name}': sample_weight contains NaN or inf.")
    return weights


def _snake_case(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or
                                   (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
