"""fit with the L-BFGS optimizer: one full-batch minimization instead of the epoch loop."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..callbacks import CallbackList, History
from ..errors import DivergenceError
from .data_adapters import DataAdapter
from .loop import Metrics, evaluate_batches
from .step import GradientStep

__all__ = ["fit_lbfgs"]


def fit_lbfgs(model: Any, X: np.ndarray, Y: np.ndarray, W: np.ndarray | None,
              validation: DataAdapter | None, metric_fns: Metrics, cbs: CallbackList) -> History:
    """Full-batch L-BFGS over all of (X, Y); see :class:`neuralkit.optimizers.LBFGS`.

    Each evaluation is a :class:`GradientStep` on the whole batch: the loss J (plus
    penalties) and every layer's grads at the current theta. The History gets one entry per
    L-BFGS iteration, with the callbacks' epoch hooks run for each.

    Layers with state: the evaluations are trial points of a line search, not applied
    updates, so ``after_update`` is never called (a moving average over them would mix
    rejected points in). Instead, at each accepted iterate (before its validation and
    callbacks) and at the final one, a layer with an ``after_full_batch()`` method is told
    that its last training pass saw all of the data at those parameters:
    BatchNormalization then sets its moving statistics to that pass's statistics, the
    population's, so predict normalizes exactly as the minimized full-batch loss did.
    """
    optimizer = model.optimizer
    history = model.history
    last: dict[str, Any] = {}
    full_batch = [layer.after_full_batch for layer in model.layers
                  if callable(getattr(layer, "after_full_batch", None))]
    with GradientStep(model.layers, model.loss) as step:

        def evaluate() -> float:
            try:
                with np.errstate(under="ignore"):  # underflow to 0 is the right answer
                    value, last["A"] = step.gradients(X, Y, Wb=W)
            except DivergenceError:
                return math.inf  # a line-search trial too far: L-BFGS-B backs off
            return value

        def on_iteration(iteration: int, value: float) -> None:
            # L-BFGS-B reports an iterate after its line search accepted it, which is the
            # point evaluated last, so last["A"] holds that iterate's outputs.
            for adopt in full_batch:  # the iterate's own statistics, for validation and callbacks
                adopt()
            cbs.on_epoch_begin(iteration)
            logs = {"loss": value}
            for name, (metric, weighted) in metric_fns.items():
                metric.reset_state()
                logs[name] = metric.update(Y, last["A"], W if weighted else None)
            if validation is not None:
                val = evaluate_batches(model.layers, validation.epoch(0), model.loss, metric_fns,
                                       model._regularization_loss())
                logs.update({f"val_{k}": v for k, v in val.items()})
            last["logs"] = logs
            cbs.on_epoch_end(iteration, logs)
            if model.stop_training:
                raise StopIteration

        cbs.on_train_begin()
        try:
            learning = [layer for layer in model.layers if layer.params and layer.trainable]
            optimizer.minimize(learning, evaluate, on_iteration)
            for adopt in full_batch:  # minimize's last evaluation is at the final iterate
                adopt()
        finally:
            cbs.on_train_end(last.get("logs", {}))
    return history
