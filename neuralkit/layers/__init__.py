"""Layers: the abstract :class:`Layer`, :class:`Dense`, the activations and Keras's ``Activation``."""

from .activations import Activation, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from .base import Layer
from .dense import Dense
from .dropout import Dropout
from .input import Input
from .smooth_activations import ELU, GELU, SiLU, Softplus, Swish

__all__ = ["Layer", "Dense", "Linear", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "ELU",
           "GELU", "Softplus", "Swish", "SiLU", "Activation", "Dropout", "Input"]
