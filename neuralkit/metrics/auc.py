"""The area under the ROC curve (or the average precision), exact over the epoch.

Keras's AUC sorts the outputs into 200 fixed buckets and integrates over the buckets'
thresholds, an approximation whose error depends on how the outputs spread over [0, 1].
neuralkit keeps the epoch's outputs, targets and weights (memory O(m n_out): 9 bytes per
output and example, 8 more per example with weights; freed by ``reset_state``) and integrates
over every distinct output: the result is scikit-learn's ``roc_auc_score`` (or
``average_precision_score``) on the epoch's data, up to rounding. Keras's ROC AUC tends to it
as its buckets get finer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_int, check_number
from .base import Metric, check_batch, check_sample_weight

__all__ = ["AUC"]

_CURVES = {"roc": "ROC", "pr": "PR"}
_TIE_CREDIT = {"interpolation": 0.5, "minoring": 0.0, "majoring": 1.0}


class AUC(Metric):
    """The area under the ROC curve (``curve='ROC'``) or the average precision (``'PR'``).

    ROC: with entries sorted by output, TPR and FPR after each group of equal outputs, the
    trapezoid rule ``sum_g (FPR_g - FPR_g-1) (TPR_g + TPR_g-1) / 2``; equivalently
    ``sum_{i pos, j neg} w_i w_j ([s_i > s_j] + 1/2 [s_i == s_j]) / (W_pos W_neg)``. 'minoring'
    and 'majoring' give a tie 0 or 1 instead of 1/2 (the lower and upper bounds, as Keras).
    PR: the average precision ``sum_g (R_g - R_g-1) P_g``, scikit-learn's
    ``average_precision_score`` (Keras interpolates precision between its buckets instead,
    Davis & Goadrich, which gives slightly different numbers). Entries are positive where the
    target is above 0.5; each entry counts its example's weight (times ``label_weights[k]``).
    Data with no positive entry, or (ROC) no negative one, give 0, as Keras (scikit-learn
    raises). ``update`` returns the batch's own AUC, ``result`` the epoch's.

    Parameters
    ----------
    num_thresholds : int
        Keras's number of buckets (> 1): accepted and saved, unused (the AUC is exact).
    curve : {'ROC', 'PR'}
        Any case. Keras's 'PRGAIN' is not implemented.
    summation_method : {'interpolation', 'minoring', 'majoring'}
        How a tie between a positive and a negative counts, for ROC (1/2, 0, 1); PR takes
        'interpolation' only.
    name : str, optional
        The log key (default 'auc').
    thresholds : list of float, optional
        Keras's bucket boundaries, in [0, 1]: accepted and saved, unused.
    multi_label : bool
        False (default): every entry of the (m, n_out) data is one binary decision, one AUC
        over them all (micro). True: one AUC per output, then their mean (weighted by
        ``label_weights``).
    num_labels : int, optional
        With ``multi_label``: the number of outputs, checked against the data.
    label_weights : list of float, optional
        One non-negative weight per output: multiplies the entries' weights (micro), or
        weights the mean of the per-output AUCs (``multi_label``).
    from_logits : bool
        Accepted and saved: the AUC depends only on the order of the outputs, which a sigmoid
        keeps, so logits and probabilities give the same AUC.
    """

    direction = "up"

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None,
                 thresholds: list[float] | None = None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights: list[float] | None = None,
                 from_logits: bool = False) -> None:
        self.num_thresholds = check_int(num_thresholds, "AUC: num_thresholds", 2)
        self.thresholds = _thresholds(thresholds)
        if not isinstance(curve, str) or curve.lower() not in _CURVES:
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR'; got {curve!r}.")
        self.curve = _CURVES[curve.lower()]
        if not isinstance(summation_method, str) or summation_method.lower() not in _TIE_CREDIT:
            raise ValueError("AUC: summation_method must be 'interpolation', 'minoring' or "
                             f"'majoring'; got {summation_method!r}.")
        self.summation_method = summation_method.lower()
        if self.curve == "PR" and self.summation_method != "interpolation":
            raise ValueError("AUC: curve='PR' is the exact average precision and takes "
                             f"summation_method='interpolation' only; got {summation_method!r}.")
        self.multi_label = _flag(multi_label, "multi_label")
        self.from_logits = _flag(from_logits, "from_logits")
        if num_labels is not None:
            if not self.multi_label:
                raise ValueError("AUC: num_labels is needed only when multi_label is True.")
            num_labels = check_int(num_labels, "AUC: num_labels", 1)
        self.num_labels = num_labels
        self.label_weights = _label_weights(label_weights)
        super().__init__(name)

    def reset_state(self) -> None:
        self._outputs: list[np.ndarray] = []
        self._positives: list[np.ndarray] = []
        self._weights: list[np.ndarray | None] = []

    def update(self, y_true: np.ndarray, y_pred: np.ndarray,
               sample_weight: np.ndarray | None = None) -> float:
        y_true, y_pred = check_batch(y_true, y_pred, self.name)
        weights = check_sample_weight(sample_weight, y_pred.shape[0], self.name)
        n = y_pred.shape[1]
        if self.num_labels is not None and n != self.num_labels:
            raise ValueError(f"metric '{self.name}': num_labels={self.num_labels} but y_pred "
                             f"has {n} outputs.")
        if self.label_weights is not None and len(self.label_weights) != n:
            raise ValueError(f"metric '{self.name}': {len(self.label_weights)} label_weights "
                             f"but y_pred has {n} outputs.")
        if self._outputs and n != self._outputs[0].shape[1]:
            raise ValueError(f"metric '{self.name}': y_pred has {n} outputs but earlier batches "
                             f"had {self._outputs[0].shape[1]}.")
        # Copies: fit may reuse a batch's arrays for the next batch.
        outputs = np.array(y_pred, dtype=np.float64)
        positives = y_true > 0.5
        weights = None if weights is None else np.array(weights)
        self._outputs.append(outputs)
        self._positives.append(positives)
        self._weights.append(weights)
        return self._area(outputs, positives, weights)

    def update_state(self, y_true: np.ndarray, y_pred: np.ndarray,
                     sample_weight: np.ndarray | None = None) -> None:
        self.update(y_true, y_pred, sample_weight)

    def result(self) -> float:
        if not self._outputs:
            return 0.0
        weights = None
        if any(w is not None for w in self._weights):
            weights = np.concatenate([np.ones(len(o)) if w is None else w
                                      for o, w in zip(self._outputs, self._weights, strict=True)])
        return self._area(np.concatenate(self._outputs), np.concatenate(self._positives), weights)

    def _area(self, outputs: np.ndarray, positives: np.ndarray, weights: np.ndarray | None
              ) -> float:
        """The AUC of (m, n) outputs and targets with per-example weights (m,) or None."""
        lw = self.label_weights
        if self.multi_label:
            areas = np.array([self._binary_area(outputs[:, k], positives[:, k], weights)
                              for k in range(outputs.shape[1])])
            if lw is None:
                return float(np.mean(areas))
            total = float(np.sum(lw))
            return float(areas @ lw) / total if total else 0.0
        entry_weights = None
        if weights is not None or lw is not None:
            entry_weights = np.ones(outputs.shape) if weights is None else \
                np.repeat(weights[:, None], outputs.shape[1], axis=1)
            if lw is not None:
                entry_weights = entry_weights * lw
            entry_weights = entry_weights.reshape(-1)
        return self._binary_area(outputs.reshape(-1), positives.reshape(-1), entry_weights)

    def _binary_area(self, scores: np.ndarray, positive: np.ndarray, weights: np.ndarray | None
                     ) -> float:
        """The exact area for one list of entries (1-D scores, labels, weights)."""
        order = np.argsort(-scores, kind="stable")
        scores, positive = scores[order], positive[order]
        if weights is None:
            tp_weight = positive.astype(np.float64)
            fp_weight = 1.0 - tp_weight
        else:
            weights = weights[order]
            tp_weight = np.where(positive, weights, 0.0)
            fp_weight = np.where(positive, 0.0, weights)
        # The last entry of each group of equal outputs: the points of the curve.
        ends = np.r_[np.flatnonzero(np.diff(scores)), scores.size - 1]
        tps = np.cumsum(tp_weight)[ends]
        fps = np.cumsum(fp_weight)[ends]
        all_positive, all_negative = tps[-1], fps[-1]
        d_tp = np.diff(tps, prepend=0.0)
        if self.curve == "PR":
            if not all_positive > 0:
                return 0.0
            predicted = tps + fps
            precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted != 0)
            return float(np.sum(d_tp * precision) / all_positive)
        if not (all_positive > 0 and all_negative > 0):
            return 0.0
        d_fp = np.diff(fps, prepend=0.0)
        tie = _TIE_CREDIT[self.summation_method]
        pairs = np.sum(d_fp * (tps - d_tp + tie * d_tp))
        return float(pairs / (all_positive * all_negative))

    def get_config(self) -> dict[str, Any]:
        return {"num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, **super().get_config(),
                "thresholds": self.thresholds, "multi_label": self.multi_label,
                "num_labels": self.num_labels,
                "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
                "from_logits": self.from_logits}


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"AUC: {name} must be True or False; got {value!r}.")
    return bool(value)


def _thresholds(thresholds: Any) -> list[float] | None:
    if thresholds is None:
        return None
    if isinstance(thresholds, (int, float, np.number)):
        thresholds = [thresholds]
    if not isinstance(thresholds, (list, tuple, np.ndarray)):
        raise TypeError(f"AUC: thresholds must be a list of numbers in [0, 1]; got {thresholds!r}.")
    return sorted(check_number(t, "AUC: thresholds[...]", 0.0, 1.0, low_inclusive=True,
                               high_inclusive=True) for t in thresholds)


def _label_weights(label_weights: Any) -> np.ndarray | None:
    if label_weights is None:
        return None
    weights = np.asarray(label_weights, dtype=np.float64).reshape(-1)
    if weights.size == 0 or not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("AUC: label_weights must be non-negative finite numbers, one per "
                         f"output; got {label_weights!r}.")
    return weights
