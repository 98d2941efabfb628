"""Weight initializers: ``f(shape, rng) -> float64 array`` for W of shape (n[l], n[l-1]).

Convolution kernels have Keras's layout (f_h, f_w, n_C_prev, n_C): there the fans count the
receptive field too (:func:`fans`).

Biases start at zero (``'zeros'``) unless a layer is given another ``bias_initializer``. Each
initializer draws from the generator it is given, never from NumPy's global random state, so
a model seed makes initialization reproducible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._validation import _did_you_mean, check_number

__all__ = ["Initializer", "fans", "small_random", "glorot_uniform", "he_normal", "he_uniform",
           "zeros", "ones", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform",
           "GlorotUniform", "HeNormal", "HeUniform", "INITIALIZERS", "get"]


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


def he_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """He et al. (2015), uniform: U(-limit, limit), ``limit = sqrt(6 / fan_in)`` (Keras's)."""
    limit = np.sqrt(6.0 / fans(shape)[0])
    return rng.uniform(-limit, limit, size=shape)


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
    "he_uniform": he_uniform,
    "zeros": zeros,
    "ones": ones,
}


class Initializer:
    """Keras's initializer objects: ``Initializer(...)(shape, rng)`` is an array of ``shape``.

    Every initializer is called as ``f(shape, rng)``, a plain function or one of these objects.
    An object made with ``seed=`` draws from its own ``numpy.random.default_rng(seed)`` (the same
    numbers at each call, as Keras's seeded initializers); without one it draws from ``rng``,
    the layer's generator, which the model seeds. Subclasses implement :meth:`draw`.
    """

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise TypeError(f"{type(self).__name__}: seed must be an int or None; got {seed!r}.")
        self.seed = seed

    def draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """The initial values, drawn from ``rng``."""
        raise NotImplementedError

    def __call__(self, shape: tuple[int, ...], rng: np.random.Generator | None = None
                 ) -> np.ndarray:
        if self.seed is not None or rng is None:
            rng = np.random.default_rng(self.seed)
        return self.draw(tuple(shape), rng)

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this initializer."""
        return {} if self.seed is None else {"seed": self.seed}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _named(function: Callable[..., np.ndarray]) -> type[Initializer]:
    """The Keras class of one of the functions above: it draws exactly what the function draws."""

    class Named(Initializer):
        def draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
            return function(shape, rng)

    return Named


class Zeros(_named(zeros)):
    """All zeros."""

    def __init__(self) -> None:
        super().__init__()


class Ones(_named(ones)):
    """All ones."""

    def __init__(self) -> None:
        super().__init__()


class GlorotUniform(_named(glorot_uniform)):
    """:func:`glorot_uniform`: U(-limit, limit), ``limit = sqrt(6 / (fan_in + fan_out))``."""


class HeNormal(_named(he_normal)):
    """:func:`he_normal`: N(0, 2 / fan_in), the course's ``randn * sqrt(2 / n[l-1])``.

    Keras 3 draws a normal truncated at two standard deviations (rescaled to the same
    variance); neuralkit keeps the course's plain normal, as its ``'he_normal'`` does.
    """


class HeUniform(_named(he_uniform)):
    """:func:`he_uniform`: U(-limit, limit), ``limit = sqrt(6 / fan_in)``."""


class Constant(Initializer):
    """Every entry ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        super().__init__()
        self.value = check_number(value, "Constant: value")

    def draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return np.full(shape, self.value)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class RandomNormal(Initializer):
    """N(mean, stddev**2) entries; Keras's defaults ``mean=0.0, stddev=0.05``."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean = check_number(mean, "RandomNormal: mean")
        self.stddev = check_number(stddev, "RandomNormal: stddev", 0.0, low_inclusive=True)

    def draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return self.mean + self.stddev * rng.standard_normal(shape)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(Initializer):
    """U(minval, maxval) entries; Keras's defaults ``minval=-0.05, maxval=0.05``."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
                 ) -> None:
        super().__init__(seed)
        self.minval = check_number(minval, "RandomUniform: minval")
        self.maxval = check_number(maxval, "RandomUniform: maxval")
        if self.maxval < self.minval:
            raise ValueError(f"RandomUniform: maxval ({maxval!r}) must be >= minval ({minval!r}).")

    def draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(self.minval, self.maxval, size=shape)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


#: Keras's class names ('HeNormal', 'GlorotUniform', ...) as get() identifiers too.
_CLASSES = {cls.__name__.lower(): cls for cls in (Zeros, Ones, Constant, RandomNormal,
                                                  RandomUniform, GlorotUniform, HeNormal,
                                                  HeUniform)}


def get(identifier: str | Callable[..., np.ndarray], what: str = "kernel_initializer"
        ) -> Callable[..., np.ndarray]:
    """Resolve an initializer by name ('he_normal' or Keras's 'HeNormal'), by
    :class:`Initializer` class, or accept a callable ``f(shape, rng)`` (an object too)."""
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in INITIALIZERS:
        return INITIALIZERS[identifier.lower()]
    if isinstance(identifier, str) and identifier.lower() in _CLASSES:
        return _CLASSES[identifier.lower()]()
    raise ValueError(
        f"{what} must be one of {sorted(INITIALIZERS)}{_did_you_mean(identifier, INITIALIZERS)} "
        f"or a callable f(shape, rng); got {identifier!r}."
    )
