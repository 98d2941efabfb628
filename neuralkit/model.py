"""Sequential: a stack of layers trained by a loss and an optimizer.

``fit`` owns only the loop: validate once, convert the data to the model's dtype once, make
batches by index, run the training step, add up metrics, talk to callbacks. All numerics
live in the layers, the loss and the optimizer.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import _data
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from ._training import _Batches, _NoStep, _TrainStep
from ._validation import check_positive_int, check_targets_for_loss, check_X, check_XY
from .callbacks import Callback, CallbackList, History, ProgressBar, TerminateOnNaN
from .errors import DivergenceError
from .layers.activations import Sigmoid, Softmax
from .layers.base import Layer
from .layers.dense import Dense
from .losses import BinaryCrossEntropy, CategoricalCrossEntropy, Loss
from .optimizers import Optimizer

#: Rows per forward pass in predict and evaluate when no batch_size is given.
DEFAULT_PREDICT_BATCH = 2048


class Sequential:
    """A linear stack of layers.

    Parameters
    ----------
    layers : sequence of Layer, optional
        The layers in order; more can be added with :meth:`add`.
    seed : int, optional
        Seeds the model's generator, used for initialization and shuffling: the same seed
        gives bit-identical training. NumPy's global random state is never touched.
    dtype : {'float64', 'float32'}, default 'float64'
        Floating type of parameters, activations and gradients, end to end. Inputs are
        converted once per ``fit`` / ``predict`` / ``evaluate`` call.
    name : str, default 'sequential'

    Notes
    -----
    ``fit`` on an uncompiled model infers the loss from the output layer (Sigmoid ->
    binary cross-entropy, Softmax -> categorical cross-entropy, anything else -> mean
    squared error) and uses ``Adam(learning_rate=0.001)``.
    """

    def __init__(self, layers: Sequence[Layer] | None = None, seed: int | None = None,
                 dtype: str | type | np.dtype = "float64", name: str = "sequential") -> None:
        try:
            self.dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"dtype must be 'float32' or 'float64'; got {dtype!r}.") from None
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype!r}.")
        self.name = name
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.layers: list[Layer] = []
        self.loss: Loss | None = None
        self.optimizer: Optimizer | None = None
        self.metrics: list[str] = []
        self.history: History | None = None
        self.stop_training = False
        if layers is not None:
            if isinstance(layers, Layer) or not isinstance(layers, Sequence):
                raise TypeError(
                    f"layers must be a list of Layer objects; got {type(layers).__name__}."
                )
            for layer in layers:
                self.add(layer)

    # ------------------------------------------------------------------ structure
    def add(self, layer: Layer) -> None:
        """Append a layer; the model is built as soon as the input size is known."""
        if isinstance(layer, type) and issubclass(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a Layer instance; got the class {layer.__name__}. "
                f"Create one first, e.g. {layer.__name__}(...)."
            )
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a Layer instance; got {type(layer).__name__} ({layer!r})."
            )
        if any(existing is layer for existing in self.layers):
            raise ValueError(f"layer '{layer.name}' is already in this model; create a new one.")
        if layer.input_dim is not None and self.layers:
            expected = self.layers[-1].output_dim
            if expected is not None and expected != layer.input_dim:
                raise ValueError(
                    f"layer '{layer.name}' has input_dim={layer.input_dim} but the previous "
                    f"layer outputs {expected} features."
                )
        layer.name = self._unique_name(layer.name)
        layer.dtype = self.dtype
        layer.rng = self.rng
        self.layers.append(layer)
        if self.layers[0].input_dim is not None:
            self._build_layers(self.layers[0].input_dim)

    def _unique_name(self, name: str) -> str:
        taken = {layer.name for layer in self.layers}
        if name not in taken:
            return name
        k = 1
        while f"{name}_{k}" in taken:
            k += 1
        return f"{name}_{k}"

    @property
    def built(self) -> bool:
        return bool(self.layers) and all(layer.built for layer in self.layers)

    @property
    def input_dim(self) -> int | None:
        """Number of input features, once known."""
        return self.layers[0].input_dim if self.layers else None

    @property
    def output_dim(self) -> int | None:
        return self.layers[-1].output_dim if self.built else None

    def build(self, input_dim: int) -> None:
        """Create every layer's parameters for ``input_dim`` input features."""
        input_dim = check_positive_int(input_dim, "input_dim")
        if self.input_dim is not None and input_dim != self.input_dim:
            raise ValueError(
                f"build(input_dim={input_dim}) but the model was built for {self.input_dim} "
                "input features."
            )
        self._require_layers("build")
        self._build_layers(input_dim)

    def _build_layers(self, input_dim: int) -> None:
        dim = input_dim
        for layer in self.layers:
            if not layer.built:
                layer.dtype = self.dtype
                layer._ensure_built(dim)
            dim = layer.output_dim

    def _output_dim_for(self, input_dim: int) -> int:
        # Walks the stack without building it, so validation can run before any state changes.
        dim = input_dim
        for layer in self.layers:
            dim = layer.output_dim if layer.built else layer.compute_output_dim(dim)
        return dim

    def _require_layers(self, what: str) -> None:
        if not self.layers:
            raise ValueError(f"{what}: the model has no layers; add some first.")

    def _require_built(self, what: str) -> None:
        self._require_layers(what)
        if not self.built:
            raise ValueError(
                f"{what}: the model is not built yet. Give input_dim to the first layer "
                "(Dense(units, input_dim=n_x)), call model.build(n_x), or fit it first."
            )

    # ------------------------------------------------------------------ compile
    def compile(self, loss: str | Loss | None = None, optimizer: str | Optimizer | None = None,
                metrics: Sequence[str] | None = None) -> None:
        """Choose the loss, the optimizer and the metrics reported by fit and evaluate.

        Parameters
        ----------
        loss : str or Loss, optional
            'mse', 'binary_crossentropy', 'categorical_crossentropy' or a Loss instance;
            None infers it from the output layer at fit time.
        optimizer : str or Optimizer, optional
            'sgd', 'rmsprop', 'adam' (default settings) or an Optimizer instance; None
            means ``Adam()``.
        metrics : list of str, optional
            'accuracy' (arg-max for categorical outputs, 0.5 threshold otherwise), 'mae'.
        """
        self.loss = None if loss is None else _losses.get(loss)
        self.optimizer = None if optimizer is None else _optimizers.get(optimizer)
        if metrics is None:
            metrics = []
        if isinstance(metrics, str) or not isinstance(metrics, Sequence):
            raise TypeError(f"metrics must be a list of names; got {metrics!r}.")
        for metric in metrics:
            _metrics.get(metric, categorical=False)  # validates the name now
        self.metrics = [_canonical_metric(m) for m in metrics]

    def _resolved_loss(self) -> Loss:
        if self.loss is not None:
            return self.loss
        last = self.layers[-1]
        if isinstance(last, Sigmoid):
            return BinaryCrossEntropy()
        if isinstance(last, Softmax):
            return CategoricalCrossEntropy()
        return _losses.MeanSquaredError()

    def _is_fused(self, loss: Loss) -> bool:
        last = self.layers[-1]
        return (isinstance(last, Sigmoid) and isinstance(loss, BinaryCrossEntropy)) or (
            isinstance(last, Softmax) and isinstance(loss, CategoricalCrossEntropy)
        )

    def _metric_functions(self, loss: Loss, n_outputs: int) -> dict[str, _metrics.Metric]:
        categorical = n_outputs > 1 and not isinstance(loss, BinaryCrossEntropy)
        return {name: _metrics.get(name, categorical) for name in self.metrics}

    # ------------------------------------------------------------------ data checks
    def _check_xy(self, X: Any, Y: Any, loss: Loss, x_name: str = "X",
                  y_name: str = "Y") -> tuple[np.ndarray, np.ndarray]:
        if _data.is_memmap(X):  # checked in chunks, never loaded whole; Y is read into memory
            X = _data.check_memmap_X(X, x_name, self.input_dim)
            Y = _data.check_targets_for_rows(Y, X.shape[0], self.dtype, x_name, y_name)
        else:
            X, Y = check_XY(X, Y, self.dtype, self.input_dim, x_name, y_name)
        n_outputs = self._output_dim_for(X.shape[1])
        Y = check_targets_for_loss(Y, getattr(loss, "name", ""), n_outputs, y_name)
        return X, Y

    def _check_validation_data(self, validation_data: Any, loss: Loss
                               ) -> tuple[np.ndarray, np.ndarray]:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError("validation_data must be a tuple (X_val, Y_val); got "
                            f"{type(validation_data).__name__}.")
        return self._check_xy(*validation_data, loss, "validation_data X", "validation_data Y")

    # ------------------------------------------------------------------ training
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
            generator (drawn from continuously), optional for a re-iterable such as a list
            (default: one full pass per epoch).

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
        if not isinstance(validation_split, (int, float)) or not 0 <= validation_split < 1:
            raise ValueError(f"validation_split must be a number in [0, 1); got {validation_split!r}.")
        if isinstance(callbacks, Callback) or (callbacks is not None
                                               and not isinstance(callbacks, (list, tuple))):
            raise TypeError(f"callbacks must be a list of Callback instances; got "
                            f"{type(callbacks).__name__}. Pass a list: callbacks=[...].")
        callbacks = list(callbacks or [])
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"callbacks must be Callback instances; got {type(callback).__name__}."
                )
        self._require_layers("fit")
        loss = self._resolved_loss()
        if _data.is_batch_stream(X):
            return self._fit_stream(X, Y, loss, epochs, steps_per_epoch, validation_data,
                                    validation_split, verbose, callbacks)
        if steps_per_epoch is not None:
            raise ValueError("steps_per_epoch is for X given as an iterable of (X_batch, Y_batch); "
                             f"got X of type {type(X).__name__}.")
        X, Y = self._check_xy(X, Y, loss)
        if isinstance(self.optimizer, _optimizers.LBFGS) and _data.is_memmap(X):
            raise ValueError("the LBFGS optimizer is full batch: it needs X in memory; got a "
                             "numpy.memmap (use a minibatch optimizer, or np.asarray(X)).")
        X_val = Y_val = None
        if validation_data is not None:
            X_val, Y_val = self._check_validation_data(validation_data, loss)
        elif validation_split > 0:
            n_val = int(X.shape[0] * validation_split)
            if n_val < 1 or n_val >= X.shape[0]:
                raise ValueError(
                    f"validation_split={validation_split} of {X.shape[0]} samples leaves "
                    f"{n_val} for validation and {X.shape[0] - n_val} for training; both need one."
                )
            X, X_val = X[:-n_val], X[-n_val:]
            Y, Y_val = Y[:-n_val], Y[-n_val:]

        # Validation passed: from here on the model may change.
        self._build_layers(X.shape[1])
        self.loss = loss
        if self.optimizer is None:
            self.optimizer = _optimizers.Adam()
        if isinstance(self.optimizer, _optimizers.LBFGS):
            return self._fit_lbfgs(X, Y, X_val, Y_val, loss, verbose, callbacks)
        m = X.shape[0]
        batch_size = min(batch_size, m)
        steps = math.ceil(m / batch_size)
        cbs = self._begin_history(callbacks, verbose, X_val is not None,
                                  {"epochs": epochs, "steps": steps, "batch_size": batch_size,
                                   "samples": m})
        metric_fns = self._metric_functions(loss, Y.shape[1])

        def epoch_batches(epoch: int) -> Iterable[tuple[np.ndarray, np.ndarray]]:
            order = self.rng.permutation(m) if shuffle and batch_size < m else None
            return (_data.MemmapBatches(X, Y, batch_size, order, self.dtype)
                    if _data.is_memmap(X) else _Batches(X, Y, batch_size, order))

        return self._run_epochs(epochs, steps, epoch_batches, (X_val, Y_val), loss, metric_fns,
                                cbs, callbacks)

    def _begin_history(self, callbacks: list[Callback], verbose: int, validation: bool,
                       params: dict[str, Any], bar: int | None = None) -> CallbackList:
        """A fresh History on the model, and the fit's callbacks with it and the progress bar.

        History comes after the user's callbacks (as in Keras), so it records what they add to
        the logs.
        """
        self.history = History()
        self.stop_training = False
        log_keys = ["loss", *self.metrics]
        if validation:
            log_keys += [f"val_{k}" for k in log_keys]
        extra = [ProgressBar(bar or verbose)] if verbose else []
        return CallbackList([*callbacks, self.history, *extra], self,
                            {**params, "verbose": verbose, "metrics": log_keys})

    def _run_epochs(self, epochs: int, steps: int | None,
                    epoch_batches: Callable[[int], Iterable[tuple[np.ndarray, np.ndarray]]],
                    validation: tuple[np.ndarray | None, np.ndarray | None], loss: Loss,
                    metric_fns: dict[str, _metrics.Metric], cbs: CallbackList,
                    callbacks: list[Callback]) -> History:
        """The epoch loop of fit, for arrays and iterables of batches alike.

        An epoch cut short (an exception, Ctrl-C) leaves ``history.partial_epoch``; a
        DivergenceError ends training quietly when a TerminateOnNaN callback is given.
        """
        history = self.history
        X_val, Y_val = validation
        trainer = _TrainStep(self, loss)
        cbs.on_train_begin()
        logs: dict[str, Any] = {}
        try:
            with trainer.guard.holding_interrupts():
                for epoch in range(epochs):
                    cbs.on_epoch_begin(epoch)
                    logs, done = self._train_epoch(trainer, epoch_batches(epoch), steps,
                                                   metric_fns, cbs, epoch)
                    try:
                        if X_val is not None:
                            val = self._evaluate_arrays(X_val, Y_val, loss, metric_fns, None)
                            logs.update({f"val_{k}": v for k, v in val.items()})
                        cbs.on_epoch_end(epoch, logs)
                    except BaseException:
                        history._record_partial(epoch, done, steps, logs)
                        raise
                    if self.stop_training:
                        break
        except DivergenceError as error:
            quiet = [c for c in callbacks if isinstance(c, TerminateOnNaN)]
            if not quiet:
                raise
            for callback in quiet:
                callback._diverged(error)
            self.stop_training = True
        finally:
            cbs.on_train_end(logs)
        return history

    def _train_epoch(self, trainer: _TrainStep, batches: Iterable[tuple[np.ndarray, np.ndarray]],
                     steps: int | None, metric_fns: dict[str, _metrics.Metric],
                     cbs: CallbackList, epoch: int) -> tuple[dict[str, float], int]:
        """One epoch of training steps; returns its logs and the number of batches."""
        loss_sum, seen = 0.0, 0
        metric_sums = dict.fromkeys(metric_fns, 0.0)
        begin, end = cbs.batch_begin, cbs.batch_end
        done = 0  # batches whose update was applied
        try:
            for step, (Xb, Yb) in enumerate(batches):
                for callback in begin:
                    callback.on_batch_begin(step, {"size": Xb.shape[0]})
                # Overflow in a diverging step is reported as a DivergenceError (non-finite
                # loss or parameter), not as RuntimeWarnings from deep inside a layer.
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    batch_loss, A = trainer(Xb, Yb, epoch, step)
                loss_sum += batch_loss
                done, seen = step + 1, seen + Xb.shape[0]
                batch_logs = {"loss": batch_loss, "size": Xb.shape[0]}
                for name, fn in metric_fns.items():
                    value = fn(A, Yb)
                    metric_sums[name] += value
                    batch_logs[name] = value / Xb.shape[0]
                if trainer.guard.interrupted:  # Ctrl-C held while the update was written
                    raise KeyboardInterrupt
                if end:
                    for callback in end:
                        callback.on_batch_end(step, batch_logs)
        except BaseException:
            if done and self.history is not None:
                self.history._record_partial(epoch, done, steps, _epoch_logs(
                    loss_sum, done, metric_sums, seen))
            raise
        return _epoch_logs(loss_sum, done, metric_sums, seen), done

    # ------------------------------------------------------------------ saving
    def save(self, path: str | os.PathLike, include_optimizer: bool = True) -> Path:
        """Save the whole model to one ``.npz`` file, atomically (see :mod:`neuralkit.saving`).

        Architecture (each layer's class and ``get_config()``), dtype, seed and name, every
        parameter, the compile settings, the random generator's state and, with
        ``include_optimizer=True``, the optimizer's state: ``neuralkit.load_model(path)``
        gives back a model that predicts identically and whose ``fit`` continues exactly
        where this one stopped. The file at ``path`` is replaced only once the new one is
        complete on disk.
        """
        from .saving import save_model

        return save_model(self, path, include_optimizer=include_optimizer)

    # ------------------------------------------------------------------ inference
    def predict(self, X: Any, batch_size: int | None = None, steps: int | None = None) -> np.ndarray:
        """Outputs A_L for X (m, n_x), computed in batches; returns (m, n_out) in the model's dtype.

        X may be a numpy.memmap (read in chunks from its file) or an iterable of batches, each
        an X batch or a tuple whose first element is one; ``steps`` caps the batches read.
        """
        self._require_layers("predict")
        if _data.is_batch_stream(X):
            return self._predict_stream(X, steps)
        if steps is not None:
            raise ValueError(f"steps is for X given as an iterable of batches; got X of type "
                             f"{type(X).__name__}.")
        X = (_data.check_memmap_X(X, "X", self.input_dim) if _data.is_memmap(X)
             else check_X(X, "X", self.dtype, self.input_dim))
        batch_size = DEFAULT_PREDICT_BATCH if batch_size is None else check_positive_int(
            batch_size, "batch_size")
        self._build_layers(X.shape[1])
        out = np.empty((X.shape[0], self.layers[-1].output_dim), dtype=self.dtype)
        for start, stop, A, _ in self._forward_batches(X, batch_size, fused=False):
            out[start:stop] = A
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
        if _data.is_batch_stream(X):
            return self._evaluate_stream(X, Y, loss, steps)
        if steps is not None:
            raise ValueError(f"steps is for X given as an iterable of batches; got X of type "
                             f"{type(X).__name__}.")
        X, Y = self._check_xy(X, Y, loss)
        batch_size = None if batch_size is None else check_positive_int(batch_size, "batch_size")
        self._build_layers(X.shape[1])
        return self._evaluate_arrays(X, Y, loss, self._metric_functions(loss, Y.shape[1]),
                                     batch_size)

    def _evaluate_arrays(self, X: np.ndarray, Y: np.ndarray, loss: Loss,
                         metric_fns: dict[str, _metrics.Metric],
                         batch_size: int | None) -> dict[str, float]:
        fused = self._is_fused(loss)
        m = X.shape[0]
        loss_sum = 0.0
        metric_sums = dict.fromkeys(metric_fns, 0.0)
        for start, stop, A, Z in self._forward_batches(X, batch_size or DEFAULT_PREDICT_BATCH,
                                                       fused):
            Yb = Y[start:stop]
            value = loss.forward_logits(Z, Yb, A) if fused else loss.forward(A, Yb)
            loss_sum += value * (stop - start)
            for name, fn in metric_fns.items():
                metric_sums[name] += fn(A, Yb)
        results = {"loss": loss_sum / m + self._regularization_loss()}
        results.update({name: total / m for name, total in metric_sums.items()})
        return results

    def _forward_batches(self, X: np.ndarray, batch_size: int,
                         fused: bool) -> Iterator[tuple[int, int, np.ndarray, np.ndarray | None]]:
        """Yield (start, stop, A_L, Z_L or None) batch by batch, in inference mode."""
        if _data.is_memmap(X):  # rows read from the file, converted per batch, in bounded chunks
            batch_size = max(1, min(batch_size, _data.CHUNK_BYTES // (X.shape[1] * X.itemsize)))
            X = _data.MemmapRows(X, self.dtype)
        head = self.layers[:-1] if fused else self.layers
        last = self.layers[-1]
        for start in range(0, X.shape[0], batch_size):
            stop = min(start + batch_size, X.shape[0])
            A = X[start:stop]
            for layer in head:
                A = layer.forward(A, False)
            Z = None
            if fused:
                Z, A = A, last.forward(A, False)
            yield start, stop, A, Z
        for layer in self.layers:  # inference must not pin the last batch in memory
            layer.clear_cache()

    def _regularization_loss(self) -> float:
        return float(sum(layer.regularization_loss() for layer in self.layers))

    # ------------------------------------------------------------------ parameters
    def _parametric_layers(self) -> list[Layer]:
        return [layer for layer in self.layers if layer.params]

    def _parameter_slots(self) -> list[tuple[str, Layer, str]]:
        """(key, layer, name) for every parameter: Dense layer l gives 'Wl' and 'bl', counting
        Dense layers only (the course's numbering); any other layer's parameter is 'layer/name'."""
        slots = []
        l = 0
        for layer in self._parametric_layers():
            if isinstance(layer, Dense):
                l += 1
                slots += [(f"{name}{l}", layer, name) for name in layer.params]
            else:
                slots += [(f"{layer.name}/{name}", layer, name) for name in layer.params]
        return slots

    def get_parameters(self) -> dict[str, np.ndarray]:
        """Copies of the parameters in the course's layout.

        Dense layers are numbered 1..L in order: 'Wl' has shape (n[l], n[l-1]) and 'bl'
        shape (n[l], 1). Any other layer's parameter appears as '<layer name>/<name>'.
        1-D parameters are given as columns (n, 1), as the course gives biases.
        """
        self._require_built("get_parameters")
        out: dict[str, np.ndarray] = {}
        for key, layer, name in self._parameter_slots():
            copy = layer.params[name].copy()
            out[key] = copy.reshape(-1, 1) if copy.ndim == 1 else copy
        return out

    def set_parameters(self, parameters: dict[str, Any]) -> None:
        """Load parameters given in the layout of :meth:`get_parameters`.

        Biases may be given as (n, 1) or (n,). Every key is checked (present, known,
        right shape, finite) before any value is written, so a bad dict changes nothing.
        """
        self._require_built("set_parameters")
        if not isinstance(parameters, dict):
            raise TypeError(f"parameters must be a dict like {{'W1': ..., 'b1': ...}}; got "
                            f"{type(parameters).__name__}.")
        writes = []
        slots = self._parameter_slots()
        expected_keys = {key for key, _, _ in slots}
        for key, layer, name in slots:
            target = layer.params[name]
            if key not in parameters:
                raise ValueError(
                    f"set_parameters: missing key '{key}' (layer '{layer.name}', parameter "
                    f"'{name}' of shape {target.shape}); got keys {sorted(parameters)}."
                )
            value = np.asarray(parameters[key])
            if value.dtype.kind not in "biuf":
                raise TypeError(f"set_parameters: '{key}' must be numeric; got dtype {value.dtype}.")
            shapes_ok = value.shape == target.shape or (
                target.ndim == 1 and value.shape == (target.shape[0], 1))
            if not shapes_ok:
                course = (target.shape[0], 1) if target.ndim == 1 else target.shape
                raise ValueError(
                    f"set_parameters: '{key}' has shape {value.shape}; expected "
                    f"{course}" + (f" or {target.shape}" if target.ndim == 1 else "") + "."
                )
            if not np.isfinite(value).all():
                raise ValueError(f"set_parameters: '{key}' contains NaN or inf.")
            writes.append((target, value.reshape(target.shape)))
        unknown = sorted(set(parameters) - expected_keys)
        if unknown:
            raise ValueError(
                f"set_parameters: unknown keys {unknown}; the model has {sorted(expected_keys)}."
            )
        for target, value in writes:
            target[...] = value  # in place: optimizer state and references stay valid

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def summary(self, print_fn: Any = print) -> dict[str, Any]:
        """Print and return a table: one row per layer and the total parameter count.

        Returns
        -------
        dict
            ``{'layers': [{'name', 'type', 'output_shape', 'param_shapes', 'params'}, ...],
            'total_params': int}``; W shapes are (n[l], n[l-1]).
        """
        self._require_built("summary")
        rows = [
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": (None, layer.output_dim),
                "param_shapes": {k: tuple(v.shape) for k, v in layer.params.items()},
                "params": layer.count_params(),
            }
            for layer in self.layers
        ]
        total = sum(row["params"] for row in rows)
        table = [("Layer (type)", "Output shape", "Parameter shapes", "Params")]
        for row in rows:
            shapes = ", ".join(f"{k} {s}" for k, s in row["param_shapes"].items()) or "-"
            table.append((f"{row['name']} ({row['type']})", str(row["output_shape"]), shapes,
                          f"{row['params']:,}"))
        widths = [max(len(r[i]) for r in table) for i in range(4)]
        line = "  ".join("-" * w for w in widths)
        text = [f'Model: "{self.name}"', line]
        for i, r in enumerate(table):
            text.append("  ".join(c.ljust(w) if j < 3 else c.rjust(w)
                                  for j, (c, w) in enumerate(zip(r, widths, strict=True))))
            if i == 0:
                text.append(line)
        text += [line, f"Total params: {total:,}  (dtype {self.dtype})"]
        print_fn("\n".join(text))
        return {"layers": rows, "total_params": total}

    # ------------------------------------------------------------------ iterables of batches
    def _fit_stream(self, source: Any, Y: Any, loss: Loss, epochs: int,
                    steps_per_epoch: int | None, validation_data: Any, validation_split: float,
                    verbose: int, callbacks: list[Callback]) -> History:
        """fit on an iterable of (X_batch, Y_batch): the same step, batches taken as they come.

        The first batch is read and checked before anything changes (it also gives n_x to
        build the model); later batches are checked as they arrive.
        """
        if Y is not None:
            raise TypeError("fit: X is an iterable of (X_batch, Y_batch) batches, so Y must be "
                            f"None; got Y of type {type(Y).__name__}.")
        if steps_per_epoch is not None:
            steps_per_epoch = check_positive_int(steps_per_epoch, "steps_per_epoch")
        if validation_split:
            raise ValueError("validation_split needs X as an array; with an iterable of batches "
                             "pass validation_data=(X_val, Y_val).")
        if isinstance(self.optimizer, _optimizers.LBFGS):
            raise ValueError("the LBFGS optimizer is full batch: it needs X and Y as arrays, not an "
                             "iterable of batches.")
        stream = _data.BatchStream(source, steps_per_epoch, "X")

        def checked(item: Any, epoch: int, step: int) -> tuple[np.ndarray, np.ndarray]:
            where = f"X (epoch {epoch + 1}, batch {step + 1})"
            Xb, Yb = _data.split_batch(item, where)
            return self._check_xy(Xb, Yb, loss, f"{where} X_batch", f"{where} Y_batch")

        first = checked(stream.first(), 0, 0)
        X_val = Y_val = None
        if validation_data is not None:
            X_val, Y_val = self._check_validation_data(validation_data, loss)
        # Validation passed: from here on the model may change.
        self._build_layers(first[0].shape[1])
        self.loss = loss
        if self.optimizer is None:
            self.optimizer = _optimizers.Adam()
        steps = steps_per_epoch or (len(source) if hasattr(source, "__len__") else None)
        cbs = self._begin_history(callbacks, verbose, X_val is not None,
                                  {"epochs": epochs, "steps": steps,
                                   "batch_size": first[0].shape[0], "samples": None})
        metric_fns = self._metric_functions(loss, first[1].shape[1])

        def epoch_batches(epoch: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
            for step, item in enumerate(stream.epoch(epoch)):
                yield first if epoch == step == 0 else checked(item, epoch, step)

        return self._run_epochs(epochs, steps, epoch_batches, (X_val, Y_val), loss, metric_fns,
                                cbs, callbacks)

    def _stream_items(self, source: Any, steps: int | None) -> Iterator[Any]:
        if steps is not None:
            steps = check_positive_int(steps, "steps")
        count = 0
        for item in source:
            yield item
            count += 1
            if steps is not None and count >= steps:
                return
        if count == 0:
            raise ValueError("X yielded no batches.")

    def _predict_stream(self, source: Any, steps: int | None) -> np.ndarray:
        outputs = []
        for k, item in enumerate(self._stream_items(source, steps)):
            Xb = check_X(_data.input_of(item), f"X (batch {k + 1})", self.dtype, self.input_dim)
            self._build_layers(Xb.shape[1])
            outputs += [A.copy() for _, _, A, _ in self._forward_batches(Xb, Xb.shape[0], False)]
        return np.concatenate(outputs)

    def _evaluate_stream(self, source: Any, Y: Any, loss: Loss, steps: int | None) -> dict[str, float]:
        if Y is not None:
            raise TypeError("evaluate: X is an iterable of (X_batch, Y_batch) batches, so Y must be "
                            f"None; got Y of type {type(Y).__name__}.")
        fused = self._is_fused(loss)
        m, loss_sum, metric_sums = 0, 0.0, None
        for k, item in enumerate(self._stream_items(source, steps)):
            where = f"X (batch {k + 1})"
            Xb, Yb = self._check_xy(*_data.split_batch(item, where), loss, f"{where} X_batch",
                                    f"{where} Y_batch")
            self._build_layers(Xb.shape[1])
            if metric_sums is None:
                metric_fns = self._metric_functions(loss, Yb.shape[1])
                metric_sums = dict.fromkeys(metric_fns, 0.0)
            for _, _, A, Z in self._forward_batches(Xb, Xb.shape[0], fused):
                value = loss.forward_logits(Z, Yb, A) if fused else loss.forward(A, Yb)
                loss_sum += value * Xb.shape[0]
                for name, fn in metric_fns.items():
                    metric_sums[name] += fn(A, Yb)
            m += Xb.shape[0]
        results = {"loss": loss_sum / m + self._regularization_loss()}
        results.update({name: total / m for name, total in metric_sums.items()})
        return results

    # ------------------------------------------------------------------ L-BFGS
    def _fit_lbfgs(self, X: np.ndarray, Y: np.ndarray, X_val: np.ndarray | None,
                   Y_val: np.ndarray | None, loss: Loss, verbose: int,
                   callbacks: list[Callback]) -> History:
        """Full-batch L-BFGS over all of (X, Y); see :class:`neuralkit.optimizers.LBFGS`.

        Each evaluation is one training step on the whole batch with the parameter update
        left out: the loss J (plus penalties) and every layer's grads at the current theta.
        """
        optimizer = self.optimizer
        m = X.shape[0]
        # One line per iteration: a progress bar over a single full batch says nothing.
        cbs = self._begin_history(callbacks, verbose, X_val is not None,
                                  {"epochs": optimizer.max_iter, "steps": 1, "batch_size": m,
                                   "samples": m}, bar=2)
        history = self.history
        metric_fns = self._metric_functions(loss, Y.shape[1])
        trainer = _TrainStep(self, loss)
        trainer.optimizer = _NoStep()
        last: dict[str, Any] = {}

        def evaluate() -> float:
            try:
                value, last["A"] = trainer(X, Y, 0, 0)
            except DivergenceError:
                return math.inf  # a line-search trial too far: L-BFGS-B backs off
            return value

        def on_iteration(iteration: int, value: float) -> None:
            # L-BFGS-B reports an iterate after its line search accepted it, which is the
            # point evaluated last, so last["A"] holds that iterate's outputs.
            cbs.on_epoch_begin(iteration)
            logs = {"loss": value}
            logs.update({name: fn(last["A"], Y) / m for name, fn in metric_fns.items()})
            if X_val is not None:
                val = self._evaluate_arrays(X_val, Y_val, loss, metric_fns, None)
                logs.update({f"val_{k}": v for k, v in val.items()})
            last["logs"] = logs
            cbs.on_epoch_end(iteration, logs)
            if self.stop_training:
                raise StopIteration

        cbs.on_train_begin()
        try:
            optimizer.minimize(self._parametric_layers(), evaluate, on_iteration)
        finally:
            cbs.on_train_end(last.get("logs", {}))
        return history

    def __repr__(self) -> str:
        return f"Sequential([{', '.join(repr(layer) for layer in self.layers)}])"


def _canonical_metric(name: str) -> str:
    return {"acc": "accuracy", "mean_absolute_error": "mae"}.get(name.lower(), name.lower())


def _epoch_logs(loss_sum: float, batches: int, metric_sums: dict[str, float],
                samples: int) -> dict[str, float]:
    """The loss averaged over batches (as Keras does) and the metrics over samples."""
    logs = {"loss": loss_sum / batches}
    logs.update({name: total / samples for name, total in metric_sums.items()})
    return logs
