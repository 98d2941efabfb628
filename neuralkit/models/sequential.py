"""Sequential: a stack of layers, compiled with a loss, an optimizer and metrics.

This module is the model's structure: its layers and their shapes, compile, the parameters in
the course's layout, summary and save. Training, evaluation and prediction come from
:class:`neuralkit.training.trainer.Trainer`; all numerics live in the layers, the loss and the
optimizer.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers as _optimizers
from .. import saving as _saving
from .._parameters import ParameterSlot, parameter_slots
from .._validation import check_shape
from ..callbacks import History
from ..layers.activations import Sigmoid, Softmax
from ..layers.base import Layer
from ..losses import BinaryCrossEntropy, CategoricalCrossEntropy, Loss
from ..optimizers import Optimizer
from ..saving import weights as _weights
from ..training.trainer import Trainer

__all__ = ["Sequential"]


class Sequential(Trainer):
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
        self.metrics: list[str | _metrics.Metric] = []
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
        if layer.input_shape is not None and self.layers:
            expected = self.layers[-1].output_shape
            if expected is not None and expected != layer.input_shape:
                given = (f"input_dim={layer.input_dim}" if len(layer.input_shape) == 1
                         else f"input_shape={layer.input_shape}")
                outputs = (f"{expected[0]} features" if len(expected) == 1
                           else f"examples of shape {expected}")
                raise ValueError(f"layer '{layer.name}' has {given} but the previous layer "
                                 f"outputs {outputs}.")
        layer.name = self._unique_name(layer.name)
        layer.dtype = self.dtype
        layer.rng = self.rng
        self.layers.append(layer)
        if self.layers[0].input_shape is not None:
            self._build_layers(self.layers[0].input_shape)

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
    def input_shape(self) -> tuple[int, ...] | None:
        """Shape of one input example (samples excluded), once known: ``(n_x,)``."""
        return self.layers[0].input_shape if self.layers else None

    @property
    def input_dim(self) -> int | None:
        """Number of input features (the last axis of ``input_shape``), once known."""
        return self.layers[0].input_dim if self.layers else None

    @property
    def output_shape(self) -> tuple[int, ...] | None:
        """Shape of one output example, once built."""
        return self.layers[-1].output_shape if self.built else None

    @property
    def output_dim(self) -> int | None:
        return self.layers[-1].output_dim if self.built else None

    def build(self, input_shape: int | tuple[int, ...] | None = None, *,
              input_dim: int | None = None) -> None:
        """Create every layer's parameters for examples of ``input_shape`` (samples excluded);
        an int n, or ``input_dim=n``, is the shape (n,): n input features."""
        if (input_shape is None) == (input_dim is None):
            raise TypeError("build takes input_shape (a tuple, or an int n for n features) or "
                            f"input_dim; got input_shape={input_shape!r}, input_dim={input_dim!r}.")
        given = input_dim if input_shape is None else input_shape
        shape = check_shape(given, "input_shape" if isinstance(given, (tuple, list)) else "input_dim")
        if self.input_shape is not None and shape != self.input_shape:
            given = f"input_dim={shape[0]}" if len(shape) == 1 else f"input_shape={shape}"
            built = (f"{self.input_dim} input features" if len(self.input_shape) == 1
                     else f"inputs of shape {self.input_shape}")
            raise ValueError(f"build({given}) but the model was built for {built}.")
        self._require_layers("build")
        self._build_layers(shape)

    def _build_layers(self, input_shape: tuple[int, ...]) -> None:
        shape = tuple(input_shape)
        for layer in self.layers:
            if not layer.built:
                layer.dtype = self.dtype
                layer._ensure_built(shape)
            shape = layer.output_shape

    def _output_shape_for(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        # Walks the stack without building it, so validation can run before any state changes.
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.output_shape if layer.built else layer.output_shape_for(shape)
        return shape

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
        names = [_metrics.canonical_name(metric) for metric in metrics]  # validates them now
        if len(set(names)) != len(names):
            raise ValueError(f"metrics has two metrics logged under one name: {names}.")
        self.metrics = [m if isinstance(m, _metrics.Metric) else name
                        for m, name in zip(metrics, names, strict=True)]

    def _resolved_loss(self) -> Loss:
        if self.loss is not None:
            return self.loss
        last = self.layers[-1]
        if isinstance(last, Sigmoid):
            return BinaryCrossEntropy()
        if isinstance(last, Softmax):
            return CategoricalCrossEntropy()
        return _losses.MeanSquaredError()

    def _metric_functions(self, loss: Loss, n_outputs: int) -> dict[str, _metrics.Metric]:
        categorical = n_outputs > 1 and not isinstance(loss, BinaryCrossEntropy)
        return {_metrics.canonical_name(metric): _metrics.get(metric, categorical)
                for metric in self.metrics}

    def _regularization_loss(self) -> float:
        return float(sum(layer.regularization_loss() for layer in self.layers))


    # ------------------------------------------------------------------ parameters
    def parameter_slots(self) -> list[ParameterSlot]:
        """Every parameter: its layer, its name, its ``'layer/name'`` key (optimizer state and
        files) and its course key ('W1', 'b1', ... for Dense layers, counted from 1)."""
        return parameter_slots(self.layers)

    def get_parameters(self) -> dict[str, np.ndarray]:
        """Copies of the parameters in the course's layout.

        Dense layers are numbered 1..L in order: 'Wl' has shape (n[l], n[l-1]) and 'bl'
        shape (n[l], 1). Any other layer's parameter appears as '<layer name>/<name>'.
        1-D parameters are given as columns (n, 1), as the course gives biases.
        """
        self._require_built("get_parameters")
        out: dict[str, np.ndarray] = {}
        for slot in self.parameter_slots():
            copy = slot.value.copy()
            out[slot.course_key] = copy.reshape(-1, 1) if copy.ndim == 1 else copy
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
        slots = self.parameter_slots()
        expected_keys = {slot.course_key for slot in slots}
        for slot in slots:
            key, layer, name, target = slot.course_key, slot.layer, slot.name, slot.value
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
                "output_shape": (None, *layer.output_shape),
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
        return _saving.save_model(self, path, include_optimizer=include_optimizer)

    def save_weights(self, path: str | os.PathLike, overwrite: bool = True) -> Path:
        """Save the parameters alone to one ``.npz`` file, atomically (Keras's
        ``save_weights``; see :mod:`neuralkit.saving.weights`).

        The file holds ``get_parameters()`` ('W1', 'b1', ...) and their keys and shapes; the
        architecture, compile settings and optimizer state are not in it. ``overwrite=False``
        refuses to replace an existing file. Returns the path written.
        """
        return _weights.save_weights(self, path, overwrite=overwrite)

    def load_weights(self, path: str | os.PathLike) -> None:
        """Set the parameters from a file written by :meth:`save_weights`.

        The model must be built with the same layers. Every key and shape is checked before
        any value is written: a damaged file (``neuralkit.ModelFileError``) or one saved from
        another architecture (``ValueError``) leaves the model unchanged. The optimizer state
        is not touched.
        """
        _weights.load_weights(self, path)


    def __repr__(self) -> str:
        return f"Sequential([{', '.join(repr(layer) for layer in self.layers)}])"


_saving._register_model_class(Sequential)  # files name their model class; saving looks it up here
