"""Weight initializers: ``f(shape, rng) -> float64 array`` for W of shape (n[l], n[l-1]).

Convolution kernels have Keras's layout (f_h, f_w, n_C_prev, n_C): there the fans count the
receptive field too (:func:`fans`).

Biases start at zero (``'zeros'``) unless a layer is given another ``bias_initializer``. Each
initializer draws from the generator it is given, never from NumPy's global random state, so
a model seed makes initialization reproducible.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import _did_you_mean

__all__ = ["Initializer", "fans", "small_random", "glorot_uniform", "he_normal", "zeros", "ones",
           "INITIALIZERS", "get"]

Initializer = Callable[[tuple[int, ...], np.random.Generator], np.ndarray]


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight array.

    A 2-D W is the course's (n[l], n[l-1]): fan_in = n[l-1], fan_out = n[l]. An array of 3 or
    more axes is a convolution kernel in Keras's layout (*kernel_size, n_C_prev, n_C):
    fan_in = receptive field * n_C_prev, fan_out = receptive field * n_C, the receptive field
    being the product of the kernel's sizes (f_h f_w for Conv2D), as in Keras. A vector (n,)
    (a bias) has both fans n, Keras's rule too.
    """
    if len(shape) == 2:
        fan_out, fan_in = shape
        return fan_in, fan_out
    if len(shape) < 2:
        n = int(shape[0]) if len(shape) else 1
        return n, n
    receptive_field = int(np.prod(shape[:-2]))
    return receptive_field * shape[-2], receptive_field * shape[-1]


def small_random(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """The course's ``np.random.randn(n_l, n_prev) * 0.01``.

    Fine for shallow networks; in deep ones the activations shrink layer after layer.
    """
    return rng.standard_normal(shape) * 0.01


def glorot_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Glorot & Bengio (2010): U(-limit, limit), ``limit = sqrt(6 / (fan_in + fan_out))``
    (:func:`fans`: a conv kernel's fans count its receptive field, as in Keras)."""
    fan_in, fan_out = fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def he_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """He et al. (2015): N(0, 2 / fan_in), the course's ``randn * sqrt(2 / n[l-1])`` for ReLU
    (a conv kernel's fan_in is f_h f_w n_C_prev, :func:`fans`)."""
    fan_in = fans(shape)[0]
    return rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)


def zeros(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """All zeros (draws nothing from ``rng``)."""
    return np.zeros(shape)


def ones(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """All ones (draws nothing from ``rng``)."""
    return np.ones(shape)


INITIALIZERS: dict[str, Initializer] = {
    "small_random": small_random,
    "glorot_uniform": glorot_uniform,
    "he_normal": he_normal,
    "zeros": zeros,
    "ones": ones,
}


def get(identifier: str | Initializer, what: str = "kernel_initializer") -> Initializer:
    """Resolve an initializer by name or accept a callable ``f(shape, rng)``."""
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in INITIALIZERS:
        return INITIALIZERS[identifier.lower()]
    raise ValueError(
        f"{what} must be one of {sorted(INITIALIZERS)}{_did_you_mean(identifier, INITIALIZERS)} "
        f"or a callable f(shape, rng); got {identifier!r}."
    )
