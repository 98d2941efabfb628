"""A kernel and a bias from a layer's initializers, checked: what Dense and Conv2D share."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers

__all__ = ["initial_weights"]


def initial_weights(layer: Any, label: str, kernel_shape: tuple[int, ...], units: int) -> None:
    """Set ``layer.params`` to ``W`` of ``kernel_shape`` (and ``b`` of shape (units,) when the
    layer uses a bias) from its ``kernel_initializer`` and ``bias_initializer``, in its dtype,
    and ``layer.grads`` to zeros like them. An initializer that returns another shape is named
    in the error (``label`` is the layer's class as the user knows it)."""
    W = layer.kernel_initializer(kernel_shape, layer.rng)
    if np.shape(W) != kernel_shape:
        raise ValueError(f"{label} '{layer.name}': kernel_initializer returned shape "
                         f"{np.shape(W)}; expected {kernel_shape}.")
    layer.params = {"W": np.ascontiguousarray(W, dtype=layer.dtype)}
    if layer.use_bias:
        b = (np.zeros(units) if layer.bias_initializer is initializers.zeros
             else layer.bias_initializer((units,), layer.rng))
        if np.shape(b) != (units,):
            raise ValueError(f"{label} '{layer.name}': bias_initializer returned shape "
                             f"{np.shape(b)}; expected ({units},).")
        layer.params["b"] = np.asarray(b, dtype=layer.dtype)
    layer.grads = {k: np.zeros_like(v) for k, v in layer.params.items()}
