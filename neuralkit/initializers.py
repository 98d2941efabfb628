"""Weight initializers: ``f(shape, rng) -> float64 array`` for W of shape (n[l], n[l-1]).

Biases start at zero (``'zeros'``) unless a layer is given another ``bias_initializer``. Each
initializer draws from the generator it is given, never from NumPy's global random state, so
a model seed makes initialization reproducible.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import _did_you_mean

__all__ = ["Initializer", "small_random", "glorot_uniform", "he_normal", "zeros", "ones",
           "INITIALIZERS", "get"]

Initializer = Callable[[tuple[int, int], np.random.Generator], np.ndarray]


def small_random(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """The course's ``np.random.randn(n_l, n_prev) * 0.01``.

    Fine for shallow networks; in deep ones the activations shrink layer after layer.
    """
    return rng.standard_normal(shape) * 0.01


def glorot_uniform(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Glorot & Bengio (2010): U(-limit, limit), ``limit = sqrt(6 / (fan_in + fan_out))``."""
    fan_out, fan_in = shape
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def he_normal(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """He et al. (2015): N(0, 2 / fan_in), the course's ``randn * sqrt(2 / n[l-1])`` for ReLU."""
    fan_in = shape[1]
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
