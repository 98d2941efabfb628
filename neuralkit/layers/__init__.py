"""Layers: the abstract :class:`Layer`, :class:`Dense`, :class:`Conv2D`, the activations and
Keras's ``Activation``."""

from .activations import Activation, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from .base import Layer
from .conv import Conv2D
from .dense import Dense
from .dropout import Dropout
from .input import Input
from .smooth_activations import ELU, GELU, SiLU, Softplus, Swish

__all__ = ["Layer", "Dense", "Conv2D", "Linear", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax",
           "ELU", "GELU", "Softplus", "Swish", "SiLU", "Activation", "Dropout", "Input"]
