"""Layers: the abstract :class:`Layer`, :class:`Dense` and the activations."""

from .activations import LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from .base import Layer
from .dense import Dense
from .dropout import Dropout
from .input import Input

__all__ = ["Layer", "Dense", "Linear", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "Dropout", "Input"]
