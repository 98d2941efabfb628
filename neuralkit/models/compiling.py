"""compile: the optimizer, the loss and the metrics of a model, in Keras's order or 0.1's.

:class:`Compiling` is mixed into :class:`~neuralkit.models.Sequential`; it needs the model's
``layers``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers as _optimizers
from ..layers.activations import Sigmoid, Softmax
from ..losses import BinaryCrossEntropy, CategoricalCrossEntropy, Loss
from ..optimizers import Optimizer

__all__ = ["Compiling"]


class Compiling:
    """compile, the loss inferred from the output layer, and the metrics' objects."""

    def compile(self, optimizer: str | Optimizer | None = None, loss: str | Loss | None = None,
                metrics: Sequence[str | _metrics.Metric] | None = None,
                weighted_metrics: Sequence[str | _metrics.Metric] | None = None,
                **execution: Any) -> None:
        """Choose the optimizer, the loss and the metrics reported by fit and evaluate.

        Keras's order, ``compile(optimizer, loss, metrics)``, and neuralkit 0.1's,
        ``compile(loss, optimizer, metrics)``, both work: an optimizer and a loss are told
        apart by what they are.

        Parameters
        ----------
        optimizer : str or Optimizer, optional
            'sgd', 'rmsprop', 'adam', ... (default settings) or an Optimizer instance; None
            means ``Adam()``.
        loss : str or Loss, optional
            'mse', 'mae', 'huber', 'binary_crossentropy', 'categorical_crossentropy',
            'sparse_categorical_crossentropy' or a Loss instance; None infers it from the output
            layer at fit time.
        metrics : list of str or Metric, optional
            'accuracy' (arg-max for categorical outputs, 0.5 threshold otherwise), 'mae', ...
            Not weighted by ``sample_weight`` or ``class_weight`` (as in Keras).
        weighted_metrics : list of str or Metric, optional
            Metrics that are weighted by them.
        **execution
            Keras's execution settings (``run_eagerly``, ``jit_compile``,
            ``steps_per_execution``, ``auto_scale_loss``) are accepted and have no effect;
            ``loss_weights`` is for models with several outputs, which neuralkit has not.
        """
        unknown = set(execution) - {"run_eagerly", "jit_compile", "steps_per_execution",
                                    "auto_scale_loss", "loss_weights"}
        if unknown:
            raise TypeError(f"compile got unexpected arguments {sorted(unknown)}.")
        if execution.get("loss_weights") is not None:
            raise ValueError("compile: loss_weights weighs the losses of several outputs; a "
                             "Sequential model has one output. Leave it out.")
        if _is_loss(optimizer) and (loss is None or _is_optimizer(loss)):
            optimizer, loss = loss, optimizer  # neuralkit 0.1's order
        self.loss = None if loss is None else _losses.get(loss)
        self.optimizer = None if optimizer is None else _optimizers.get(optimizer)
        self.metrics = _metric_list(metrics, "metrics")
        self.weighted_metrics = _metric_list(weighted_metrics, "weighted_metrics")
        names = [name for name, _, _ in self._metric_entries()]
        if len(set(names)) != len(names):
            raise ValueError(f"metrics has two metrics logged under one name: {names}.")

    def _metric_entries(self) -> list[tuple[str, str | _metrics.Metric, bool]]:
        """(log key, name or Metric, weighted) for every compiled metric; a weighted metric
        that shares its name with an unweighted one is logged as 'weighted_<name>'."""
        plain = [(_metrics.canonical_name(m), m, False) for m in self.metrics]
        taken = {name for name, _, _ in plain}
        weighted = []
        for m in self.weighted_metrics:
            name = _metrics.canonical_name(m)
            weighted.append((f"weighted_{name}" if name in taken else name, m, True))
        return plain + weighted

    def _resolved_loss(self) -> Loss:
        if self.loss is not None:
            return self.loss
        last = self.layers[-1]
        output = getattr(last, "activation", None) or last
        if isinstance(output, Sigmoid):
            return BinaryCrossEntropy()
        if isinstance(output, Softmax):
            return CategoricalCrossEntropy()
        return _losses.MeanSquaredError()

    def _metric_functions(self, loss: Loss, n_outputs: int
                          ) -> dict[str, tuple[_metrics.Metric, bool]]:
        """Fresh metric objects by log key, each with whether sample weights apply to it."""
        categorical = n_outputs > 1 and not isinstance(loss, BinaryCrossEntropy)
        return {name: (_metrics.get(metric, categorical), weighted)
                for name, metric, weighted in self._metric_entries()}


def _is_loss(value: Any) -> bool:
    return (isinstance(value, Loss) or (isinstance(value, type) and issubclass(value, Loss))
            or hasattr(value, "__loss_class__")
            or (isinstance(value, str) and value.lower() in _losses.LOSSES))


def _is_optimizer(value: Any) -> bool:
    return (isinstance(value, Optimizer) or (isinstance(value, type) and issubclass(value, Optimizer))
            or (isinstance(value, str) and value.lower() in _optimizers.OPTIMIZERS))


def _metric_list(metrics: Any, what: str) -> list[str | _metrics.Metric]:
    """Names (canonical) and Metric instances, checked now."""
    if metrics is None:
        return []
    if isinstance(metrics, (str, _metrics.Metric)) or not isinstance(metrics, Sequence):
        raise TypeError(f"{what} must be a list of names or Metric objects, e.g. "
                        f"{what}=['accuracy']; got {metrics!r}.")
    checked: list[str | _metrics.Metric] = []
    for m in metrics:
        if isinstance(m, _metrics.Metric):
            checked.append(m)
        elif callable(m) and not isinstance(m, type) and not _metrics.is_known(m):
            checked.append(_metrics.MeanMetricWrapper(m))  # f(y_true, y_pred), as Keras takes
        else:
            checked.append(_metrics.canonical_name(m))
    return checked
