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
from ._version import __version__
from .errors import DivergenceError, ModelFileError
from .model import Sequential
from .saving import load_model

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
