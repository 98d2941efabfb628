"""Converters of Dense and of the piecewise activations (ReLU, Sigmoid, Tanh, Softmax, ...)."""

from __future__ import annotations

import numpy as np

from ..layers import Dense, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from ..layers.base import Layer
from .graph import Converter, Graph, converter_for, register_converter

__all__: list[str] = []


@register_converter(Dense)
def _dense(layer: Dense, graph: Graph, x: str) -> str:
    W = graph.constant(layer.params["W"], f"{layer.name}_W")
    inputs = [x, W]
    if layer.use_bias:
        inputs.append(graph.constant(layer.params["b"], f"{layer.name}_b"))
    Z = graph.node("Gemm", inputs, layer.name if layer.activation is None else f"{layer.name}_Z",
                   transB=1)
    if layer.activation is None:
        return Z
    return converter_for(layer.activation)(layer.activation, graph, Z)


def _simple(op: str) -> Converter:
    def convert(layer: Layer, graph: Graph, x: str) -> str:
        return graph.node(op, [x], layer.name)
    return convert


for _type, _op in ((ReLU, "Relu"), (Sigmoid, "Sigmoid"), (Tanh, "Tanh"), (Linear, "Identity")):
    register_converter(_type)(_simple(_op))


@register_converter(Softmax)
def _softmax(layer: Softmax, graph: Graph, x: str) -> str:
    return graph.node("Softmax", [x], layer.name, axis=-1)


@register_converter(LeakyReLU)
def _leaky_relu(layer: LeakyReLU, graph: Graph, x: str) -> str:
    if graph.dtype == np.float32:
        return graph.node("LeakyRelu", [x], layer.name, alpha=layer.alpha)
    zero = graph.constant(np.zeros(()), f"{layer.name}_zero")
    alpha = graph.constant(np.array(layer.alpha), f"{layer.name}_alpha")
    positive = graph.node("Greater", [x, zero], f"{layer.name}_positive")
    scaled = graph.node("Mul", [x, alpha], f"{layer.name}_scaled")
    return graph.node("Where", [positive, x, scaled], layer.name)
