"""Metrics reported by ``fit`` and ``evaluate``: Keras-style objects with state.

``compile(metrics=[...])`` takes names or :class:`Metric` instances. 'accuracy' is the
categorical (arg-max) accuracy for several outputs trained with a categorical loss, the binary
(0.5 threshold) accuracy otherwise.
"""

from __future__ import annotations

import copy
from typing import Any

from .accuracy import BinaryAccuracy, CategoricalAccuracy, binary_accuracy, categorical_accuracy
from .base import MeanMetric, Metric
from .regression import MeanAbsoluteError, mae

__all__ = ["Metric", "MeanMetric", "BinaryAccuracy", "CategoricalAccuracy", "MeanAbsoluteError",
           "binary_accuracy", "categorical_accuracy", "mae", "METRIC_NAMES", "get", "canonical_name"]

#: Names accepted in compile(metrics=[...]), with Keras's aliases, by canonical name.
_ALIASES = {"acc": "accuracy", "mean_absolute_error": "mae"}
METRIC_NAMES = ("accuracy", "mae")


def canonical_name(identifier: Any) -> str:
    """The log key of a metric given by name or instance ('acc' is logged as 'accuracy')."""
    if isinstance(identifier, Metric):
        return identifier.name
    if not isinstance(identifier, str):
        raise TypeError(f"metrics must be names from {list(METRIC_NAMES)} or Metric instances; "
                        f"got {identifier!r}.")
    key = _ALIASES.get(identifier.lower(), identifier.lower())
    if key not in METRIC_NAMES:
        raise ValueError(f"unknown metric {identifier!r}; expected one of {list(METRIC_NAMES)}.")
    return key


def get(identifier: str | Metric, categorical: bool) -> Metric:
    """A fresh metric object for a name or an instance (copied, so every fit starts afresh)."""
    if isinstance(identifier, Metric):
        metric = copy.deepcopy(identifier)
        metric.reset_state()
        return metric
    key = canonical_name(identifier)
    if key == "accuracy":
        return CategoricalAccuracy("accuracy") if categorical else BinaryAccuracy("accuracy")
    return MeanAbsoluteError("mae")
