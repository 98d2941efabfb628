"""neuralkit: a small, object-oriented, Keras-style neural-network framework on NumPy."""

from . import (
    callbacks,
    course,
    datasets,
    gradcheck,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    plotting,
    reference,
    regularizers,
)
from .model import DivergenceError, Sequential

__version__ = "0.1.0"

__all__ = [
    "Sequential",
    "DivergenceError",
    "layers",
    "losses",
    "optimizers",
    "initializers",
    "metrics",
    "callbacks",
    "gradcheck",
    "reference",
    "course",
    "datasets",
    "plotting",
    "regularizers",
    "__version__",
]
