"""The abstract :class:`Layer`: parameters, gradients, a cache, forward and backward."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from .._validation import check_positive_int

_MISSING = object()


def _snake_case(name: str) -> str:
    # "LeakyReLU" -> "leaky_relu", "Dense" -> "dense", "MyLayer2" -> "my_layer2"
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


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
    input_dim, output_dim : int or None
        Number of features coming in and going out, known once the layer is built.
    dtype : numpy.dtype
        Floating type of the parameters (set by the model before building).

    Subclassing
    -----------
    Implement :meth:`forward` and :meth:`backward`; if the layer has parameters, also
    :meth:`build` (create ``self.params`` and matching zero ``self.grads``), and
    :meth:`compute_output_dim` if the layer changes the number of features. Store what
    backward needs with ``self.cache = ...`` in forward and read it back with
    ``self.cache`` in backward: reading it before any forward raises a clear error.
    Random draws come from ``self.rng``, which the model seeds.
    """

    def __init__(self, name: str | None = None, input_dim: int | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string or None; got {type(name).__name__}.")
        self.name = name if name is not None else _snake_case(type(self).__name__)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.built = False
        self.input_dim = None if input_dim is None else check_positive_int(input_dim, "input_dim")
        self.output_dim: int | None = None
        self.dtype = np.dtype(np.float64)
        self._rng: np.random.Generator | None = None
        self._cache: Any = _MISSING
        # The model clears this on its first layer: nobody needs dL/dX, so Dense skips dX.
        self.needs_input_grad = True

    # ------------------------------------------------------------------ building
    def build(self, input_dim: int) -> None:
        """Create the parameters for ``input_dim`` input features.

        The base version creates none; layers with parameters override it and call
        ``super().build(input_dim)`` (or set ``self.built``) at the end.
        """
        self.input_dim = int(input_dim)
        self.output_dim = self.compute_output_dim(self.input_dim)
        self.built = True

    def compute_output_dim(self, input_dim: int) -> int:
        """Number of output features for ``input_dim`` input features (default: same)."""
        return input_dim

    def _ensure_built(self, input_dim: int) -> None:
        if not self.built:
            self.build(input_dim)
            if not self.built:  # a subclass build that forgot super().build()
                self.input_dim = int(input_dim)
                self.output_dim = self.compute_output_dim(self.input_dim)
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
    def count_params(self) -> int:
        """Number of scalar parameters."""
        return int(sum(p.size for p in self.params.values()))

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this layer (used by summary and saving)."""
        config: dict[str, Any] = {"name": self.name}
        if self.input_dim is not None:
            config["input_dim"] = self.input_dim
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Make a layer from the output of :meth:`get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"

