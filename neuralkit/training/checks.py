"""The checks that run before fit, evaluate or predict change anything: arguments, data,
sample and class weights, and whether the loss suits the model's output.

:class:`DataChecks` is mixed into the trainer; it turns the user's data into checked arrays
and data adapters (:mod:`.data_adapters`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_positive_int, check_targets_for_loss, check_X, check_XY, to_float_array
from ..callbacks import Callback
from ..callbacks.progress_bar import resolve_verbose
from ..layers import activations
from ..layers.dense import Dense
from ..losses import BinaryCrossEntropy, CategoricalCrossEntropy, Loss
from . import data_adapters as _adapters
from .memmap import check_memmap_X, check_targets_for_rows, is_memmap

__all__ = ["DataChecks", "resolve_verbose", "callback_list", "DEFAULT_BATCH",
           "DEFAULT_PREDICT_BATCH"]

#: Rows per training batch when no batch_size is given (Keras's default).
DEFAULT_BATCH = 32
#: Rows per forward pass in predict, evaluate and validation when no batch_size is given
#: (Keras uses 32; larger batches give the same results up to rounding, faster).
DEFAULT_PREDICT_BATCH = 2048
#: Stock layers whose outputs are not probabilities: a cross-entropy after one is a mistake.
_NOT_PROBABILITIES = (activations.Linear, activations.ReLU, activations.LeakyReLU, activations.Tanh)


def callback_list(callbacks: Any) -> list[Callback]:
    """The user's callbacks as a list, each checked."""
    if isinstance(callbacks, Callback) or (callbacks is not None
                                           and not isinstance(callbacks, (list, tuple))):
        raise TypeError(f"callbacks must be a list of Callback instances; got "
                        f"{type(callbacks).__name__}. Pass a list: callbacks=[...].")
    callbacks = list(callbacks or [])
    for callback in callbacks:
        if not isinstance(callback, Callback):
            raise TypeError(f"callbacks must be Callback instances; got {type(callback).__name__}.")
    return callbacks


