"""Precision and recall: true and false positives and negatives counted over the epoch.

Both count over every entry of the (m, n_out) batch (Keras's micro average: each output of
each example is one binary decision), or over one output with ``class_id``. An entry is a
positive if its target is above 0.5, predicted positive if its output is above the
threshold (and, with ``top_k``, among its row's ``top_k`` largest outputs). The counts add up
over the batches, so ``result()`` is the metric of the whole epoch, not a mean of batches.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_int, check_number
from .base import Metric, check_batch, check_sample_weight

__all__ = ["Precision", "Recall"]


class _ConfusionMetric(Metric):
    """True positives, false positives and false negatives, weighted, over the epoch."""

    direction = "up"

    def __init__(self, thresholds: float | list[float] | None = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None) -> None:
        owner = type(self).__name__
        self.thresholds = thresholds
        self.threshold = _one_threshold(thresholds, owner)
        self.top_k = None if top_k is None else check_int(top_k, f"{owner}: top_k", 1)
        self.class_id = None if class_id is None else check_int(class_id, f"{owner}: class_id", 0)
        if self.threshold is None and self.top_k is None:
            self.threshold = 0.5
        super().__init__(name)

    def reset_state(self) -> None:
        self.true_positives = 0.0
        self.false_positives = 0.0
        self.false_negatives = 0.0

    def counts(self, y_true: Any, y_pred: Any, sample_weight: Any = None
               ) -> tuple[float, float, float]:
        """(TP, FP, FN) of one batch: ``sum_i w_i sum_k [y_true_ik > 0.5][pred_ik]`` and so on,
        with ``pred_ik`` the entry's predicted-positive decision."""
        y_true, y_pred = check_batch(y_true, y_pred, self.name)
        weights = check_sample_weight(sample_weight, y_pred.shape[0], self.name)
        predicted = self._predicted_positive(y_pred)
        actual = y_true > 0.5
        if self.class_id is not None:
            if self.class_id >= y_pred.shape[1]:
                raise ValueError(f"metric '{self.name}': class_id={self.class_id} but y_pred has "
                                 f"{y_pred.shape[1]} outputs (classes 0 to {y_pred.shape[1] - 1}).")
            predicted = predicted[:, self.class_id]
            actual = actual[:, self.class_id]
        cells = (actual & predicted, ~actual & predicted, actual & ~predicted)
        if weights is None:
            return tuple(float(np.count_nonzero(cell)) for cell in cells)
        if actual.ndim == 2:
            return tuple(float(weights @ np.count_nonzero(cell, axis=1)) for cell in cells)
        return tuple(float(weights @ cell) for cell in cells)

    def _predicted_positive(self, y_pred: np.ndarray) -> np.ndarray:
        above = None if self.threshold is None else y_pred > self.threshold
        if self.top_k is None:
            return above
        n = y_pred.shape[1]
        if self.top_k > n:
            raise ValueError(f"metric '{self.name}': top_k={self.top_k} but y_pred has only {n} "
                             "outputs.")
        # The k largest of each row; a tie goes to the lower index, as Keras's top_k.
        top = np.argsort(-y_pred, axis=1, kind="stable")[:, :self.top_k]
        in_top = np.zeros(y_pred.shape, dtype=bool)
        np.put_along_axis(in_top, top, True, axis=1)
        return in_top if above is None else in_top & above

    def update(self, y_true: np.ndarray, y_pred: np.ndarray,
               sample_weight: np.ndarray | None = None) -> float:
        tp, fp, fn = self.counts(y_true, y_pred, sample_weight)
        self.true_positives += tp
        self.false_positives += fp
        self.false_negatives += fn
        return self.value(tp, fp, fn)

    def update_state(self, y_true: np.ndarray, y_pred: np.ndarray,
                     sample_weight: np.ndarray | None = None) -> None:
        self.update(y_true, y_pred, sample_weight)

    def result(self) -> float:
        return self.value(self.true_positives, self.false_positives, self.false_negatives)

    def value(self, tp: float, fp: float, fn: float) -> float:
        """The metric from the counts."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_ConfusionMetric):
    """Precision over the epoch: ``TP / (TP + FP)``, 0 when nothing is predicted positive.

    ``TP = sum_i w_i sum_k [y_true_ik > 0.5 and pred_ik]``, ``FP`` likewise with
    ``y_true_ik <= 0.5``; ``pred_ik = y_pred_ik > threshold`` (and among the row's ``top_k``
    largest). scikit-learn's ``precision_score`` on the flattened entries (each weighted by its
    example's weight), with ``zero_division=0``.

    Parameters
    ----------
    thresholds : float or list of one float, optional
        In [0, 1]; default 0.5, or no threshold when ``top_k`` is given. Keras also takes
        several thresholds (and returns one precision per threshold); neuralkit logs one
        number per metric, so make one Precision per threshold.
    top_k : int, optional
        Only a row's ``top_k`` largest outputs can be predicted positive.
    class_id : int, optional
        Count only output ``class_id`` (one class of a multi-class model).
    name : str, optional
        The log key (default 'precision').
    """

    def value(self, tp: float, fp: float, fn: float) -> float:
        return tp / (tp + fp) if tp + fp != 0 else 0.0


class Recall(_ConfusionMetric):
    """Recall over the epoch: ``TP / (TP + FN)``, 0 when no target is positive.

    ``TP = sum_i w_i sum_k [y_true_ik > 0.5 and pred_ik]``, ``FN`` likewise with
    ``not pred_ik``; ``pred_ik`` as in :class:`Precision`. scikit-learn's ``recall_score`` on
    the flattened entries, with ``zero_division=0``. Parameters as :class:`Precision`'s
    (default name 'recall').
    """

    def value(self, tp: float, fp: float, fn: float) -> float:
        return tp / (tp + fn) if tp + fn != 0 else 0.0


def _one_threshold(thresholds: Any, owner: str) -> float | None:
    """The threshold of ``thresholds`` (a number or a list of one), None for top_k alone."""
    if isinstance(thresholds, (list, tuple)):
        if len(thresholds) != 1:
            raise ValueError(
                f"{owner}: thresholds must be one number in [0, 1] (neuralkit logs one value per "
                f"metric; make one {owner} per threshold); got {thresholds!r}."
            )
        thresholds = thresholds[0]
    if thresholds is None:
        return None
    return check_number(thresholds, f"{owner}: thresholds", 0.0, 1.0, low_inclusive=True,
                        high_inclusive=True)
