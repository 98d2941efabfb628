"""The epoch loop of fit, and the forward-only loop of evaluate, predict and validation.

Both read batches from a data adapter and add up the loss and metrics in one
:class:`Accumulator`. The loop talks to callbacks only through :class:`CallbackList`: a cut
short epoch goes to ``on_epoch_interrupted``, a divergence to ``on_divergence``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ..callbacks import CallbackList, History
from ..errors import DivergenceError
from ..layers.base import Layer
from ..losses import Loss
from ..metrics import Metric
from .data_adapters import Batch, DataAdapter
from .head import head_of
from .step import TrainStep

__all__ = ["Accumulator", "run_epochs", "forward_batches", "evaluate_batches"]

#: Metrics by log key, each with whether sample weights apply to it (Keras's weighted_metrics).
Metrics = dict[str, tuple[Metric, bool]]


class Accumulator:
    """Running sums of the loss and the metrics over the batches of an epoch or an evaluation.

    fit's epoch loss is the mean of the batch losses; evaluate's is the mean over examples.
    Each metric object is reset here and updated with every batch: its ``result()`` covers
    every example seen.
    """

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self.loss_sum = 0.0              # sum of batch losses
        self.weighted_loss_sum = 0.0     # sum of batch loss x batch size
        self.batches = self.samples = 0
        for metric, _ in metrics.values():
            metric.reset_state()

    def add(self, loss: float, A: np.ndarray, Y: np.ndarray, W: np.ndarray | None = None,
            weighted: bool = False) -> dict[str, float]:
        """Count one batch (A the outputs, Y the targets, W the sample weights); returns each
        metric on the batch."""
        n = Y.shape[0]
        if weighted:
            self.weighted_loss_sum += loss * n
        else:
            self.loss_sum += loss
        self.batches += 1
        self.samples += n
        if not self.metrics:  # the comprehension's call alone is 0.15 us a batch
            return {}
        return {name: metric.update(Y, A, W if takes_weights else None)
                for name, (metric, takes_weights) in self.metrics.items()}

    def epoch_logs(self) -> dict[str, float]:
        """fit's logs: the loss averaged over batches, the metrics over examples."""
        logs = {"loss": self.loss_sum / self.batches}
        logs.update({name: metric.result() for name, (metric, _) in self.metrics.items()})
        return logs

    def evaluation(self, penalty: float) -> dict[str, float]:
        """evaluate's results: the loss averaged over examples plus ``penalty``, the metrics."""
        results = {"loss": self.weighted_loss_sum / self.samples + penalty}
        results.update({name: metric.result() for name, (metric, _) in self.metrics.items()})
        return results


def run_epochs(model: Any, step: TrainStep, data: DataAdapter, epochs: int,
               validation: DataAdapter | None, metrics: Metrics, cbs: CallbackList,
               initial_epoch: int = 0, validation_freq: int = 1) -> History:
    """Train ``model`` for epochs ``initial_epoch`` to ``epochs - 1`` of ``data``; returns
    ``model.history``.

    Each epoch: ``on_epoch_begin``, the training steps, the validation pass (every
    ``validation_freq`` epochs), ``on_epoch_end``. An epoch cut short (an exception, Ctrl-C) is
    reported to ``on_epoch_interrupted`` and the exception propagates, unless it is a
    DivergenceError that a callback takes (``on_divergence`` returning True): then training
    ends quietly. ``on_train_end`` always runs.
    """
    history = model.history
    cbs.on_train_begin()
    logs: dict[str, Any] = {}
    try:
        with step.guard.holding_interrupts():
            for epoch in range(initial_epoch, epochs):
                cbs.on_epoch_begin(epoch)
                logs, done = _train_epoch(step, data.epoch(epoch), data.steps, metrics, cbs, epoch)
                try:
                    if validation is not None and (epoch + 1) % validation_freq == 0:
                        val = evaluate_batches(model.layers, validation.epoch(0), step.loss,
                                               metrics, model._regularization_loss(), cbs)
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


def _train_epoch(step: TrainStep, batches: Iterable[Batch], steps: int | None, metrics: Metrics,
                 cbs: CallbackList, epoch: int) -> tuple[dict[str, float], int]:
    """One epoch of training steps; returns its logs and the number of batches."""
    totals = Accumulator(metrics)
    begin, end = cbs.batch_begin, cbs.batch_end
    try:
        for index, (Xb, Yb, Wb) in enumerate(batches):
            for callback in begin:
                callback.on_train_batch_begin(index, {"size": Xb.shape[0]})
            # Overflow in a diverging step is reported as a DivergenceError (non-finite
            # loss or parameter), not as RuntimeWarnings from deep inside a layer; underflow
            # to 0 (exp of a very negative logit) is the right answer, never an error.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                batch_loss, A = step(Xb, Yb, epoch, index, Wb)
            values = totals.add(batch_loss, A, Yb, Wb)  # counts the batch: its update is applied
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


def forward_batches(layers: Sequence[Layer], batches: Iterable[Batch], loss: Loss | None = None,
                    before: Callable[[int, int], None] | None = None
                    ) -> Iterator[tuple[Batch, np.ndarray, np.ndarray, float | None]]:
    """Yield (batch, outputs, probabilities for the metrics, loss) batch by batch, in inference
    mode; the loss (with ``loss`` given, see :class:`~neuralkit.training.head.Head`) or None.
    ``before(index, size)`` runs before each batch's forward pass."""
    head = head_of(list(layers), loss)
    body = layers[:-1]
    try:
        for index, batch in enumerate(batches):
            Xb, Yb, Wb = batch
            if before is not None:
                before(index, Xb.shape[0])
            with np.errstate(under="ignore"):  # underflow to 0 is the right answer
                A = Xb
                for layer in body:
                    A = layer.forward(A, False)
                out, probabilities, value = head.inference(A, loss, None if loss is None else Yb, Wb)
            yield batch, out, probabilities, value
    finally:
        for layer in layers:  # inference must not pin the last batch in memory
            layer.clear_cache()
            activation = getattr(layer, "activation", None)
            if activation is not None:
                activation.clear_cache()


def evaluate_batches(layers: Sequence[Layer], batches: Iterable[Batch], loss: Loss,
                     metrics: Metrics, penalty: float, cbs: CallbackList | None = None
                     ) -> dict[str, float]:
    """Loss (mean over examples, plus ``penalty``) and metrics of the model over ``batches``;
    the ``on_test_*`` hooks of ``cbs`` around them."""
    totals = Accumulator(metrics)
    hooked = cbs.test_batch if cbs is not None else []

    def before(index: int, size: int) -> None:
        for callback in hooked:
            callback.on_test_batch_begin(index, {"size": size})

    if cbs is not None:
        cbs.on_test_begin()
    try:
        evaluated = forward_batches(layers, batches, loss, before if hooked else None)
        for index, ((Xb, Yb, Wb), _, A, value) in enumerate(evaluated):
            values = totals.add(value, A, Yb, Wb, weighted=True)
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
