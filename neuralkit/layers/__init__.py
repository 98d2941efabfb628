"""Layers: the abstract :class:`Layer`, :class:`Dense`, :class:`Conv2D`, the activations and
Keras's ``Activation``, :class:`Dropout`, :class:`BatchNormalization`, pooling and reshaping for
images (m, H, W, C)."""

from .activations import Activation, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from .base import Layer
from .conv import Conv2D
from .dense import Dense
from .dropout import Dropout
from .global_pooling import GlobalAveragePooling2D, GlobalMaxPooling2D
from .input import Input
from .more_activations import SELU, Exponential, HardSigmoid, Mish, ReLU6, Softsign
from .normalization import BatchNormalization
from .pooling import AveragePooling2D, MaxPooling2D
from .reshaping import Flatten, Reshape
from .smooth_activations import ELU, GELU, SiLU, Softplus, Swish

__all__ = ["Layer", "Dense", "Conv2D", "Linear", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax",
           "ELU", "GELU", "Softplus", "Swish", "SiLU", "SELU", "Softsign", "ReLU6", "HardSigmoid",
           "Mish", "Exponential", "Activation", "Dropout",
           "BatchNormalization", "Input", "MaxPooling2D", "AveragePooling2D",
           "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten", "Reshape"]
