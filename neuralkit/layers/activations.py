"""Activation layers: A = g(Z) elementwise (Softmax: per row), no parameters; the registry of
activation names and Keras's ``Activation``.

Each backward takes dA = dL/dA and returns dZ = dL/dZ = dA * g'(Z) (Softmax: the full
Jacobian-vector product, not only its diagonal). The smooth activations (ELU, GELU, Softplus,
Swish) live in :mod:`neuralkit.layers.smooth_activations`, SELU, Softsign, ReLU6, HardSigmoid,
Mish and Exponential in :mod:`neuralkit.layers.more_activations` (Exponential is the one that
can overflow: exp(Z) is no float for Z > 709.78).

None overflows or makes a NaN (the elementwise ones for any finite Z, Softmax for rows whose
spread fits in a float), and none raises under ``np.seterr(all="raise")``. Underflow is
rounding, not an error: where a result can fall below the smallest normal float (Softmax's exp
of a logit far below its row's maximum, a small gradient times a saturated derivative) it
becomes a subnormal or 0, its correctly rounded value. No arrangement of ``dA * g'(Z)`` avoids
that without flushing small gradients to zero, so those maths run under
``np.errstate(under="ignore")``: every bit is kept, and the caller's settings for overflow,
division and invalid operations stay in force.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._numerics import sigmoid, softmax
from .._validation import _did_you_mean, check_number
from .base import Layer
from .more_activations import SELU, Exponential, HardSigmoid, Mish, ReLU6, Softsign
from .smooth_activations import ELU, GELU, SiLU, Softplus, Swish

__all__ = ["Linear", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "ELU", "GELU", "Softplus",
           "Swish", "SiLU", "SELU", "Softsign", "ReLU6", "HardSigmoid", "Mish", "Exponential",
           "ACTIVATIONS", "get", "Activation"]


class Linear(Layer):
    """Identity, the course's "linear" output activation: A = Z, dZ = dA."""

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        self.cache = None
        return Z

    def backward(self, dA: np.ndarray) -> np.ndarray:
        self.cache  # noqa: B018 - raises if forward has not run
        return dA


class ReLU(Layer):
    """A = max(0, Z);  dZ = dA * [Z > 0] (the derivative at 0 is taken as 0, as in the course)."""

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        A = np.maximum(Z, 0)
        self.cache = A
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        A = self.cache  # A > 0 exactly where Z > 0
        # dA * mask is ~3x faster than np.where(mask, dA, 0) and gives the same numbers.
        return dA * (A > 0)


class LeakyReLU(Layer):
    """A = Z if Z > 0 else alpha * Z;  dZ = dA * (1 if Z > 0 else alpha).

    Parameters
    ----------
    alpha : float, default 0.01
        Slope for negative inputs (neuralkit 0.1's default; Keras's layer defaults to 0.3,
        its ``activation='leaky_relu'`` to 0.2, as does this one's).
    negative_slope : float, optional
        Keras 3's name for ``alpha``.
    """

    def __init__(self, alpha: float = 0.01, name: str | None = None, input_dim: int | None = None,
                 input_shape: tuple[int, ...] | None = None, *,
                 negative_slope: float | None = None):
        super().__init__(name=name, input_dim=input_dim, input_shape=input_shape)
        if negative_slope is not None:
            if alpha != 0.01:
                raise ValueError(f"give alpha or negative_slope, not both; got alpha={alpha!r}, "
                                 f"negative_slope={negative_slope!r}.")
            alpha = negative_slope
        self.alpha = check_number(alpha, "alpha", 0.0, low_inclusive=True)

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        positive = Z > 0
        self.cache = positive
        with np.errstate(under="ignore"):  # alpha * Z of a tiny Z
            return np.where(positive, Z, self.alpha * Z)

    def backward(self, dA: np.ndarray) -> np.ndarray:
        positive = self.cache
        with np.errstate(under="ignore"):
            return np.where(positive, dA, self.alpha * dA)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


