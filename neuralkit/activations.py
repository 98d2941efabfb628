"""Keras's ``keras.activations``: the activations as functions of an array, ``relu(x)``.

Each computes its layer's forward pass (:mod:`neuralkit.layers`), so ``relu(x)`` is
``ReLU().forward(x)``; ``Dense(k, activation=neuralkit.activations.relu)`` gives the layer the
``ReLU`` itself, exactly as ``activation="relu"`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._validation import _did_you_mean
from .layers.activations import LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from .layers.base import Layer
from .layers.more_activations import SELU, Exponential, HardSigmoid, Mish, ReLU6, Softsign
from .layers.smooth_activations import ELU, GELU, Softplus, Swish

__all__ = ["relu", "sigmoid", "tanh", "softmax", "linear", "leaky_relu", "elu", "gelu",
           "softplus", "swish", "silu", "selu", "softsign", "relu6", "hard_sigmoid", "mish",
           "exponential", "get"]


def _function(name: str, make: Callable[..., Layer], doc: str) -> Callable[..., np.ndarray]:
    def activation(x: Any, **kwargs: Any) -> np.ndarray:
        A = np.asarray(x, dtype=np.float64 if np.asarray(x).dtype.kind != "f" else None)
        layer = make(**kwargs)
        layer.dtype = A.dtype
        return layer.forward(A, False)

    activation.__name__ = activation.__qualname__ = name
    activation.__doc__ = doc
    activation.__activation_layer__ = make  # what Dense(activation=...) makes of it
    return activation


relu = _function("relu", ReLU, "max(x, 0).")
sigmoid = _function("sigmoid", Sigmoid, "1 / (1 + exp(-x)), never overflowing.")
tanh = _function("tanh", Tanh, "tanh(x).")
softmax = _function("softmax", Softmax, "The softmax of each row (the last axis).")
linear = _function("linear", Linear, "x itself.")
elu = _function("elu", ELU, "x if x > 0 else alpha (exp(x) - 1); ``alpha=1.0``.")
gelu = _function("gelu", GELU, "x Phi(x); ``approximate=False``.")
softplus = _function("softplus", Softplus, "log(1 + exp(x)), never overflowing.")
swish = _function("swish", Swish, "x sigmoid(x).")
silu = _function("silu", Swish, "x sigmoid(x) (the same as swish).")
selu = _function("selu", SELU, "scale (x if x > 0 else alpha (exp(x) - 1)), Keras's constants.")
softsign = _function("softsign", Softsign, "x / (1 + abs(x)).")
relu6 = _function("relu6", ReLU6, "min(max(x, 0), 6).")
hard_sigmoid = _function("hard_sigmoid", HardSigmoid, "clip(x / 6 + 1/2, 0, 1), as Keras 3.")
mish = _function("mish", Mish, "x tanh(softplus(x)), never overflowing.")
exponential = _function("exponential", Exponential,
                        "exp(x); inf beyond the float range, with np.exp's overflow signal.")
leaky_relu = _function("leaky_relu", lambda alpha=0.2, **kw: LeakyReLU(alpha=alpha, **kw),
                       "x if x > 0 else alpha x; Keras's ``alpha=0.2``.")


def get(identifier: Any) -> Callable[..., np.ndarray]:
    """The activation function of a name ('relu', ...) or the function itself."""
    if callable(identifier) and hasattr(identifier, "__activation_layer__"):
        return identifier
    table = {name: globals()[name] for name in __all__ if name != "get"}
    if isinstance(identifier, str) and identifier.lower() in table:
        return table[identifier.lower()]
    raise ValueError(f"unknown activation {identifier!r}{_did_you_mean(identifier, table)}; "
                     f"expected one of {sorted(table)}.")
