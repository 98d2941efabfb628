"""The base class of callbacks, and the list that dispatches each hook to every callback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..errors import DivergenceError
    from ..models.sequential import Sequential

__all__ = ["Callback", "CallbackList"]

Logs = dict[str, Any]


class Callback:
    """Base class: override any of the hooks. ``self.model`` is the model being trained and
    ``self.params`` holds fit's settings ('epochs', 'steps' per epoch, 'batch_size', 'samples',
    'verbose', and 'metrics': the keys the epoch logs will have).

    ``logs`` passed to ``on_epoch_end`` hold the epoch's 'loss', each metric and, when
    validating, 'val_loss' and 'val_<metric>'; ``on_train_batch_end`` logs hold the batch's
    'loss', 'size' and each metric's value on the batch (Keras gives running means there).
    Set ``self.model.stop_training = True`` to stop after this epoch. ``on_train_end`` always
    runs, also when fit is cut short by Ctrl-C or an exception.

    The hooks are Keras's: ``on_train_*``, ``on_epoch_*``, ``on_train_batch_*`` (whose default
    calls ``on_batch_*``, their older names), and ``on_test_*`` / ``on_predict_*`` for
    evaluate (and fit's validation) and predict. Two more tell what went wrong:
    :meth:`on_epoch_interrupted` when an epoch is cut short, :meth:`on_divergence` when the
    loss or an update becomes NaN or inf.
    """

    def __init__(self) -> None:
        self.model: Sequential | None = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Sequential) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    # ------------------------------------------------------------------ fit
    def on_train_begin(self, logs: Logs | None = None) -> None:
        pass

    def on_train_end(self, logs: Logs | None = None) -> None:
        pass

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        pass

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """The older name of :meth:`on_train_batch_begin`."""

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """The older name of :meth:`on_train_batch_end`."""

    # ------------------------------------------------------------------ evaluate, predict
    def on_test_begin(self, logs: Logs | None = None) -> None:
        pass

    def on_test_end(self, logs: Logs | None = None) -> None:
        """``logs``: the evaluation's results ('loss', metrics)."""

    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        pass

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        pass

    def on_predict_begin(self, logs: Logs | None = None) -> None:
        pass

    def on_predict_end(self, logs: Logs | None = None) -> None:
        pass

    def on_predict_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        pass

    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """``logs``: {'outputs': the batch's outputs, 'size': its number of examples}."""

    # ------------------------------------------------------------------ what went wrong
    def on_epoch_interrupted(self, epoch: int, logs: Logs | None = None) -> None:
        """An exception (or Ctrl-C) cut epoch ``epoch`` short; it propagates after this hook.

        ``logs`` has 'batches' (those whose update was applied), 'steps' (per epoch, or None)
        and the logs of those batches ('loss', metrics; and 'val_...' when it was the epoch's
        end, after validation, that failed). Not called when no update of the epoch was applied.
        """

    def on_divergence(self, error: DivergenceError) -> bool:
        """The loss or an update became NaN or inf (the update was undone). Return True to end
        training quietly (fit returns the History) instead of raising ``error``."""
        return False


def _overrides(callback: Callback, *names: str) -> bool:
    """Whether ``callback``'s class, or the instance itself (a LambdaCallback's functions),
    replaces one of the hooks ``names``."""
    own = getattr(callback, "__dict__", {})
    return any(name in own or getattr(type(callback), name) is not getattr(Callback, name)
               for name in names)


class CallbackList:
    """Calls each hook on every callback in order.

    The per-batch hooks go only to the callbacks that override them (``batch_begin``,
    ``batch_end``, ``test_batch``, ``predict_batch``), so a callback without one costs nothing
    per batch.
    """

    def __init__(self, callbacks: list[Callback], model: Sequential, params: dict[str, Any]) -> None:
        self.callbacks = callbacks
        for callback in callbacks:
            callback.set_model(model)
            callback.set_params(params)
        self.batch_begin = [c for c in callbacks
                            if _overrides(c, "on_train_batch_begin", "on_batch_begin")]
        self.batch_end = [c for c in callbacks if _overrides(c, "on_train_batch_end", "on_batch_end")]
        self.test_batch = [c for c in callbacks
                           if _overrides(c, "on_test_batch_begin", "on_test_batch_end")]
        self.predict_batch = [c for c in callbacks
                              if _overrides(c, "on_predict_batch_begin", "on_predict_batch_end")]

    def on_train_begin(self) -> None:
        _begin_all(self.callbacks, "on_train_begin")

    def on_train_end(self, logs: Logs) -> None:
        _end_all(self.callbacks, "on_train_end", logs)

    def on_epoch_begin(self, epoch: int) -> None:
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, {})

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_test_begin(self) -> None:
        _begin_all(self.callbacks, "on_test_begin")

    def on_test_end(self, logs: Logs) -> None:
        _end_all(self.callbacks, "on_test_end", logs)

    def on_predict_begin(self) -> None:
        _begin_all(self.callbacks, "on_predict_begin")

    def on_predict_end(self) -> None:
        _end_all(self.callbacks, "on_predict_end", {})

    def on_epoch_interrupted(self, epoch: int, logs: Logs) -> None:
        for callback in self.callbacks:
            callback.on_epoch_interrupted(epoch, dict(logs))

    def on_divergence(self, error: DivergenceError) -> bool:
        """Every callback hears of it; True when at least one ends training quietly."""
        quiet = [callback.on_divergence(error) for callback in self.callbacks]
        return any(quiet)


def _begin_all(callbacks: list[Callback], hook: str) -> None:
    """``hook({})`` on each callback; if one raises, those already begun are ended first."""
    end = hook.replace("_begin", "_end")
    for i, callback in enumerate(callbacks):
        try:
            getattr(callback, hook)({})
        except BaseException:
            # Those already begun (a CSVLogger's open file, say) are ended before raising.
            _end_all(callbacks[:i], end, {})
            raise


def _end_all(callbacks: list[Callback], hook: str, logs: Logs) -> None:
    """``hook(logs)`` on every callback even if one raises; the first error is re-raised."""
    error: BaseException | None = None
    for callback in callbacks:
        try:
            getattr(callback, hook)(logs)
        except BaseException as exc:
            error = error or exc
    if error is not None:
        raise error