class Sigmoid(Layer):
    """A = 1 / (1 + exp(-Z));  dZ = dA * A * (1 - A).

    Computed with ``scipy.special.expit``, which saturates to exactly 0 or 1 without
    overflow warnings. Followed by BinaryCrossEntropy in a model, this backward is skipped
    and the loss returns the fused dZ = (A - Y) / m computed from the logits. Subclasses are
    fused the same way, so they must compute the sigmoid (for other math, subclass Layer).
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        A = sigmoid(Z)
        self.cache = A
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        A = self.cache
        with np.errstate(under="ignore"):  # a saturated A (as small as 1e-38 in float32) times dA
            return dA * A * (1 - A)


class Tanh(Layer):
    """A = tanh(Z);  dZ = dA * (1 - A**2)."""

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        A = np.tanh(Z)
        self.cache = A
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        A = self.cache
        with np.errstate(under="ignore"):  # A * A of a tiny A
            return dA * (1 - A * A)


class Softmax(Layer):
    """Row-wise softmax: A_ij = exp(Z_ij - max_k Z_ik) / sum_k exp(Z_ik - max_k Z_ik).

    Backward is the Jacobian-vector product of each row::

        dZ = A * (dA - sum(dA * A, axis=1, keepdims=True))

    Followed by CategoricalCrossEntropy in a model, this backward is skipped and the loss
    returns the fused dZ = (A - Y) / m computed from the logits with log-sum-exp. Subclasses
    are fused the same way, so they must compute the softmax (for other math, subclass Layer).
    """

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        with np.errstate(under="ignore"):  # exp of a logit far below its row's maximum
            A, _, _ = softmax(Z)
        self.cache = A
        return A

    def backward(self, dA: np.ndarray) -> np.ndarray:
        A = self.cache
        with np.errstate(under="ignore"):
            return A * (dA - np.sum(dA * A, axis=1, keepdims=True))


#: Activation names (Keras's) and the layer each one makes.
ACTIVATIONS: dict[str, type[Layer]] = {
    "linear": Linear, "relu": ReLU, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid, "tanh": Tanh,
    "softmax": Softmax, "elu": ELU, "gelu": GELU, "softplus": Softplus, "swish": Swish,
    "silu": SiLU, "selu": SELU, "softsign": Softsign, "relu6": ReLU6,
    "hard_sigmoid": HardSigmoid, "mish": Mish, "exponential": Exponential,
}


def get(identifier: str | Layer | type | None) -> Layer | None:
    """An activation layer from a name ('relu', ...), a Layer instance, a Layer class, or None.

    None and 'linear' both mean no activation in ``Dense(activation=...)``; here None stays None.
    """
    if identifier is None or isinstance(identifier, Layer):
        return identifier
    make = getattr(identifier, "__activation_layer__", None)
    if make is not None:  # a function of neuralkit.activations: the layer it computes
        return make()
    cls = _activation_class(identifier)
    return cls(**_STRING_DEFAULTS.get(identifier.lower(), {})) if isinstance(identifier, str) else cls()


def Activation(activation: str | Layer | type | None, name: str | None = None,
               **kwargs: Any) -> Layer:
    """Keras's ``Activation`` layer: the activation layer that ``activation`` names.

    ``Activation("relu")`` is a ``ReLU()``, ``Activation("softmax")`` a ``Softmax()``,
    ``Activation(None)`` a ``Linear()``; a Layer class is instantiated, and a Layer instance
    is returned as it is (renamed if ``name`` is given).

    Parameters
    ----------
    activation : str, Layer, Layer class or None
        A name of :data:`ACTIVATIONS` (Keras's: 'relu', 'sigmoid', 'tanh', 'softmax',
        'linear', 'leaky_relu', 'elu', 'gelu', 'softplus', 'swish', 'silu', 'selu', 'softsign',
        'relu6', 'hard_sigmoid', 'mish', 'exponential'; any case).
    name : str, optional
        The layer's name (default: the class's, 'relu' for a ReLU).
    **kwargs
        Passed to the layer's constructor: ``input_dim``, ``input_shape``, or its own
        arguments (``Activation("elu", alpha=0.5)``).

    Returns
    -------
    Layer
        An instance of the activation's own class.

    Raises
    ------
    ValueError
        An unknown name (the message lists the names and suggests the closest).

    Notes
    -----
    Why a factory, not a class wrapping the activation: one class per activation keeps each
    formula, its backward and its cache in one place, and everything that recognizes an
    activation by its class keeps working unchanged: the loss fused with a Sigmoid or Softmax
    output (``Activation("softmax")`` before categorical cross-entropy trains exactly as
    ``Softmax()`` does), the training step's in-place fast paths, saving (the file names the
    class, ``ReLU``) and the ONNX export (one converter per class).
    """
    if isinstance(activation, Layer):
        if kwargs:
            raise TypeError(f"Activation takes constructor arguments with a name or a class, not "
                            f"with a layer instance ({activation!r}); got {sorted(kwargs)}.")
        if name is not None:
            if not isinstance(name, str):
                raise TypeError(f"name must be a string or None; got {type(name).__name__}.")
            activation.name = name
        return activation
    cls = Linear if activation is None else _activation_class(activation)
    if isinstance(activation, str):
        kwargs = {**_STRING_DEFAULTS.get(activation.lower(), {}), **kwargs}
    return cls(name=name, **kwargs)


#: What an activation name means where it differs from its layer's defaults: Keras's
#: ``activation='leaky_relu'`` has slope 0.2.
_STRING_DEFAULTS: dict[str, dict[str, float]] = {"leaky_relu": {"alpha": 0.2}}


def _activation_class(identifier: Any) -> type[Layer]:
    if isinstance(identifier, type) and issubclass(identifier, Layer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in ACTIVATIONS:
        return ACTIVATIONS[identifier.lower()]
    raise ValueError(f"activation must be None, a Layer or one of {sorted(ACTIVATIONS)}"
                     f"{_did_you_mean(identifier, ACTIVATIONS)}; got {identifier!r}.")
