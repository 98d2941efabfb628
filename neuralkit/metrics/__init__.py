"""Metrics reported by ``fit`` and ``evaluate``: Keras-style objects with state.

``compile(metrics=[...])`` takes names (any case, with Keras's aliases and class names),
neuralkit's metric classes and functions, or :class:`Metric` instances. 'accuracy' (or 'acc')
is the arg-max accuracy for several outputs trained with a categorical loss, against one-hot
targets or integer labels, the 0.5-threshold binary accuracy otherwise. A name is logged as
written ('acc' as 'acc', as Keras); an instance under its ``name``.
"""

from __future__ import annotations

import copy
from typing import Any

from .._validation import _did_you_mean
from .accuracy import (
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
)
from .auc import AUC
from .base import MeanMetric, MeanMetricWrapper, Metric
from .confusion import Precision, Recall
from .regression import (
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    RootMeanSquaredError,
    mae,
    mean_absolute_error,
    mean_squared_error,
)

__all__ = ["is_known", "Metric", "MeanMetric", "MeanMetricWrapper", "BinaryAccuracy", "CategoricalAccuracy",
           "SparseCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
           "RootMeanSquaredError", "MeanAbsolutePercentageError", "Precision",
           "Recall", "AUC", "binary_accuracy", "categorical_accuracy",
           "sparse_categorical_accuracy", "mae", "mean_squared_error", "mean_absolute_error",
           "METRIC_NAMES", "get", "canonical_name"]

_CLASSES: dict[str, type[Metric]] = {
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "root_mean_squared_error": RootMeanSquaredError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "precision": Precision,
    "recall": Recall,
    "auc": AUC,
}

#: The names compile(metrics=[...]) takes, Keras's; any case, and class names too ('AUC').
METRIC_NAMES = ("accuracy", "acc", *_CLASSES, "mse", "mae", "mape")

# Every accepted spelling, lower case, to the snake_case name it means.
_KEYS = {**{name: name for name in METRIC_NAMES}, "acc": "accuracy",
         "mse": "mean_squared_error", "mae": "mean_absolute_error",
         "mape": "mean_absolute_percentage_error",
         **{cls.__name__.lower(): name for name, cls in _CLASSES.items()}}

# neuralkit's own functions and classes, which compile also takes, with the name each means.
_BY_OBJECT: tuple[tuple[Any, str], ...] = (
    (binary_accuracy, "binary_accuracy"), (categorical_accuracy, "categorical_accuracy"),
    (sparse_categorical_accuracy, "sparse_categorical_accuracy"), (mae, "mae"),
    (mean_squared_error, "mean_squared_error"), (mean_absolute_error, "mean_absolute_error"),
    *((cls, name) for name, cls in _CLASSES.items()))


def is_known(identifier: Any) -> bool:
    """True for one of neuralkit's metric functions or classes (given by object)."""
    return any(identifier is known for known, _ in _BY_OBJECT)


def canonical_name(identifier: Any) -> str:
    """The log key of a metric: a name as written ('acc' is logged as 'acc', as Keras), an
    instance's ``name``, the Keras name of one of neuralkit's metric functions or classes
    ('mean_squared_error', 'auc')."""
    if isinstance(identifier, Metric):
        return identifier.name
    if isinstance(identifier, str):
        if identifier.lower() not in _KEYS:
            raise ValueError(f"unknown metric {identifier!r}{_did_you_mean(identifier, _KEYS)}; "
                             f"expected one of {list(METRIC_NAMES)} or a Metric instance.")
        return identifier
    for known, name in _BY_OBJECT:
        if identifier is known:
            return name
    hint = ""
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        hint = f" Pass an instance, {identifier.__name__}()."
    elif callable(identifier):
        hint = (" A function f(y_true, y_pred) of your own goes in as "
                "neuralkit.metrics.MeanMetricWrapper(f).")
    raise TypeError(f"metrics must be names from {list(METRIC_NAMES)} or Metric instances; "
                    f"got {identifier!r}.{hint}")


def get(identifier: str | Metric, categorical: bool) -> Metric:
    """A fresh metric object for a name or an instance (copied, so every fit starts afresh).

    ``categorical``: whether 'accuracy' means the arg-max accuracy (several outputs and a
    loss other than the binary cross-entropy) rather than the binary one.
    """
    if isinstance(identifier, Metric):
        metric = copy.deepcopy(identifier)
        metric.reset_state()
        return metric
    name = canonical_name(identifier)
    key = _KEYS[name.lower()]
    if key == "accuracy":
        # The sparse accuracy takes one-hot targets and integer labels alike.
        return SparseCategoricalAccuracy(name) if categorical else BinaryAccuracy(name)
    return _CLASSES[key](name=name)
