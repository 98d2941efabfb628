"""Sequential: a stack of layers, compiled with a loss, an optimizer and metrics.

This module is the model's structure: its layers and their shapes, summary and save;
compile comes from :class:`~neuralkit.models.compiling.Compiling`,
the parameters' layouts come from :class:`~neuralkit.models.weights.Weights`. Training,
evaluation and prediction come from :class:`neuralkit.training.trainer.Trainer`; all numerics
live in the layers, the loss and the optimizer.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import config
from .. import metrics as _metrics
from .. import saving as _saving
from .._validation import check_shape
from ..callbacks import History
from ..layers.base import Layer
from ..layers.input import Input
from ..losses import Loss
from ..optimizers import Optimizer
from ..saving import weights as _weights
from ..training.trainer import Trainer
from .compiling import Compiling
from .summary import summary as _summary
from .weights import Weights

__all__ = ["Sequential"]


class Sequential(Trainer, Compiling, Weights):
    """A linear stack of layers.

    Parameters
    ----------
    layers : sequence of Layer, optional
        The layers in order, optionally led by an ``Input(shape=...)``; more can be added with
        :meth:`add`.
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
        self.seed = config.next_model_seed() if seed is None else seed
        self.rng = np.random.default_rng(self.seed)
        self.layers: list[Layer] = []
        self.loss: Loss | None = None
        self.optimizer: Optimizer | None = None
        self.metrics: list[str | _metrics.Metric] = []
        self.weighted_metrics: list[str | _metrics.Metric] = []
        self.history: History | None = None
        self.stop_training = False
        self._input: Input | None = None
        self._added: list[Layer] = []  # what add() and pop() made model.layers: see _require_layers
        if layers is not None:
            if isinstance(layers, Layer) or not isinstance(layers, Sequence):
                raise TypeError(
                    f"layers must be a list of Layer objects; got {type(layers).__name__}."
                )
            for layer in layers:
                self.add(layer)

    # ------------------------------------------------------------------ structure
    def add(self, layer: Layer | Input) -> None:
        """Append a layer; the model is built as soon as the input shape is known. An
        ``Input(shape=...)`` may come first, in place of a layer's ``input_shape``."""
        if isinstance(layer, Input):
            if self.layers or self._input is not None:
                raise ValueError("Input(shape=...) must come first, before any layer; the model "
                                 f"already has {_names(self.layers) if self.layers else 'an Input'}.")
            self._input = layer
            return
        if isinstance(layer, type) and issubclass(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a Layer instance; got the class {layer.__name__}. "
                f"Create one first, e.g. {layer.__name__}(...)."
            )
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a Layer instance; got {type(layer).__name__} ({layer!r})."
            )
        self._require_layers_intact("add")
        if any(existing is layer for existing in self.layers):
            raise ValueError(f"layer '{layer.name}' is already in this model; create a new one.")
        previous = self.layers[-1].output_shape if self.layers else self.example_shape
        if layer.input_shape is not None and previous is not None and previous != layer.input_shape:
            given = (f"input_dim={layer.input_dim}" if len(layer.input_shape) == 1
                     else f"input_shape={layer.input_shape}")
            outputs = (f"{previous[0]} features" if len(previous) == 1
                       else f"examples of shape {previous}")
            source = "the previous layer outputs" if self.layers else "the Input gives"
            raise ValueError(f"layer '{layer.name}' has {given} but {source} {outputs}.")
        layer.name = self._unique_name(layer.name)
        layer.dtype = self.dtype
        layer.rng = self.rng
        self.layers.append(layer)
        self._added.append(layer)
        if self.example_shape is not None:
            self._build_layers(self.example_shape)

    def pop(self) -> Layer:
        """Remove the last layer and return it (Keras's ``pop``)."""
        self._require_layers("pop")
        layer = self.layers.pop()
        self._added.pop()
        return layer

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name``, or the one at ``index`` (as in Keras: one of the two)."""
        self._require_layers_intact("get_layer")
        if (name is None) == (index is None):
            raise ValueError(f"get_layer takes a name or an index; got name={name!r}, "
                             f"index={index!r}.")
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
                raise TypeError(f"get_layer: index must be an int; got {index!r}.")
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"get_layer: index {index} is out of range for a model of "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"get_layer: no layer named {name!r}; the layers are {_names(self.layers)}.")

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
    def example_shape(self) -> tuple[int, ...] | None:
        """Shape of one input example, samples excluded, once known: ``(n_x,)``, ``(H, W, C)``."""
        if self.layers and self.layers[0].input_shape is not None:
            return self.layers[0].input_shape
        return None if self._input is None else self._input.shape

    @property
    def input_shape(self) -> tuple[int | None, ...] | None:
        """Keras's: the shape of a batch of inputs, ``(None, *example_shape)``, once known."""
        shape = self.example_shape
        return None if shape is None else (None, *shape)

    @property
    def input_dim(self) -> int | None:
        """Number of input features (the last axis of ``example_shape``), once known."""
        shape = self.example_shape
        return None if shape is None else shape[-1]

    @property
    def output_shape(self) -> tuple[int | None, ...] | None:
        """Keras's: the shape of a batch of outputs, ``(None, n_out)``, once built."""
        return (None, *self.layers[-1].output_shape) if self.built else None

    @property
    def output_dim(self) -> int | None:
        return self.layers[-1].output_dim if self.built else None

    def build(self, input_shape: int | tuple[int, ...] | None = None, *,
              input_dim: int | None = None) -> None:
        """Create every layer's parameters for examples of ``input_shape`` (samples excluded);
        an int n, or ``input_dim=n``, is the shape (n,): n input features. Keras's form with
        the batch axis, ``(None, *shape)``, is taken too; with no argument, the shape the model
        already knows (from ``Input`` or a first layer's ``input_shape``)."""
        if isinstance(input_shape, (tuple, list)) and len(input_shape) > 1 and input_shape[0] is None:
            input_shape = tuple(input_shape[1:])  # Keras's (None, ...): the batch axis dropped
        if input_shape is None and input_dim is None and self.example_shape is not None:
            input_shape = self.example_shape
        if (input_shape is None) == (input_dim is None):
            raise TypeError("build takes input_shape (a tuple, or an int n for n features) or "
                            f"input_dim; got input_shape={input_shape!r}, input_dim={input_dim!r}.")
        given = input_dim if input_shape is None else input_shape
        shape = check_shape(given, "input_shape" if isinstance(given, (tuple, list)) else "input_dim")
        if self.example_shape is not None and shape != self.example_shape:
            given = f"input_dim={shape[0]}" if len(shape) == 1 else f"input_shape={shape}"
            built = (f"{self.input_dim} input features" if len(self.example_shape) == 1
                     else f"inputs of shape {self.example_shape}")
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

    def __call__(self, inputs: Any, training: bool = False) -> np.ndarray:
        """Keras's ``model(x)``: the outputs for the batch x. In inference mode it is
        :meth:`predict_on_batch`; with ``training=True`` the layers run in training mode
        (Dropout drops, BatchNormalization uses the batch's statistics, without moving its
        averages)."""
        if not training:
            return self.predict_on_batch(inputs)
        self._require_layers("a call")
        A = np.asarray(inputs, dtype=self.dtype)
        self._build_layers(A.shape[1:])
        for layer in self.layers:
            A = layer(A, training=True)
        return A

    def _output_shape_for(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        # Walks the stack without building it, so validation can run before any state changes.
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.output_shape if layer.built else layer.output_shape_for(shape)
        return shape

    def _require_layers_intact(self, what: str) -> None:
        if self.layers or self._added:
            self._require_layers(what)

    def _require_layers(self, what: str) -> None:
        layers = self.layers
        if not (isinstance(layers, list) and len(layers) == len(self._added)
                and all(a is b for a, b in zip(layers, self._added, strict=True))):
            raise ValueError(
                f"{what}: model.layers was changed directly (it has {_names(layers)}; add() and "
                f"pop() made {_names(self._added)}). Use model.add(layer) and model.pop(), which "
                "name, type and build each layer.")
        if not layers:
            raise ValueError(f"{what}: the model has no layers; add some first.")

    def _require_built(self, what: str) -> None:
        self._require_layers(what)
        if not self.built:
            raise ValueError(
                f"{what}: the model is not built yet. Give input_dim to the first layer "
                "(Dense(units, input_dim=n_x)), call model.build(n_x), or fit it first."
            )

    def _regularization_loss(self) -> float:
        return float(sum(layer.regularization_loss() for layer in self.layers))

    def summary(self, print_fn: Any = print) -> dict[str, Any]:
        """Print and return the table of layers and parameter counts (see
        :func:`neuralkit.models.summary.summary`)."""
        return _summary(self, print_fn)

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


def _names(layers: Any) -> str:
    if not isinstance(layers, list):
        return f"a {type(layers).__name__}"
    return "[" + ", ".join(getattr(layer, "name", repr(layer)) for layer in layers) + "]"


_saving._register_model_class(Sequential)  # files name their model class; saving looks it up here
