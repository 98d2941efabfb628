"""The abstract :class:`Layer`: parameters, gradients, a cache, forward and backward."""

from __future__ import annotations

import functools
import inspect
import re
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from .._validation import check_shape

__all__ = ["Layer"]

_MISSING = object()

Shape = tuple[int, ...]


def _snake_case(name: str) -> str:
    # Keras's rule: "LeakyReLU" -> "leaky_re_lu", "Dense" -> "dense", "MaxPooling2D" ->
    # "max_pooling2d", "MyLayer2" -> "my_layer2".
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


@functools.cache
def _builds_from_dim(cls: type) -> bool:
    """True for a layer class written for neuralkit 0.1, whose ``build(self, input_dim)`` takes
    the number of input features (an int) rather than the input shape (a tuple)."""
    parameters = list(inspect.signature(cls.build).parameters)
    return len(parameters) > 1 and parameters[1] == "input_dim"


def _given_shape(input_dim: int | None, input_shape: Shape | None) -> Shape | None:
    if input_dim is not None and input_shape is not None:
        raise ValueError(f"give either input_dim or input_shape, not both; got input_dim="
                         f"{input_dim!r} and input_shape={input_shape!r}.")
    if input_shape is not None:
        return check_shape(input_shape, "input_shape")
    return None if input_dim is None else check_shape(input_dim, "input_dim")


