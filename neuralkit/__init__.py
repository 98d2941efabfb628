"""neuralkit: a small, object-oriented, Keras-style neural-network framework on NumPy."""

from . import (
    callbacks,
    course,
    datasets,
    export,
    gradcheck,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    plotting,
    reference,
    regularizers,
    saving,
)
from .model import DivergenceError, Sequential
from .saving import ModelFileError, load_model

__version__ = "0.1.0"

__all__ = [
    "Sequential",
    "DivergenceError",
    "load_model",
    "ModelFileError",
    "saving",
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
    "export",
    "__version__",
]
