"""Dense: the course's linear step Z = W A_prev + b, with samples as rows."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from .. import regularizers as _regularizers
from .._numerics import ones
from .._validation import check_positive_int, check_shape
from .base import Layer

__all__ = ["Dense"]


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
    input_shape : tuple of int, optional
        The same as ``(input_dim,)``.
    name : str, optional
    kernel_regularizer : Regularizer or 'l2', optional
        Penalty on W added to the loss and to dW, e.g. ``L2(0.01)``: ``0.01 * sum(W**2)``
        and ``dW += 0.02 W`` (Keras's scaling, independent of the batch size; the course's
        ``lambda / (2 m) ||W||^2`` is ``L2(lambda / (2 m))``, see :mod:`neuralkit.regularizers`).
    l2 : float, optional
        Shorthand for ``kernel_regularizer=L2(l2)``.
    """

    def __init__(
        self,
        units: int,
        kernel_initializer: Any = "glorot_uniform",
        input_dim: int | None = None,
        name: str | None = None,
        kernel_regularizer: Any = None,
        l2: float | None = None,
        input_shape: tuple[int, ...] | None = None,
    ) -> None:
        super().__init__(name=name, input_dim=input_dim, input_shape=input_shape)
        self.units = check_positive_int(units, "units")
        self._init_name = kernel_initializer if isinstance(kernel_initializer, str) else None
        self.kernel_initializer = initializers.get(kernel_initializer)
        if l2 is not None and kernel_regularizer is not None:
            raise ValueError("give either kernel_regularizer or l2, not both; got "
                             f"kernel_regularizer={kernel_regularizer!r} and l2={l2!r}.")
        self.kernel_regularizer = (_regularizers.L2(l2) if l2 is not None
                                   else _regularizers.get(kernel_regularizer))

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) != 1:
            raise ValueError(
                f"Dense '{self.name}' takes examples of n features, shape (n,); its inputs "
                f"have shape {tuple(input_shape)}. Flatten them first (X.reshape(len(X), -1)).")
        return (self.units,)

    def build(self, input_shape: tuple[int, ...] | int) -> None:
        """W (units, n_prev) from the initializer and b (units,) zeros, for inputs (n_prev,)."""
        input_shape = check_shape(input_shape, "input_shape")
        self.compute_output_shape(input_shape)  # refuses inputs that are not (n_prev,)
        shape = (self.units, input_shape[0])
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
        super().build(input_shape)

    def forward(self, A_prev: np.ndarray, training: bool = True,
                out: np.ndarray | None = None) -> np.ndarray:
        """Z = A_prev @ W.T + b, (m, units); written into ``out`` when given (fit reuses one)."""
        self.cache = A_prev
        Z = np.matmul(A_prev, self.params["W"].T, out=out)
        Z += self.params["b"]
        return Z

    def backward(self, dZ: np.ndarray, out: np.ndarray | None = None) -> np.ndarray | None:
        """Fills dW and db; returns dA_prev = dZ @ W (into ``out`` when given), or None when
        no layer below needs it."""
        A_prev = self.cache
        # Written into the gradient arrays made at build: no allocation per batch.
        np.matmul(dZ.T, A_prev, out=self.grads["W"], casting="same_kind")
        np.matmul(ones(dZ.shape[0], dZ.dtype), dZ, out=self.grads["b"], casting="same_kind")
        if self.kernel_regularizer is not None:
            self.kernel_regularizer.add_gradient(self.params["W"], self.grads["W"])
        if not self.needs_input_grad:
            return None
        return np.matmul(dZ, self.params["W"], out=out)

    def regularization_loss(self) -> float:
        """The kernel regularizer's penalty on W (0 without one)."""
        if self.kernel_regularizer is None or not self.built:
            return 0.0
        return self.kernel_regularizer.penalty(self.params["W"])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["units"] = self.units
        # A callable initializer is given back as itself (saving stores it by name).
        config["kernel_initializer"] = (self._init_name if self._init_name is not None
                                        else self.kernel_initializer)
        if self.kernel_regularizer is not None:
            config["kernel_regularizer"] = {"name": self.kernel_regularizer.name,
                                            **self.kernel_regularizer.get_config()}
        return config
