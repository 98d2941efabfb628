"""LambdaCallback: a callback made of plain functions, one per hook (Keras's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._validation import _did_you_mean
from .base import Callback

__all__ = ["LambdaCallback"]

#: Every hook a LambdaCallback can be given, with the arguments it is called with.
HOOKS = {
    "on_train_begin": "logs", "on_train_end": "logs",
    "on_epoch_begin": "epoch, logs", "on_epoch_end": "epoch, logs",
    "on_train_batch_begin": "batch, logs", "on_train_batch_end": "batch, logs",
    "on_batch_begin": "batch, logs", "on_batch_end": "batch, logs",
    "on_test_begin": "logs", "on_test_end": "logs",
    "on_test_batch_begin": "batch, logs", "on_test_batch_end": "batch, logs",
    "on_predict_begin": "logs", "on_predict_end": "logs",
    "on_predict_batch_begin": "batch, logs", "on_predict_batch_end": "batch, logs",
    "on_epoch_interrupted": "epoch, logs", "on_divergence": "error",
}


class LambdaCallback(Callback):
    """A callback whose hooks are the functions given, called positionally as the hooks are.

    Parameters
    ----------
    on_epoch_begin, on_epoch_end : callable ``(epoch, logs)``, optional
    on_train_begin, on_train_end : callable ``(logs)``, optional
    on_train_batch_begin, on_train_batch_end : callable ``(batch, logs)``, optional
    **kwargs : callable
        Any other hook of :class:`Callback` by its name: ``on_test_end=lambda logs: ...``,
        ``on_predict_batch_end=lambda batch, logs: ...``, ``on_batch_end`` (the older name of
        ``on_train_batch_end``), ``on_divergence=lambda error: True``, ...

    A hook not given does nothing; the per-batch ones cost nothing unless given.

    Examples
    --------
    >>> losses = []
    >>> record = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
    """

    def __init__(self, on_epoch_begin: Callable[..., Any] | None = None,
                 on_epoch_end: Callable[..., Any] | None = None,
                 on_train_begin: Callable[..., Any] | None = None,
                 on_train_end: Callable[..., Any] | None = None,
                 on_train_batch_begin: Callable[..., Any] | None = None,
                 on_train_batch_end: Callable[..., Any] | None = None,
                 **kwargs: Callable[..., Any] | None) -> None:
        super().__init__()
        given = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end, **kwargs}
        for name, function in given.items():
            if name not in HOOKS:
                raise TypeError(f"LambdaCallback: {name!r} is not a callback hook"
                                f"{_did_you_mean(name, HOOKS)}; the hooks are {sorted(HOOKS)}.")
            if function is None:
                continue
            if not callable(function):
                raise TypeError(f"LambdaCallback: {name} must be a function ({HOOKS[name]}); "
                                f"got {function!r} ({type(function).__name__}).")
            setattr(self, name, function)  # the instance's own hook, as Keras's

    def __repr__(self) -> str:
        hooks = [name for name in HOOKS if name in self.__dict__]
        return f"LambdaCallback({', '.join(hooks)})"
