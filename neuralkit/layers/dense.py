"""Dense: the course's linear step Z = W A_prev + b, with samples as rows, and an optional
activation A = g(Z)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from .. import regularizers as _regularizers
from .._numerics import ones
from .._validation import check_positive_int, check_shape
from . import activations
from ._weights import initial_weights
from .base import Layer

__all__ = ["Dense"]


class Dense(Layer):
    """Fully connected layer.

    Forward (:meth:`linear_forward`, then the activation g when one is given)::

        Z = A_prev @ W.T + b          A_prev (m, n[l-1]), W (n[l], n[l-1]), b (n[l],), Z (m, n[l])
        A = g(Z)

    Backward, given dA = dL/dA (m, n[l]) (the loss already divided by m): dZ = g's backward
    of dA (dZ = dA without an activation), then (:meth:`linear_backward`)::

        dW      = dZ.T @ A_prev       (n[l], n[l-1])   the course's 1/m dZ A_prev^T
        db      = sum(dZ, axis=0)     (n[l],)          the course's 1/m sum(dZ)
        dA_prev = dZ @ W              (m, n[l-1])      the course's W^T dZ

    Cache: A_prev (here) and what the activation keeps (in ``self.activation``).

    Parameters
    ----------
    units : int
        n[l], the number of outputs.
    activation : str or Layer, optional
        'relu', 'sigmoid', 'softmax', ... (``neuralkit.layers.activations.ACTIVATIONS``) or an
        activation layer; None or 'linear' for none. ``Dense(k, activation='softmax')`` followed
        by the categorical cross-entropy (or 'sigmoid' and the binary one) is fused exactly as
        ``Dense(k), Softmax()`` is, with the same numbers.
    use_bias : bool, default True
        Without it, Z = A_prev @ W.T and the layer has no ``b``.
    kernel_initializer : str or callable, default 'glorot_uniform'
        'glorot_uniform', 'he_normal', 'small_random' (the course's randn * 0.01), 'zeros',
        'ones', or a callable ``f(shape, rng)``.
    bias_initializer : str or callable, default 'zeros'
    kernel_regularizer : Regularizer or 'l2', optional
        Penalty on W added to the loss and to dW, e.g. ``L2(0.01)``: ``0.01 * sum(W**2)``
        and ``dW += 0.02 W`` (Keras's scaling, independent of the batch size; the course's
        ``lambda / (2 m) ||W||^2`` is ``L2(lambda / (2 m))``, see :mod:`neuralkit.regularizers`).
    input_shape : tuple of int, optional
        ``(n[l-1],)``; given on the first layer, the model is built at construction.
    input_dim : int, optional
        n[l-1], the same as ``input_shape=(n[l-1],)``.
    name : str, optional
    l2 : float, optional
        Shorthand for ``kernel_regularizer=L2(l2)``.
    trainable : bool, default True
        False freezes W and b (see :class:`~neuralkit.layers.Layer`).

    Notes
    -----
    W is (units, n[l-1]), the course's layout and PyTorch's ``nn.Linear.weight``; a Keras
    kernel is its transpose, (n[l-1], units).
    """

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        input_shape: tuple[int, ...] | None = None,
        input_dim: int | None = None,
        name: str | None = None,
        l2: float | None = None,
        trainable: bool = True,
    ) -> None:
        super().__init__(name=name, input_dim=input_dim, input_shape=input_shape,
                         trainable=trainable)
        self.units = check_positive_int(units, "units")
        if not isinstance(use_bias, (bool, np.bool_)):
            raise TypeError(f"use_bias must be True or False; got {use_bias!r}.")
        self.use_bias = bool(use_bias)
        self._init_name = kernel_initializer if isinstance(kernel_initializer, str) else None
        self.kernel_initializer = initializers.get(kernel_initializer)
        self._bias_init_name = bias_initializer if isinstance(bias_initializer, str) else None
        self.bias_initializer = initializers.get(bias_initializer, "bias_initializer")
        if l2 is not None and kernel_regularizer is not None:
            raise ValueError("give either kernel_regularizer or l2, not both; got "
                             f"kernel_regularizer={kernel_regularizer!r} and l2={l2!r}.")
        self.kernel_regularizer = (_regularizers.L2(l2) if l2 is not None
                                   else _regularizers.get(kernel_regularizer))
        if isinstance(activation, str) and activation.lower() == "linear":
            activation = None
        self._activation_name = activation if isinstance(activation, str) else None
        self.activation: Layer | None = activations.get(activation)

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) != 1:
            raise ValueError(
                f"Dense '{self.name}' takes examples of n features, shape (n,); its inputs "
                f"have shape {tuple(input_shape)}. Flatten them first (X.reshape(len(X), -1)).")
        return (self.units,)

    def build(self, input_shape: tuple[int, ...] | int) -> None:
        """W (units, n_prev) from the initializer and b (units,), for inputs (n_prev,)."""
        input_shape = check_shape(input_shape, "input_shape")
        self.compute_output_shape(input_shape)  # refuses inputs that are not (n_prev,)
        shape = (self.units, input_shape[0])
        initial_weights(self, "Dense", shape, self.units)
        if self.activation is not None:
            self.activation.dtype, self.activation.rng = self.dtype, self.rng
            self.activation._ensure_built((self.units,))
        super().build(input_shape)

    def linear_forward(self, A_prev: np.ndarray, training: bool = True,
                       out: np.ndarray | None = None) -> np.ndarray:
        """Z = A_prev @ W.T + b, (m, units); written into ``out`` when given (fit reuses one)."""
        self.cache = A_prev
        Z = np.matmul(A_prev, self.params["W"].T, out=out)
        if self.use_bias:
            Z += self.params["b"]
        return Z

    def linear_backward(self, dZ: np.ndarray, out: np.ndarray | None = None) -> np.ndarray | None:
        """Fills dW and db from dZ; returns dA_prev = dZ @ W (into ``out`` when given), or None
        when no layer below needs it."""
        A_prev = self.cache
        # Written into the gradient arrays made at build: no allocation per batch.
        np.matmul(dZ.T, A_prev, out=self.grads["W"], casting="same_kind")
        if self.use_bias:
            np.matmul(ones(dZ.shape[0], dZ.dtype), dZ, out=self.grads["b"], casting="same_kind")
        if self.kernel_regularizer is not None:
            self.kernel_regularizer.add_gradient(self.params["W"], self.grads["W"])
        if not self.needs_input_grad:
            return None
        return np.matmul(dZ, self.params["W"], out=out)

    def forward(self, A_prev: np.ndarray, training: bool = True,
                out: np.ndarray | None = None) -> np.ndarray:
        """A = g(A_prev @ W.T + b), or Z without an activation (into ``out`` when given)."""
        Z = self.linear_forward(A_prev, training, out)
        return Z if self.activation is None else self.activation.forward(Z, training)

    def backward(self, dA: np.ndarray, out: np.ndarray | None = None) -> np.ndarray | None:
        """Fills dW and db; returns dA_prev (into ``out`` when given), or None when no layer
        below needs it."""
        dZ = dA if self.activation is None else self.activation.backward(dA)
        return self.linear_backward(dZ, out)

    @property
    def kernel(self) -> np.ndarray:
        """Keras's kernel (n[l-1], units): a transposed view of W (writes go to W)."""
        return self.__getattr__("kernel").T

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
        if self.activation is not None:  # left out without one: the form of neuralkit 0.1
            config["activation"] = self._activation_name or self.activation
        if not self.use_bias:
            config["use_bias"] = False
        if self.bias_initializer is not initializers.zeros:
            config["bias_initializer"] = self._bias_init_name or self.bias_initializer
        if self.kernel_regularizer is not None:
            config["kernel_regularizer"] = {"name": self.kernel_regularizer.name,
                                            **self.kernel_regularizer.get_config()}
        return config
