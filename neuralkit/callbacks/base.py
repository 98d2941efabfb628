"""The base class of callbacks, and the list that dispatches each hook to every callback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..errors import DivergenceError
    from ..models.sequential import Sequential

__all__ = ["Callback", "CallbackList"]


class Callback:
    """Base class: override any of the hooks. ``self.model`` is the model being trained and
    ``self.params`` holds fit's settings ('epochs', 'steps' per epoch, 'batch_size', 'samples',
    'verbose', and 'metrics': the keys the epoch logs will have).

    ``logs`` passed to ``on_epoch_end`` hold the epoch's 'loss', each metric and, when
    validating, 'val_loss' and 'val_<metric>'; ``on_batch_end`` logs hold the batch's
    'loss', 'size' and each metric's value on the batch. Set
    ``self.model.stop_training = True`` to stop after this epoch. ``on_train_end`` always runs,
    also when fit is cut short by Ctrl-C or an exception.

    Two hooks tell what went wrong: :meth:`on_epoch_interrupted` when an epoch is cut short,
    :meth:`on_divergence` when the loss or an update becomes NaN or inf.
    """

    def __init__(self) -> None:
        self.model: Sequential | None = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Sequential) -> None:
        self.model = model

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_epoch_interrupted(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """An exception (or Ctrl-C) cut epoch ``epoch`` short; it propagates after this hook.

        ``logs`` has 'batches' (those whose update was applied), 'steps' (per epoch, or None)
        and the logs of those batches ('loss', metrics; and 'val_...' when it was the epoch's
        end, after validation, that failed). Not called when no update of the epoch was applied.
        """

    def on_divergence(self, error: DivergenceError) -> bool:
        """The loss or an update became NaN or inf (the update was undone). Return True to end
        training quietly (fit returns the History) instead of raising ``error``."""
        return False


class CallbackList:
    """Calls each hook on every callback in order."""

    def __init__(self, callbacks: list[Callback], model: Sequential, params: dict[str, Any]) -> None:
        self.callbacks = callbacks
        for callback in callbacks:
            callback.set_model(model)
            callback.params = params
        # Only callbacks that override a batch hook cost anything per batch.
        self.batch_begin = [c for c in callbacks
                            if type(c).on_batch_begin is not Callback.on_batch_begin]
        self.batch_end = [c for c in callbacks if type(c).on_batch_end is not Callback.on_batch_end]

    def on_train_begin(self) -> None:
        for i, callback in enumerate(self.callbacks):
            try:
                callback.on_train_begin({})
            except BaseException:
                # Those already begun (a CSVLogger's open file, say) are ended before raising.
                _end_all(self.callbacks[:i], {})
                raise

    def on_train_end(self, logs: dict[str, Any]) -> None:
        _end_all(self.callbacks, logs)

    def on_epoch_begin(self, epoch: int) -> None:
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, {})

    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> None:
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_epoch_interrupted(self, epoch: int, logs: dict[str, Any]) -> None:
        for callback in self.callbacks:
            callback.on_epoch_interrupted(epoch, dict(logs))

    def on_divergence(self, error: DivergenceError) -> bool:
        """Every callback hears of it; True when at least one ends training quietly."""
        quiet = [callback.on_divergence(error) for callback in self.callbacks]
        return any(quiet)


def _end_all(callbacks: list[Callback], logs: dict[str, Any]) -> None:
    """on_train_end on every callback even if one raises; the first error is re-raised."""
    error: BaseException | None = None
    for callback in callbacks:
        try:
            callback.on_train_end(logs)
        except BaseException as exc:
            error = error or exc
    if error is not None:
        raise error
