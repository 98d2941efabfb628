"""Trainer: ``fit``, ``evaluate`` and ``predict``, the training half of :class:`Sequential`.

Read top to bottom, one call is: check the arguments and the data (nothing changes before
all of it passed, :mod:`.checks`), wrap the data in an adapter (:mod:`.data_adapters`), build
the model from its first batch, then hand the batches to the epoch loop (:mod:`.loop`), the
L-BFGS path (:mod:`.lbfgs`) or the forward-only loop. The model side (layers, loss, optimizer,
metrics, shapes) is :class:`neuralkit.models.Sequential`'s. The arguments are Keras 3's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import optimizers as _optimizers
from .._validation import check_int, check_number, check_positive_int
from ..callbacks import Callback, CallbackList, History, ProgressBar
from . import checks
from . import data_adapters as _adapters
from .checks import DEFAULT_BATCH, DEFAULT_PREDICT_BATCH
from .lbfgs import fit_lbfgs
from .loop import evaluate_batches, forward_batches, run_epochs
from .on_batch import OnBatch
from .step import TrainStep

__all__ = ["Trainer", "DEFAULT_BATCH", "DEFAULT_PREDICT_BATCH"]


class Trainer(checks.DataChecks, OnBatch):
    """fit, evaluate, predict and their one-batch forms; mixed into
    :class:`~neuralkit.models.Sequential`."""

    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: int | str | bool = "auto", callbacks: Sequence[Callback] | None = None,
            validation_split: float = 0.0, validation_data: tuple[Any, ...] | None = None,
            shuffle: bool = True, class_weight: dict[int, float] | None = None,
            sample_weight: Any = None, initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: int = 1) -> History:
        """Train the model (Keras's arguments, Keras's order).

        Each batch: forward through the layers, loss (mean over the batch), backward,
        one optimizer step. ``batch_size >= m`` is the course's batch gradient descent.

        Parameters
        ----------
        x : array-like or numpy.memmap, shape (m, n_x); or an iterable of batches
            A memmap is read batch by batch from its file (shuffled by index), never loaded
            whole. An iterable or generator yielding (X_batch, Y_batch) pairs, or triples with
            the batch's sample weights, is used as given (no shuffling, no
            validation_split), with y None.
        y : array-like, shape (m, n_y) or (m,)
            For the categorical cross-entropy, one-hot (m, K) or integer labels (m,).
        batch_size : int, default 32
            The last, smaller batch is used too.
        epochs : int, default 1
            The index of the last epoch plus one (with ``initial_epoch``, as in Keras).
        verbose : 'auto', 0, 1 or 2, default 'auto'
            0 silent, 1 a progress bar per epoch, 2 one line per epoch; 'auto' is 1 when
            standard output is a terminal, else 2.
        callbacks : list of Callback, optional
        validation_split : float in [0, 1), default 0
            Fraction of the examples (and weights), taken from the end before shuffling, held
            out for validation (ignored when validation_data is given).
        validation_data : (x_val, y_val) or (x_val, y_val, sample_weight_val), optional
        shuffle : bool, default True
            Reshuffle the examples (by index, with the model's generator) before each epoch
            when there is more than one batch.
        class_weight : dict {class index: weight}, optional
            Weights each example's loss by its class's weight (the arg-max of a one-hot
            target, else the rounded target); not together with ``sample_weight``.
        sample_weight : array (m,), optional
            Each example's loss is multiplied by its weight; the batch loss stays a mean over
            the batch's examples (Keras's ``sum_over_batch_size``). Metrics listed in
            ``compile(weighted_metrics=...)`` are weighted too.
        initial_epoch : int, default 0
            The epoch to start at (resuming a run): epochs initial_epoch .. epochs - 1 run.
        steps_per_epoch : int, optional
            Batches per epoch when x is an iterable of batches; required for an iterator or
            generator (drawn from continuously), optional for a re-iterable (default: one
            full pass per epoch).
        validation_steps : int, optional
            Batches of an iterable given as validation data to evaluate (default: all).
        validation_batch_size : int, optional
            Rows per validation pass (default 2048).
        validation_freq : int, default 1
            Validate after every validation_freq-th epoch.

        Returns
        -------
        History
            ``history.history['loss']`` etc., one value per epoch. 'loss' is the mean of the
            epoch's batch losses, each computed in the forward pass before that batch's
            update; metrics are computed over the epoch's examples.

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
        batch_size = DEFAULT_BATCH if batch_size is None else check_positive_int(batch_size,
                                                                                 "batch_size")
        verbose = checks.resolve_verbose(verbose)
        validation_split = check_number(validation_split, "validation_split", 0.0, 1.0,
                                        low_inclusive=True)
        initial_epoch = check_int(initial_epoch, "initial_epoch", 0)
        if initial_epoch >= epochs:
            raise ValueError(f"initial_epoch={initial_epoch} leaves no epoch to run: fit runs "
                             f"epochs initial_epoch .. epochs - 1; got epochs={epochs}.")
        validation_freq = check_positive_int(validation_freq, "validation_freq")
        callbacks = checks.callback_list(callbacks)
        self._require_layers("fit")
        loss = self._resolved_loss()
        lbfgs = isinstance(self.optimizer, _optimizers.LBFGS)
        if validation_data is not None:
            validation_split = 0.0  # validation_data wins, as in Keras
        data, validation = self._fit_data(x, y, loss, batch_size, shuffle, steps_per_epoch,
                                          validation_split, lbfgs, sample_weight, class_weight)
        val_batch = (DEFAULT_PREDICT_BATCH if validation_batch_size is None
                     else check_positive_int(validation_batch_size, "validation_batch_size"))
        if validation_data is not None:
            validation = self._validation_adapter(validation_data, loss, val_batch,
                                                  validation_steps)
        self._check_probability_output(loss, data.input_shape)

        # Validation passed: from here on the model may change.
        self._build_layers(data.input_shape)
        self.loss = loss
        if self.optimizer is None:
            self.optimizer = _optimizers.Adam()
        metrics = self._metric_functions(loss, data.first_batch()[1].shape[1])
        if lbfgs:
            m = data.samples
            # One line per iteration: a progress bar over a single full batch says nothing.
            cbs = self._begin_history(callbacks, verbose, validation is not None,
                                      {"epochs": self.optimizer.max_iter, "steps": 1,
                                       "batch_size": m, "samples": m}, bar=2 if verbose else 0)
            return fit_lbfgs(self, data.X, data.Y, data.W, validation, metrics, cbs)
        cbs = self._begin_history(callbacks, verbose, validation is not None,
                                  {"epochs": epochs, "steps": data.steps,
                                   "batch_size": data.batch_size, "samples": data.samples})
        with TrainStep(self.layers, loss, self.optimizer) as step:
            return run_epochs(self, step, data, epochs, validation, metrics, cbs, initial_epoch,
                              validation_freq)

    def _begin_history(self, callbacks: list[Callback], verbose: int, validation: bool,
                       params: dict[str, Any], bar: int | None = None) -> CallbackList:
        """A fresh History on the model, and the fit's callbacks with it and the progress bar.

        History comes after the user's callbacks (as in Keras), so it records what they add to
        the logs.
        """
        self.history = History()
        self.stop_training = False
        log_keys = ["loss", *(name for name, _, _ in self._metric_entries())]
        if validation:
            log_keys += [f"val_{k}" for k in log_keys]
        bar = verbose if bar is None else bar
        extra = [ProgressBar(bar)] if bar else []
        return CallbackList([*callbacks, self.history, *extra], self,
                            {**params, "verbose": verbose, "metrics": log_keys})

    # ------------------------------------------------------------------ inference
    def predict(self, x: Any, batch_size: int | None = None, verbose: int | str | bool = "auto",
                steps: int | None = None, callbacks: Sequence[Callback] | None = None
                ) -> np.ndarray:
        """Outputs A_L for x (m, n_x), computed in batches; returns (m, n_out) in the model's dtype.

        x may be a numpy.memmap (read in chunks from its file) or an iterable of batches, each
        an X batch or a tuple whose first element is one; ``steps`` caps the batches read.
        The outputs are the last layer's: logits for a model trained with ``from_logits``.
        """
        verbose = checks.resolve_verbose(verbose)
        callbacks = checks.callback_list(callbacks)
        self._require_layers("predict")
        data = self._inference_data("predict", x, None, batch_size, steps, None, None)
        self._build_layers(data.input_shape)
        cbs = self._inference_callbacks(callbacks, verbose, data)
        hooked = cbs.predict_batch

        def before(index: int, size: int) -> None:
            for callback in hooked:
                callback.on_predict_batch_begin(index, {"size": size})

        cbs.on_predict_begin()
        try:
            pieces = []
            out = None if data.samples is None else np.empty(
                (data.samples, *self.layers[-1].output_shape), dtype=self.dtype)
            start = 0
            batches = forward_batches(self.layers, data.epoch(0), None, before if hooked else None)
            for index, (_, A, _, _) in enumerate(batches):
                if out is None:  # an iterable: the batches' outputs, copied as they come
                    pieces.append(A.copy())
                else:
                    out[start:start + A.shape[0]] = A
                start += A.shape[0]
                for callback in hooked:
                    callback.on_predict_batch_end(index, {"outputs": A, "size": A.shape[0]})
        finally:
            cbs.on_predict_end()
        return np.concatenate(pieces) if out is None else out

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: int | str | bool = "auto", sample_weight: Any = None,
                 steps: int | None = None, callbacks: Sequence[Callback] | None = None,
                 return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """Loss and metrics over (x, y), computed in batches (Keras's arguments).

        x may be a numpy.memmap (read in chunks) or an iterable of (X_batch, Y_batch) pairs
        (or triples with sample weights) with y None; ``steps`` caps the batches read from it.

        Returns
        -------
        float, list or dict
            As Keras: the loss (a float) when no metric is compiled, else the list
            ``[loss, *metrics]`` in the order of ``compile``; with ``return_dict=True`` the
            dict ``{'loss': ..., '<metric>': ...}``. The loss is the mean over all examples
            (each weighted by ``sample_weight``), plus any regularization penalty.
        """
        verbose = checks.resolve_verbose(verbose)
        callbacks = checks.callback_list(callbacks)
        self._require_layers("evaluate")
        loss = self._resolved_loss()
        data = self._inference_data("evaluate", x, y, batch_size, steps, loss, sample_weight)
        self._check_probability_output(loss, data.input_shape)
        self._build_layers(data.input_shape)
        metrics = self._metric_functions(loss, data.first_batch()[1].shape[1])
        cbs = self._inference_callbacks(callbacks, verbose, data)
        results = evaluate_batches(self.layers, data.epoch(0), loss, metrics,
                                   self._regularization_loss(), cbs)
        if return_dict:
            return results
        return results["loss"] if len(results) == 1 else list(results.values())

    def _inference_callbacks(self, callbacks: list[Callback], verbose: int,
                             data: _adapters.DataAdapter) -> CallbackList:
        extra = [ProgressBar(verbose)] if verbose else []
        return CallbackList([*callbacks, *extra], self,
                            {"steps": data.steps, "verbose": verbose, "samples": data.samples})
