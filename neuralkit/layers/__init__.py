"""Layers: the abstract :class:`Layer`, :class:`Dense`, the activations and Keras's ``Activation``,
:class:`Dropout` and :class:`BatchNormalization`."""

from .activations import Activation, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from .base import Layer
from .dense import Dense
from .dropout import Dropout
from .input import Input
from .normalization import BatchNormalization
from .smooth_activations import ELU, GELU, SiLU, Softplus, Swish

__all__ = ["Layer", "Dense", "Linear", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "ELU",
           "GELU", "Softplus", "Swish", "SiLU", "Activation", "Dropout", "BatchNormalization",
           "Input"]
