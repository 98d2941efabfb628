"""neuralkit: a small, object-oriented, Keras-style neural-network framework on NumPy."""

from . import callbacks, export, gradcheck, initializers, layers, losses, metrics, optimizers
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
    "export",
    "__version__",
]
