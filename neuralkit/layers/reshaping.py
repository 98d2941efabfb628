"""Layers that only rearrange the values of each example: Flatten and Reshape (Keras's)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import check_int
from .base import Layer

__all__ = ["Flatten", "Reshape"]


class Flatten(Layer):
    """Each example as one row of features, in C order (Keras's, channels last)::

        A = A_prev.reshape(m, H * W * C)        feature (h W + w) C + c is A_prev[i, h, w, c]
        dA_prev = dA.reshape(m, H, W, C)

    so a Dense after it sees the features of Keras's Flatten in the same order, and its
    weights carry over (transposed, as for every Dense). Any example shape works; a batch of
    (m,) values becomes (m, 1). Cache: the input shape. No copy when A_prev is contiguous.

    Parameters
    ----------
    data_format : {'channels_last', 'channels_first'}, optional
        Keras's: 'channels_first' reads the examples as (C, H, W) and flattens them in the
        channels-last order (h, w, c), as Keras does.
    name : str, optional
    input_shape : tuple of int, optional
    """

    def __init__(self, data_format: str | None = None, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None, input_dim: int | None = None,
                 trainable: bool = True) -> None:
        super().__init__(name=name, input_dim=input_dim, input_shape=input_shape,
                         trainable=trainable)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError("data_format must be 'channels_last', 'channels_first' or None; "
                             f"got {data_format!r}.")
        self.data_format = data_format or "channels_last"

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (math.prod(input_shape),)

    def _channels_first(self, ndim: int) -> bool:
        return self.data_format == "channels_first" and ndim > 2

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        self.cache = A_prev.shape
        if self._channels_first(A_prev.ndim):
            A_prev = np.moveaxis(A_prev, 1, -1)
        return A_prev.reshape(A_prev.shape[0], -1)

    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        shape = self.cache
        if not self.needs_input_grad:
            return None
        if self._channels_first(len(shape)):
            last = (shape[0], *shape[2:], shape[1])
            return np.moveaxis(dA.reshape(last), -1, 1)
        return dA.reshape(shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if self.data_format != "channels_last":
            config["data_format"] = self.data_format
        return config


def _target(target_shape: Any) -> tuple[int, ...]:
    if isinstance(target_shape, (int, np.integer)) and not isinstance(target_shape, bool):
        target_shape = (target_shape,)
    if not isinstance(target_shape, (tuple, list)) or not target_shape:
        raise TypeError("target_shape must be a non-empty tuple of ints (samples excluded), one "
                        f"of which may be -1; got {target_shape!r}.")
    dims = tuple(-1 if n == -1 and not isinstance(n, bool) else
                 check_int(n, f"target_shape[{i}]", 1) for i, n in enumerate(target_shape))
    if dims.count(-1) > 1:
        raise ValueError(f"target_shape may have one -1 (the size left over); got {target_shape!r}.")
    return dims


class Reshape(Layer):
    """Each example reshaped to ``target_shape`` (Keras's), in C order::

        A = A_prev.reshape(m, *target_shape)      dA_prev = dA.reshape(m, *input_shape)

    One entry of ``target_shape`` may be -1: it becomes the size left over, as in NumPy and
    Keras. The example's size must not change. Cache: the input shape.

    Parameters
    ----------
    target_shape : tuple of int
        The shape of one output example, samples excluded.
    name : str, optional
    input_shape : tuple of int, optional
    """

    def __init__(self, target_shape: tuple[int, ...], name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None, input_dim: int | None = None,
                 trainable: bool = True) -> None:
        super().__init__(name=name, input_dim=input_dim, input_shape=input_shape,
                         trainable=trainable)
        self.target_shape = _target(target_shape)

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        size = math.prod(input_shape)
        known = math.prod(n for n in self.target_shape if n != -1)
        where = f"Reshape '{self.name}'"
        if -1 not in self.target_shape:
            if known != size:
                raise ValueError(
                    f"{where}: target_shape {self.target_shape} holds {known} values but its "
                    f"inputs {tuple(input_shape)} hold {size} per example; the sizes must match.")
            return self.target_shape
        if size % known:
            raise ValueError(
                f"{where}: its inputs {tuple(input_shape)} hold {size} values per example, not "
                f"a multiple of the {known} of target_shape {self.target_shape} without its -1.")
        return tuple(size // known if n == -1 else n for n in self.target_shape)

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        self.cache = A_prev.shape
        return A_prev.reshape(A_prev.shape[0], *self.output_shape_for(A_prev.shape[1:]))

    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        shape = self.cache
        if not self.needs_input_grad:
            return None
        return dA.reshape(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": self.target_shape}