class Layer(ABC):
    """Base class of every layer, ours and a user's.

    A layer owns its parameters and their gradients, and keeps in its cache what its
    backward pass needs from the last forward pass.

    Attributes
    ----------
    params : dict[str, ndarray]
        Trainable arrays by name (``{'W': ..., 'b': ...}`` for Dense). Optimizers update
        these arrays in place, so a reference to one stays valid during training.
    grads : dict[str, ndarray]
        dL/d(param) under the same names, filled by :meth:`backward`.
    input_shape, output_shape : tuple of int, or None
        Shape of one example coming in and going out (the samples axis excluded): ``(n,)``
        for n features. Known once the layer is built.
    input_dim, output_dim : int or None
        The last axis of those shapes: the number of features of a dense layer.
    dtype : numpy.dtype
        Floating type of the parameters (set by the model before building).

    Subclassing
    -----------
    Implement :meth:`forward` and :meth:`backward`; if the layer has parameters, also
    :meth:`build` (create ``self.params`` and matching zero ``self.grads``), and
    :meth:`compute_output_shape` if the layer changes the shape. Store what backward needs
    with ``self.cache = ...`` in forward and read it back with ``self.cache`` in backward:
    reading it before any forward raises a clear error. Random draws come from ``self.rng``,
    which the model seeds.

    Layers written for neuralkit 0.1 keep working: a ``build(self, input_dim)`` (the
    parameter named ``input_dim``) is given the number of features, an int, and a
    ``compute_output_dim(input_dim)`` is used for the output shape.
    """

    def __init__(self, name: str | None = None, input_dim: int | None = None,
                 input_shape: Shape | None = None, trainable: bool = True) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string or None; got {type(name).__name__}.")
        self.name = name if name is not None else _snake_case(type(self).__name__)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        #: Arrays the layer updates itself, not the optimizer (BatchNormalization's moving
        #: statistics): saved with the model, part of get_weights, never trained.
        self.state: dict[str, np.ndarray] = {}
        self.built = False
        self.input_shape: Shape | None = _given_shape(input_dim, input_shape)
        self.output_shape: Shape | None = None
        self.dtype = np.dtype(np.float64)
        self._rng: np.random.Generator | None = None
        self._cache: Any = _MISSING
        # The model clears this on its first layer: nobody needs dL/dX, so Dense skips dX.
        self.needs_input_grad = True
        self.trainable = trainable

    @property
    def trainable(self) -> bool:
        """False freezes the layer: fit leaves its parameters as they are (its backward still
        passes dL/dA_prev to the layers below). Takes effect at the next ``fit``."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"trainable must be True or False; got {value!r}.")
        self._trainable = bool(value)

    # ------------------------------------------------------------------ shapes
    @property
    def input_dim(self) -> int | None:
        """Number of input features (the last axis of ``input_shape``), once known."""
        return None if self.input_shape is None else self.input_shape[-1]

    @input_dim.setter
    def input_dim(self, value: int | None) -> None:
        self.input_shape = None if value is None else check_shape(value, "input_dim")

    @property
    def output_dim(self) -> int | None:
        """Number of output features (the last axis of ``output_shape``), once known."""
        return None if self.output_shape is None else self.output_shape[-1]

    @output_dim.setter
    def output_dim(self, value: int | None) -> None:
        self.output_shape = None if value is None else check_shape(value, "output_dim")

    # ------------------------------------------------------------------ building
    def build(self, input_shape: Shape) -> None:
        """Create the parameters for examples of shape ``input_shape`` (samples excluded).

        The base version creates none; layers with parameters override it and call
        ``super().build(input_shape)`` (or set ``self.built``) at the end.
        """
        self.input_shape = check_shape(input_shape, "input_shape")
        self.output_shape = self.output_shape_for(self.input_shape)
        self.built = True

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """Shape of one output example for one input example of ``input_shape`` (default: the
        same). Override it in a layer that changes the shape."""
        return input_shape

    def compute_output_dim(self, input_dim: int) -> int:
        """Number of output features for ``input_dim`` input features (the 0.1 form of
        :meth:`compute_output_shape`, still honoured when a subclass overrides it)."""
        return input_dim

    def output_shape_for(self, input_shape: Shape) -> Shape:
        """The output shape, from :meth:`compute_output_shape` or a 0.1 ``compute_output_dim``."""
        shape = check_shape(input_shape, "input_shape")
        if type(self).compute_output_dim is not Layer.compute_output_dim and len(shape) == 1:
            return check_shape(self.compute_output_dim(shape[0]), "compute_output_dim()")
        return check_shape(self.compute_output_shape(shape), "compute_output_shape()")

    def _ensure_built(self, input_shape: Shape | int) -> None:
        if self.built:
            return
        shape = check_shape(input_shape, "input_shape")
        if _builds_from_dim(type(self)):
            if len(shape) != 1:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': its build(self, input_dim) takes a "
                    f"number of features, but its inputs have shape {shape}. Define "
                    "build(self, input_shape) to take the shape (a tuple)."
                )
            self.build(shape[0])
        else:
            self.build(shape)
        if not self.built:  # a subclass build that forgot super().build()
            self.input_shape = shape
            self.output_shape = self.output_shape_for(shape)
            self.built = True

    @property
    def rng(self) -> np.random.Generator:
        """Random generator for initialization (and dropout); the model sets a seeded one."""
        if self._rng is None:
            self._rng = np.random.default_rng()
        return self._rng

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        self._rng = value

    # ------------------------------------------------------------------ the cache
    @property
    def cache(self) -> Any:
        """What the last forward pass kept for backward; an error if there was none."""
        if self._cache is _MISSING:
            raise RuntimeError(
                f"{type(self).__name__} layer '{self.name}': backward() was called before "
                "forward(); run a forward pass first."
            )
        return self._cache

    @cache.setter
    def cache(self, value: Any) -> None:
        self._cache = value

    def clear_cache(self) -> None:
        """Drop the arrays kept for backward (frees the memory of the last batch)."""
        self._cache = _MISSING

    # ------------------------------------------------------------------ maths
    def __call__(self, inputs: Any, training: bool = False) -> np.ndarray:
        """Keras's ``layer(x)``: :meth:`forward` on the batch x (m, ...), in inference mode
        unless ``training``; builds the layer from x's example shape on the first call."""
        A = np.asarray(inputs)
        A = A.astype(self.dtype if self.built or A.dtype.kind != "f" else A.dtype, copy=False)
        if A.ndim < 2:
            raise ValueError(f"{type(self).__name__} '{self.name}': a call takes a batch, an "
                             f"array of shape (m, ...); got shape {A.shape}. For one example "
                             "x, call it on x[None].")
        if not self.built:
            self.dtype = A.dtype
            self._ensure_built(A.shape[1:])
        elif A.shape[1:] != tuple(self.input_shape):
            raise ValueError(f"{type(self).__name__} '{self.name}' takes examples of shape "
                             f"{tuple(self.input_shape)}; got a batch of shape {A.shape}.")
        return self.forward(A, training)

    @abstractmethod
    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        """Compute the layer's output from ``A_prev`` (m, input_dim) and cache what backward needs."""

    @abstractmethod
    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        """Take dL/d(output) (m, output_dim), fill ``self.grads``, return dL/d(input)."""

    def regularization_loss(self) -> float:
        """Penalty this layer adds to the loss (0 unless the layer regularizes its parameters)."""
        return 0.0

    # ------------------------------------------------------------------ bookkeeping
    @property
    def weights(self) -> list[np.ndarray]:
        """Keras's list of the layer's arrays: the parameters, then the state (live arrays:
        writing into one changes the layer)."""
        return [*self.params.values(), *self.state.values()]

    @property
    def trainable_weights(self) -> list[np.ndarray]:
        """The parameters the optimizer updates: all of them, or none when not ``trainable``."""
        return list(self.params.values()) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[np.ndarray]:
        """The state, and the parameters of a layer that is not ``trainable``."""
        frozen = [] if self.trainable else list(self.params.values())
        return [*frozen, *self.state.values()]

    def __getattr__(self, name: str) -> Any:
        # Keras's layer.kernel (W itself; Dense's is W.T) and layer.bias (b, or None without
        # one) of a layer with a kernel W, looked up only when no attribute has the name, so a
        # custom layer may still set self.kernel itself.
        params = self.__dict__.get("params", {})
        if name in ("kernel", "bias") and "W" in params:
            return params["W"] if name == "kernel" else params.get("b")
        unbuilt = (name in ("kernel", "bias") and "built" in self.__dict__
                   and not self.__dict__["built"])
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}"
                             + (" yet: it is made when the layer is built" if unbuilt else ""))

    def count_params(self) -> int:
        """Number of scalar parameters."""
        return int(sum(p.size for p in self.params.values()))

    def after_update(self) -> None:  # noqa: B027 - a hook: most layers have nothing to do
        """Called by fit after each batch whose update was applied (not when it was undone):
        where a layer with ``state`` moves it (the base does nothing)."""

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the parameters, in ``params`` order, then of the ``state`` arrays, each in
        this layer's layout (Dense: W (units, n_prev), b (units,))."""
        return [value.copy() for value in (*self.params.values(), *self.state.values())]

    def set_weights(self, weights: list[Any]) -> None:
        """Load arrays given in the order and shapes of :meth:`get_weights`; every one is
        checked (count, shape, numbers, finite) before any is written."""
        for target, value in self._checked_weights(weights):
            target[...] = value  # in place: optimizer state and references stay valid

    def _checked_weights(self, weights: list[Any]) -> list[tuple[np.ndarray, np.ndarray]]:
        if not isinstance(weights, (list, tuple)):
            raise TypeError(f"{type(self).__name__} '{self.name}': set_weights takes a list of "
                            f"arrays; got {type(weights).__name__}.")
        arrays = {**self.params, **self.state}
        names = list(arrays)
        if len(weights) != len(names):
            raise ValueError(f"{type(self).__name__} '{self.name}' has {len(names)} weight arrays "
                             f"({', '.join(names) or 'none'}); got {len(weights)}.")
        checked = []
        for name, value in zip(names, weights, strict=True):
            target = arrays[name]
            value = np.asarray(value)
            if value.dtype.kind not in "biuf":
                raise TypeError(f"weight '{name}' of '{self.name}' must be numeric; got dtype "
                                f"{value.dtype}.")
            if value.shape != target.shape:
                hint = (" It looks transposed (a Keras kernel is (n_prev, units)): pass its .T."
                        if value.shape == target.shape[::-1] and value.ndim == 2 else "")
                raise ValueError(f"weight '{name}' of '{self.name}' has shape {target.shape}; got "
                                 f"{value.shape}.{hint}")
            if not np.isfinite(value).all():
                raise ValueError(f"weight '{name}' of '{self.name}' contains NaN or inf.")
            checked.append((target, value))
        return checked

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this layer (used by summary and saving)."""
        config: dict[str, Any] = {"name": self.name}
        shape = self.input_shape
        if shape is not None:  # 1-D as input_dim, the form files of neuralkit 0.1 hold
            config.update({"input_dim": shape[0]} if len(shape) == 1 else {"input_shape": shape})
        if not self.trainable:
            config["trainable"] = False
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Make a layer from the output of :meth:`get_config`."""
        config = dict(config)
        trainable = config.pop("trainable", True)
        layer = cls(**config)
        layer.trainable = trainable
        return layer

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"