class DataChecks:
    """Checked data for the trainer, as adapters; nothing here changes the model."""

    def _fit_data(self, X: Any, Y: Any, loss: Loss, batch_size: int, shuffle: bool,
                  steps_per_epoch: int | None, validation_split: float, lbfgs: bool,
                  sample_weight: Any, class_weight: Any
                  ) -> tuple[_adapters.DataAdapter, _adapters.DataAdapter | None]:
        """fit's training data, checked, as an adapter; and the part split off for validation."""
        if _adapters.is_batch_stream(X):
            if Y is not None:
                raise TypeError("fit: X is an iterable of (X_batch, Y_batch) batches, so Y must "
                                f"be None; got Y of type {type(Y).__name__}.")
            if sample_weight is not None or class_weight is not None:
                raise ValueError("fit: with an iterable of batches, give each batch's sample "
                                 "weights in it, (X_batch, Y_batch, W_batch); sample_weight and "
                                 "class_weight are for arrays.")
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
        W = self._example_weights(sample_weight, class_weight, Y, "sample_weight")
        validation = None
        if validation_split > 0:
            n_val = int(X.shape[0] * validation_split)
            if n_val < 1 or n_val >= X.shape[0]:
                raise ValueError(
                    f"validation_split={validation_split} of {X.shape[0]} samples leaves "
                    f"{n_val} for validation and {X.shape[0] - n_val} for training; both need one."
                )
            validation = _adapters.array_adapter(
                X[-n_val:], Y[-n_val:], DEFAULT_PREDICT_BATCH, self.dtype, inference=True,
                W=None if W is None else W[-n_val:])
            X, Y, W = X[:-n_val], Y[:-n_val], None if W is None else W[:-n_val]
        data = _adapters.array_adapter(X, Y, batch_size, self.dtype, shuffle, self.rng, W=W)
        return data, validation

    def _validation_adapter(self, validation_data: Any, loss: Loss, batch_size: int,
                            steps: int | None) -> _adapters.DataAdapter:
        if _adapters.is_batch_stream(validation_data):
            steps = None if steps is None else check_positive_int(steps, "validation_steps")
            return _ReplayedBatches(validation_data, steps, self._pair_check(loss))
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            what = (f"a {type(validation_data).__name__} of {len(validation_data)} items"
                    if isinstance(validation_data, (tuple, list))
                    else type(validation_data).__name__)
            raise TypeError("validation_data must be (x_val, y_val) or (x_val, y_val, "
                            f"sample_weight_val); got {what}.")
        X_val, Y_val = self._check_xy(validation_data[0], validation_data[1], loss,
                                      "validation_data X", "validation_data Y")
        W_val = (self._example_weights(validation_data[2], None, Y_val, "validation_data "
                                       "sample_weight") if len(validation_data) == 3 else None)
        return _adapters.array_adapter(X_val, Y_val, batch_size, self.dtype, inference=True,
                                       W=W_val)

    def _inference_data(self, what: str, X: Any, Y: Any, batch_size: int | None,
                        steps: int | None, loss: Loss | None, sample_weight: Any
                        ) -> _adapters.DataAdapter:
        """The data of predict (``loss`` None: x only) or evaluate, checked, as an adapter."""
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
        W = None
        if loss is None:
            X = (check_memmap_X(X, "X", self.example_shape) if is_memmap(X)
                 else check_X(X, "X", self.dtype, self.example_shape))
        else:
            X, Y = self._check_xy(X, Y, loss)
            W = self._example_weights(sample_weight, None, Y, "sample_weight")
        batch_size = DEFAULT_PREDICT_BATCH if batch_size is None else check_positive_int(
            batch_size, "batch_size")
        return _adapters.array_adapter(X, Y, batch_size, self.dtype, inference=True, W=W)

    # ------------------------------------------------------------------ the checks
    def _check_xy(self, X: Any, Y: Any, loss: Loss, x_name: str = "X",
                  y_name: str = "Y") -> tuple[np.ndarray, np.ndarray]:
        """(X, Y) checked against the model and the loss, in the model's dtype, Y (m, n_out)."""
        if is_memmap(X):  # checked in chunks, never loaded whole; Y is read into memory
            X = check_memmap_X(X, x_name, self.example_shape)
            Y = check_targets_for_rows(Y, X.shape[0], self.dtype, x_name, y_name)
        else:
            X, Y = check_XY(X, Y, self.dtype, self.example_shape, x_name, y_name)
        output_shape = self._output_shape_for(X.shape[1:])
        if len(output_shape) != 1:
            raise ValueError(f"the model's outputs have shape {output_shape} per example; the "
                             "losses take vectors (n_out,). End the model with a layer that "
                             "outputs one.")
        Y = check_targets_for_loss(Y, getattr(loss, "name", ""), output_shape[0], y_name)
        return X, Y

    def _example_weights(self, sample_weight: Any, class_weight: Any, Y: np.ndarray,
                         name: str) -> np.ndarray | None:
        """Per-example weights (m,) from sample_weight or class_weight (not both, as Keras)."""
        if sample_weight is not None and class_weight is not None:
            raise ValueError("give sample_weight or class_weight, not both (as in Keras); "
                             "multiply them yourself into one sample_weight.")
        m = Y.shape[0]
        if class_weight is not None:
            if not isinstance(class_weight, dict):
                raise TypeError(f"class_weight must be a dict {{class index: weight}}; got "
                                f"{type(class_weight).__name__}.")
            classes = Y.argmax(axis=1) if Y.shape[1] > 1 else np.rint(Y[:, 0]).astype(np.intp)
            weights = np.ones(m)
            for key, value in class_weight.items():
                if isinstance(key, bool) or not isinstance(key, (int, np.integer)):
                    raise TypeError(f"class_weight keys must be class indices (ints); got {key!r}.")
                weights[classes == key] = value
            sample_weight, name = weights, "class_weight"
        if sample_weight is None:
            return None
        W = to_float_array(sample_weight, name, self.dtype)
        if W.ndim == 2 and W.shape[1] == 1:
            W = W[:, 0]
        if W.ndim != 1 or W.shape[0] != m:
            raise ValueError(f"{name} must hold one weight per example, shape ({m},); got shape "
                             f"{W.shape}.")
        if W.min() < 0:
            raise ValueError(f"{name} must be >= 0; got a weight of {W.min():g}.")
        return W

    def _check_probability_output(self, loss: Loss, input_shape: tuple[int, ...]) -> None:
        """A cross-entropy on outputs that are not probabilities trains into nonsense: refuse."""
        if not isinstance(loss, (BinaryCrossEntropy, CategoricalCrossEntropy)) or loss.from_logits:
            return
        last = self.layers[-1]
        if loss.fuses_with(last):
            return
        inner = getattr(last, "activation", None) if isinstance(last, Dense) else None
        if not (isinstance(last, Dense) and inner is None
                or isinstance(inner or last, _NOT_PROBABILITIES)):
            return  # a custom layer may well output probabilities
        want = "sigmoid" if isinstance(loss, BinaryCrossEntropy) else "softmax"
        raise ValueError(
            f"the loss {loss.name} takes probabilities, but the model's last layer "
            f"'{last.name}' ({type(inner or last).__name__}) does not output them. Give the last "
            f"Dense activation='{want}', or compile with {type(loss).__name__}(from_logits=True) "
            "if its outputs are meant as logits.")

    def _pair_check(self, loss: Loss) -> _adapters.Check:
        """Checks one (X_batch, Y_batch[, W_batch]) item of an iterable given to fit or evaluate."""

        def check(item: Any, where: str) -> _adapters.Batch:
            Xb, Yb, Wb = _adapters.split_batch(item, where)
            Xb, Yb = self._check_xy(Xb, Yb, loss, f"{where} X_batch", f"{where} Y_batch")
            return Xb, Yb, self._example_weights(Wb, None, Yb, f"{where} sample_weight")

        return check

    def _input_check(self, item: Any, where: str) -> _adapters.Batch:
        """Checks one item of an iterable given to predict: an X batch, or a tuple led by one."""
        return check_X(_adapters.input_of(item), where, self.dtype, self.example_shape), None, None


class _ReplayedBatches(_adapters.DataAdapter):
    """Validation data given as an iterable of batches: read once (``steps`` at most), checked,
    kept, and replayed at every validation."""

    def __init__(self, source: Any, steps: int | None, check: _adapters.Check) -> None:
        one_pass = _adapters.OnePassAdapter(source, steps, check, "validation_data")
        self.batches = list(one_pass.epoch(0))
        self.steps, self.samples = len(self.batches), sum(b[0].shape[0] for b in self.batches)
        self.batch_size = self.batches[0][0].shape[0]

    def first_batch(self) -> _adapters.Batch:
        return self.batches[0]

    def epoch(self, epoch: int) -> list[_adapters.Batch]:
        return self.batches
