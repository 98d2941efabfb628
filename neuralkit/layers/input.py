"""Input: the shape of one example, given at the front of a model as Keras does."""

from __future__ import annotations

from typing import Any

from .._validation import check_shape

__all__ = ["Input"]


class Input:
    """``Sequential([Input(shape=(n_x,)), Dense(...), ...])``: the model is built at once.

    Not a layer: it computes nothing and is not in ``model.layers`` (as in Keras 3). The
    shape excludes the samples axis.

    Parameters
    ----------
    shape : tuple of int
        The shape of one example, ``(n_x,)`` for n_x features.
    name : str, optional
    """

    def __init__(self, shape: tuple[int, ...] | int, name: str | None = None,
                 **kwargs: Any) -> None:
        if kwargs.get("batch_size") is not None or kwargs.get("sparse"):
            raise ValueError(f"Input takes shape (and name); neuralkit does not use "
                             f"{sorted(k for k, v in kwargs.items() if v is not None)}.")
        self.shape = check_shape(shape, "Input shape")
        self.name = name

    def __repr__(self) -> str:
        return f"Input(shape={self.shape})"
