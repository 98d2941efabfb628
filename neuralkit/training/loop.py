"""The epoch loop of fit, and the forward-only loop of evaluate, predict and validation.

Both read batches from a data adapter and add up the loss and metrics in one
:class:`Accumulator`. The loop talks to callbacks only through :class:`CallbackList`: a cut
short epoch goes to ``on_epoch_interrupted``, a divergence to ``on_divergence``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ..callbacks import CallbackList, History
from ..errors import DivergenceError
from ..layers.base import Layer
from ..losses import Loss
from ..metrics import Metric
from .data_adapters import Batch, DataAdapter
from .step import TrainStep

__all__ = ["Accumulator", "run_epochs", "forward_batches", "evaluate_batches"]


class Accumulator:
    """Running sums of the loss and the metrics over the batches of an epoch or an evaluation.

    fit's epoch loss is the mean of the batch losses; evaluate's is the mean over examples.
    Each metric object is reset here and updated with every batch: its ``result()`` covers
    every example seen.
    """

    def __init__(self, metric_fns: dict[str, Metric]) -> None:
        self.metric_fns = metric_fns
        self.loss_sum = 0.0              # sum of batch losses
        self.weighted_loss_sum = 0.0     # sum of batch loss x batch size
        self.batches = self.samples = 0
        for metric in metric_fns.values():
            metric.reset_state()

    def add(self, loss: float, A: np.ndarray, Y: np.ndarray, weighted: bool = False
            ) -> dict[str, float]:
        """Count one batch (A the outputs, Y the targets); returns each metric on the batch."""
        n = Y.shape[0]
        if weighted:
            self.weighted_loss_sum += loss * n
        else:
            self.loss_sum += loss
        self.batches += 1
        self.samples += n
        return {name: metric.update(Y, A) for name, metric in self.metric_fns.items()}

    def epoch_logs(self) -> dict[str, float]:
        """fit's logs: the loss averaged over batches, the metrics over examples."""
        logs = {"loss": self.loss_sum / self.batches}
        logs.update({name: metric.result() for name, metric in self.metric_fns.items()})
        return logs

    def evaluation(self, penalty: float) -> dict[str, float]:
        """evaluate's results: the loss averaged over examples plus ``penalty``, the metrics."""
        results = {"loss": self.weighted_loss_sum / self.samples + penalty}
        results.update({name: metric.result() for name, metric in self.metric_fns.items()})
        return results


def run_epochs(model: Any, step: TrainStep, data: DataAdapter, epochs: int,
               validation: DataAdapter | None, metric_fns: dict[str, Metric],
               cbs: CallbackList) -> History:
    """Train ``model`` for ``epochs`` epochs of ``data``; returns ``model.history``.

    Each epoch: ``on_epoch_begin``, the training steps, the validation pass, ``on_epoch_end``.
    An epoch cut short (an exception, Ctrl-C) is reported to ``on_epoch_interrupted`` and the
    exception propagates, unless it is a DivergenceError that a callback takes
    (``on_divergence`` returning True): then training ends quietly. ``on_train_end`` always
    runs.
    """
    history = model.history
    cbs.on_train_begin()
    logs: dict[str, Any] = {}
    try:
        with step.guard.holding_interrupts():
            for epoch in range(epochs):
                cbs.on_epoch_begin(epoch)
                logs, done = _train_epoch(step, data.epoch(epoch), data.steps, metric_fns, cbs,
                                          epoch)
                try:
                    if validation is not None:
                        val = evaluate_batches(model.layers, validation.epoch(0), step.loss,
                                               metric_fns, model._regularization_loss(), cbs)
                        logs.update({f"val_{k}": v for k, v in val.items()})
                    cbs.on_epoch_end(epoch, logs)
                except BaseException:
                    cbs.on_epoch_interrupted(epoch, {"batches": done, "steps": data.steps, **logs})
                    raise
                if model.stop_training:
                    break
    except DivergenceError as error:
        if not cbs.on_divergence(error):
            raise
        model.stop_training = True
    finally:
        cbs.on_train_end(logs)
    return history


def _train_epoch(step: TrainStep, batches: Iterable[Batch], steps: int | None,
                 metric_fns: dict[str, Metric], cbs: CallbackList, epoch: int
                 ) -> tuple[dict[str, float], int]:
    """One epoch of training steps; returns its logs and the number of batches."""
    totals = Accumulator(metric_fns)
    begin, end = cbs.batch_begin, cbs.batch_end
    try:
        for index, (Xb, Yb) in enumerate(batches):
            for callback in begin:
                callback.on_train_batch_begin(index, {"size": Xb.shape[0]})
            # Overflow in a diverging step is reported as a DivergenceError (non-finite
            # loss or parameter), not as RuntimeWarnings from deep inside a layer.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                batch_loss, A = step(Xb, Yb, epoch, index)
            values = totals.add(batch_loss, A, Yb)  # counts the batch: its update is applied
            step.raise_held_interrupt()  # a Ctrl-C held while the update was written
            if end:
                batch_logs = {"loss": batch_loss, "size": Xb.shape[0]}
                batch_logs.update(values)
                for callback in end:
                    callback.on_train_batch_end(index, batch_logs)
    except BaseException:
        if totals.batches:
            cbs.on_epoch_interrupted(epoch, {"batches": totals.batches, "steps": steps,
                                             **totals.epoch_logs()})
        raise
    return totals.epoch_logs(), totals.batches


def forward_batches(layers: Sequence[Layer], batches: Iterable[Batch], fused: bool
                    ) -> Iterator[tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray | None]]:
    """Yield (X_batch, Y_batch, A_L, Z_L or None) batch by batch, in inference mode.

    With ``fused``, Z_L is the last layer's input, which the fused loss takes.
    """
    head = layers[:-1] if fused else layers
    last = layers[-1]
    try:
        for Xb, Yb in batches:
            A = Xb
            for layer in head:
                A = layer.forward(A, False)
            Z = None
            if fused:
                Z, A = A, last.forward(A, False)
            yield Xb, Yb, A, Z
    finally:
        for layer in layers:  # inference must not pin the last batch in memory
            layer.clear_cache()


def evaluate_batches(layers: Sequence[Layer], batches: Iterable[Batch], loss: Loss,
                     metric_fns: dict[str, Metric], penalty: float,
                     cbs: CallbackList | None = None) -> dict[str, float]:
    """Loss (mean over examples, plus ``penalty``) and metrics of the model over ``batches``;
    the ``on_test_*`` hooks of ``cbs`` around them."""
    fused = loss.fuses_with(layers[-1])
    totals = Accumulator(metric_fns)
    hooked = cbs.test_batch if cbs is not None else []
    if cbs is not None:
        cbs.on_test_begin()
    try:
        for index, (Xb, Yb, A, Z) in enumerate(forward_batches(layers, batches, fused)):
            for callback in hooked:
                callback.on_test_batch_begin(index, {"size": Xb.shape[0]})
            value = loss.forward_logits(Z, Yb, A) if fused else loss.forward(A, Yb)
            values = totals.add(value, A, Yb, weighted=True)
            for callback in hooked:
                callback.on_test_batch_end(index, {"loss": value, "size": Xb.shape[0], **values})
        results = totals.evaluation(penalty)
    except BaseException:
        if cbs is not None:
            cbs.on_test_end({})
        raise
    if cbs is not None:
        cbs.on_test_end(dict(results))
    return results
