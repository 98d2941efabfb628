"""Trainer: ``fit``, ``evaluate`` and ``predict``, the training half of :class:`Sequential`.

Read top to bottom, one call is: check the arguments and the data (nothing changes before
all of it passed), wrap the data in an adapter (:mod:`.data_adapters`), build the model from
its first batch, then hand the batches to the epoch loop (:mod:`.loop`), the L-BFGS path
(:mod:`.lbfgs`) or the forward-only loop. The model side (layers, loss, optimizer, metrics,
shapes) is :class:`neuralkit.models.Sequential`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import metrics as _metrics
from .. import optimizers as _optimizers
from .._validation import check_number, check_positive_int, check_targets_for_loss, check_X, check_XY
from ..callbacks import Callback, CallbackList, History, ProgressBar
from ..losses import Loss
from . import data_adapters as _adapters
from .lbfgs import fit_lbfgs
from .loop import evaluate_batches, forward_batches, run_epochs
from .memmap import check_memmap_X, check_targets_for_rows, is_memmap
from .step import TrainStep

__all__ = ["Trainer", "DEFAULT_PREDICT_BATCH"]

#: Rows per forward pass in predict and evaluate when no batch_size is given.
DEFAULT_PREDICT_BATCH = 2048


class Trainer:
    """fit, evaluate and predict; mixed into :class:`~neuralkit.models.Sequential`."""

    def fit(self, X: Any, Y: Any = None, epochs: int = 1, batch_size: int = 32, shuffle: bool = True,
            validation_data: tuple[Any, Any] | None = None, validation_split: float = 0.0,
            verbose: int = 1, callbacks: Sequence[Callback] | None = None,
            steps_per_epoch: int | None = None) -> History:
        """Train the model.

        Each batch: forward through the layers, loss (mean over the batch), backward,
        one optimizer step. ``batch_size >= m`` is the course's batch gradient descent.

        Parameters
        ----------
        X : array-like or numpy.memmap, shape (m, n_x); or an iterable of batches
            A memmap is read batch by batch from its file (shuffled by index), never loaded
            whole. An iterable or generator yielding (X_batch, Y_batch) pairs is used as
            given (no shuffling, no validation_split), with Y None.
        Y : array-like, shape (m, n_y) or (m,)
            For categorical cross-entropy, one-hot (m, K) or integer labels (m,).
        epochs : int, default 1
        batch_size : int, default 32
            The last, smaller batch is used too.
        shuffle : bool, default True
            Reshuffle the examples (by index, with the model's generator) before each epoch
            when there is more than one batch.
        validation_data : (X_val, Y_val), optional
        validation_split : float in [0, 1), default 0
            Fraction of the examples, taken from the end before shuffling, held out for
            validation (ignored when validation_data is given).
        verbose : {0, 1, 2}, default 1
            0 silent, 1 a progress bar per epoch, 2 one line per epoch.
        callbacks : list of Callback, optional
        steps_per_epoch : int, optional
            Batches per epoch when X is an iterable of batches; required for an iterator or
            generator (drawn from continuously), optional for a re-iterable (default: one
            full pass per epoch).

        Returns
        -------
        History
            ``history.history['loss']`` etc., one value per epoch. 'loss' is the mean of the
            epoch's batch losses, each computed in the forward pass before that batch's
            update; metrics are averaged over the epoch's examples.

        Raises
        ------
        DivergenceError
            When the loss becomes NaN or inf, or an update would make a parameter NaN or
            inf; the parameters (and the optimizer state) are left as they were before that
            batch. With a :class:`~neuralkit.callbacks.TerminateOnNaN` callback, fit stops
            quietly instead and returns the History.
        KeyboardInterrupt
            Ctrl-C is never swallowed: it propagates to the caller once training has
            stopped cleanly (see Notes).

        Notes
        -----
        Stopping half-way, by Ctrl-C or by an exception from a callback, a custom layer, loss
        or optimizer: each batch's update is applied to every parameter or to none (an
        update cut short is undone), so the model is consistent and usable; ``model.history``
        holds every completed epoch and, in ``model.history.partial_epoch``, the batches of
        the unfinished epoch whose update was applied; every callback's ``on_train_end``
        runs; then the exception propagates with its own traceback.

        With the :class:`~neuralkit.optimizers.LBFGS` optimizer, fit runs one full-batch
        minimization (``epochs``, ``batch_size`` and ``shuffle`` are ignored; the optimizer's
        ``max_iter`` and ``tol`` end it) and the History has one entry per L-BFGS iteration.
        """
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        if verbose not in (0, 1, 2) or isinstance(verbose, bool):
            raise ValueError(f"verbose must be 0, 1 or 2; got {verbose!r}.")
        validation_split = check_number(validation_split, "validation_split", 0.0, 1.0,
                                        low_inclusive=True)
        callbacks = _check_callbacks(callbacks)
        self._require_layers("fit")
        loss = self._resolved_loss()
        lbfgs = isinstance(self.optimizer, _optimizers.LBFGS)
        if validation_data is not None:
            validation_split = 0.0  # validation_data wins, as in Keras
        data, validation = self._fit_data(X, Y, loss, batch_size, shuffle, steps_per_epoch,
                                          validation_split, lbfgs)
        if validation_data is not None:
            validation = self._validation_adapter(validation_data, loss)

        # Validation passed: from here on the model may change.
        self._build_layers(data.input_shape)
        self.loss = loss
        if self.optimizer is None:
            self.optimizer = _optimizers.Adam()
        metric_fns = self._metric_functions(loss, data.first_batch()[1].shape[1])
        if lbfgs:
            m = data.samples
            # One line per iteration: a progress bar over a single full batch says nothing.
            cbs = self._begin_history(callbacks, verbose, validation is not None,
                                      {"epochs": self.optimizer.max_iter, "steps": 1,
                                       "batch_size": m, "samples": m}, bar=2)
            return fit_lbfgs(self, data.X, data.Y, validation, metric_fns, cbs)
        cbs = self._begin_history(callbacks, verbose, validation is not None,
                                  {"epochs": epochs, "steps": data.steps,
                                   "batch_size": data.batch_size, "samples": data.samples})
        with TrainStep(self.layers, loss, self.optimizer) as step:
            return run_epochs(self, step, data, epochs, validation, metric_fns, cbs)

    def _fit_data(self, X: Any, Y: Any, loss: Loss, batch_size: int, shuffle: bool,
                  steps_per_epoch: int | None, validation_split: float,
                  lbfgs: bool) -> tuple[_adapters.DataAdapter, _adapters.DataAdapter | None]:
        """fit's training data, checked, as an adapter; and the part split off for validation."""
        if _adapters.is_batch_stream(X):
            if Y is not None:
                raise TypeError("fit: X is an iterable of (X_batch, Y_batch) batches, so Y must "
                                f"be None; got Y of type {type(Y).__name__}.")
            if steps_per_epoch is not None:
                steps_per_epoch = check_positive_int(steps_per_epoch, "steps_per_epoch")
            if validation_split:
                raise ValueError("validation_split needs X as an array; with an iterable of "
                                 "batches pass validation_data=(X_val, Y_val).")
            if lbfgs:
                raise ValueError("the LBFGS optimizer is full batch: it needs X and Y as arrays, "
                                 "not an iterable of batches.")
            return _adapters.BatchStreamAdapter(X, steps_per_epoch, self._pair_check(loss)), None
        if steps_per_epoch is not None:
            raise ValueError("steps_per_epoch is for X given as an iterable of (X_batch, Y_batch); "
                             f"got X of type {type(X).__name__}.")
        X, Y = self._check_xy(X, Y, loss)
        if lbfgs and is_memmap(X):
            raise ValueError("the LBFGS optimizer is full batch: it needs X in memory; got a "
                             "numpy.memmap (use a minibatch optimizer, or np.asarray(X)).")
        validation = None
        if validation_split > 0:
            n_val = int(X.shape[0] * validation_split)
            if n_val < 1 or n_val >= X.shape[0]:
                raise ValueError(
                    f"validation_split={validation_split} of {X.shape[0]} samples leaves "
                    f"{n_val} for validation and {X.shape[0] - n_val} for training; both need one."
                )
            validation = _adapters.array_adapter(X[-n_val:], Y[-n_val:], DEFAULT_PREDICT_BATCH,
                                                 self.dtype, inference=True)
            X, Y = X[:-n_val], Y[:-n_val]
        return _adapters.array_adapter(X, Y, batch_size, self.dtype, shuffle, self.rng), validation

    def _validation_adapter(self, validation_data: Any, loss: Loss) -> _adapters.DataAdapter:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError("validation_data must be a tuple (X_val, Y_val); got "
                            f"{type(validation_data).__name__}.")
        X_val, Y_val = self._check_xy(*validation_data, loss, "validation_data X",
                                      "validation_data Y")
        return _adapters.array_adapter(X_val, Y_val, DEFAULT_PREDICT_BATCH, self.dtype,
                                       inference=True)

    def _begin_history(self, callbacks: list[Callback], verbose: int, validation: bool,
                       params: dict[str, Any], bar: int | None = None) -> CallbackList:
        """A fresh History on the model, and the fit's callbacks with it and the progress bar.

        History comes after the user's callbacks (as in Keras), so it records what they add to
        the logs.
        """
        self.history = History()
        self.stop_training = False
        log_keys = ["loss", *map(_metrics.canonical_name, self.metrics)]
        if validation:
            log_keys += [f"val_{k}" for k in log_keys]
        extra = [ProgressBar(bar or verbose)] if verbose else []
        return CallbackList([*callbacks, self.history, *extra], self,
                            {**params, "verbose": verbose, "metrics": log_keys})

    # ------------------------------------------------------------------ inference
    def predict(self, X: Any, batch_size: int | None = None, steps: int | None = None) -> np.ndarray:
        """Outputs A_L for X (m, n_x), computed in batches; returns (m, n_out) in the model's dtype.

        X may be a numpy.memmap (read in chunks from its file) or an iterable of batches, each
        an X batch or a tuple whose first element is one; ``steps`` caps the batches read.
        """
        self._require_layers("predict")
        data = self._inference_data("predict", X, None, batch_size, steps, None)
        self._build_layers(data.input_shape)
        outputs = (A for _, _, A, _ in forward_batches(self.layers, data.epoch(0), fused=False))
        if data.samples is None:  # an iterable: the batches' outputs, copied as they come
            return np.concatenate([A.copy() for A in outputs])
        out = np.empty((data.samples, *self.layers[-1].output_shape), dtype=self.dtype)
        start = 0
        for A in outputs:
            out[start:start + A.shape[0]] = A
            start += A.shape[0]
        return out

    def evaluate(self, X: Any, Y: Any = None, batch_size: int | None = None,
                 steps: int | None = None) -> dict[str, float]:
        """Loss and metrics over (X, Y), computed in batches.

        X may be a numpy.memmap (read in chunks) or an iterable of (X_batch, Y_batch) pairs
        with Y None; ``steps`` caps the batches read from it.

        Returns
        -------
        dict
            ``{'loss': ..., '<metric>': ...}``: the mean loss over all examples (plus any
            regularization penalty) and each compiled metric.
        """
        self._require_layers("evaluate")
        loss = self._resolved_loss()
        data = self._inference_data("evaluate", X, Y, batch_size, steps, loss)
        self._build_layers(data.input_shape)
        metric_fns = self._metric_functions(loss, data.first_batch()[1].shape[1])
        return evaluate_batches(self.layers, data.epoch(0), loss, metric_fns,
                                self._regularization_loss())

    def _inference_data(self, what: str, X: Any, Y: Any, batch_size: int | None,
                        steps: int | None, loss: Loss | None) -> _adapters.DataAdapter:
        """The data of predict (``loss`` None: X only) or evaluate, checked, as an adapter."""
        if _adapters.is_batch_stream(X):
            if loss is not None and Y is not None:
                raise TypeError(f"{what}: X is an iterable of (X_batch, Y_batch) batches, so Y "
                                f"must be None; got Y of type {type(Y).__name__}.")
            if steps is not None:
                steps = check_positive_int(steps, "steps")
            check = self._pair_check(loss) if loss is not None else self._input_check
            return _adapters.OnePassAdapter(X, steps, check)
        if steps is not None:
            raise ValueError(f"steps is for X given as an iterable of batches; got X of type "
                             f"{type(X).__name__}.")
        if loss is None:
            X = (check_memmap_X(X, "X", self.input_dim) if is_memmap(X)
                 else check_X(X, "X", self.dtype, self.input_dim))
        else:
            X, Y = self._check_xy(X, Y, loss)
        batch_size = DEFAULT_PREDICT_BATCH if batch_size is None else check_positive_int(
            batch_size, "batch_size")
        return _adapters.array_adapter(X, Y, batch_size, self.dtype, inference=True)

    # ------------------------------------------------------------------ data checks
    def _check_xy(self, X: Any, Y: Any, loss: Loss, x_name: str = "X",
                  y_name: str = "Y") -> tuple[np.ndarray, np.ndarray]:
        """(X, Y) checked against the model and the loss, in the model's dtype, Y (m, n_out)."""
        if is_memmap(X):  # checked in chunks, never loaded whole; Y is read into memory
            X = check_memmap_X(X, x_name, self.input_dim)
            Y = check_targets_for_rows(Y, X.shape[0], self.dtype, x_name, y_name)
        else:
            X, Y = check_XY(X, Y, self.dtype, self.input_dim, x_name, y_name)
        output_shape = self._output_shape_for(X.shape[1:])
        if len(output_shape) != 1:
            raise ValueError(f"the model's outputs have shape {output_shape} per example; the "
                             "losses take vectors (n_out,). End the model with a layer that "
                             "outputs one.")
        Y = check_targets_for_loss(Y, getattr(loss, "name", ""), output_shape[0], y_name)
        return X, Y

    def _pair_check(self, loss: Loss) -> _adapters.Check:
        """Checks one (X_batch, Y_batch) item of an iterable given to fit or evaluate."""

        def check(item: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
            Xb, Yb = _adapters.split_batch(item, where)
            return self._check_xy(Xb, Yb, loss, f"{where} X_batch", f"{where} Y_batch")

        return check

    def _input_check(self, item: Any, where: str) -> tuple[np.ndarray, None]:
        """Checks one item of an iterable given to predict: an X batch, or a tuple led by one."""
        return check_X(_adapters.input_of(item), where, self.dtype, self.input_dim), None


def _check_callbacks(callbacks: Any) -> list[Callback]:
    if isinstance(callbacks, Callback) or (callbacks is not None
                                           and not isinstance(callbacks, (list, tuple))):
        raise TypeError(f"callbacks must be a list of Callback instances; got "
                        f"{type(callbacks).__name__}. Pass a list: callbacks=[...].")
    callbacks = list(callbacks or [])
    for callback in callbacks:
        if not isinstance(callback, Callback):
            raise TypeError(f"callbacks must be Callback instances; got {type(callback).__name__}.")
    return callbacks
