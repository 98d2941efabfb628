"""neuralkit: a small, object-oriented, Keras-style neural-network framework on NumPy."""

from . import (
    activations,
    callbacks,
    config,
    course,
    datasets,
    errors,
    export,
    gradcheck,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    plotting,
    reference,
    regularizers,
    saving,
    utils,
)
from ._system import show_config
from ._version import __version__
from .errors import DivergenceError, ModelFileError
from .layers import Input
from .models import Sequential, load_model

__all__ = [
    "Sequential",
    "Input",
    "load_model",
    "DivergenceError",
    "ModelFileError",
    "models",
    "layers",
    "activations",
    "losses",
    "optimizers",
    "initializers",
    "regularizers",
    "metrics",
    "callbacks",
    "saving",
    "errors",
    "config",
    "gradcheck",
    "reference",
    "course",
    "datasets",
    "plotting",
    "export",
    "utils",
    "ops",
    "show_config",
    "__version__",
]
