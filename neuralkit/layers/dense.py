"""Dense: the course's linear step Z = W A_prev + b, with samples as rows."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from .base import Layer, _positive_int


class Dense(Layer):
    """Fully connected layer.

    Forward::

        Z = A_prev @ W.T + b          A_prev (m, n[l-1]), W (n[l], n[l-1]), b (n[l],), Z (m, n[l])

    Backward, given dZ = dL/dZ (m, n[l]) (the loss already divided by m)::

        dW      = dZ.T @ A_prev       (n[l], n[l-1])   the course's 1/m dZ A_prev^T
        db      = sum(dZ, axis=0)     (n[l],)          the course's 1/m sum(dZ)
        dA_prev = dZ @ W              (m, n[l-1])      the course's W^T dZ

    Parameters
    ----------
    units : int
        n[l], the number of outputs.
    kernel_initializer : str or callable, default 'glorot_uniform'
        'glorot_uniform', 'he_normal' or 'small_random' (the course's randn * 0.01), or a
        callable ``f(shape, rng)``. Biases start at zero.
    input_dim : int, optional
        n[l-1]; given on the first layer, the model is built at construction.
    name : str, optional
    """

    def __init__(
        self,
        units: int,
        kernel_initializer: Any = "glorot_uniform",
        input_dim: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name, input_dim=input_dim)
        self.units = _positive_int(units, "units")
        self._init_name = kernel_initializer if isinstance(kernel_initializer, str) else None
        self.kernel_initializer = initializers.get(kernel_initializer)

    def compute_output_dim(self, input_dim: int) -> int:
        return self.units

    def build(self, input_dim: int) -> None:
        shape = (self.units, int(input_dim))
        W = self.kernel_initializer(shape, self.rng)
        if np.shape(W) != shape:
            raise ValueError(
                f"Dense '{self.name}': kernel_initializer returned shape {np.shape(W)}; "
                f"expected {shape}."
            )
        self.params = {
            "W": np.ascontiguousarray(W, dtype=self.dtype),
            "b": np.zeros(self.units, dtype=self.dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        super().build(input_dim)

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        self.cache = A_prev
        Z = A_prev @ self.params["W"].T
        Z += self.params["b"]
        return Z

    def backward(self, dZ: np.ndarray) -> np.ndarray | None:
        A_prev = self.cache
        # Written into the gradient arrays made at build: no allocation per batch.
        np.matmul(dZ.T, A_prev, out=self.grads["W"], casting="same_kind")
        np.sum(dZ, axis=0, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        return dZ @ self.params["W"]

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["units"] = self.units
        # A callable initialiser is given back as itself (saving stores it by name).
        config["kernel_initializer"] = (self._init_name if self._init_name is not None
                                        else self.kernel_initializer)
        return config
