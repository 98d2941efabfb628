"""Converters of SELU, Softsign, ReLU6, HardSigmoid, Mish and Exponential.

ONNX Runtime has float32 kernels only for Selu, Softsign, HardSigmoid and Softplus: in
float64 the same functions are written with standard ops. Opset 13 has no Mish (it came in
opset 18): it is Z Tanh(softplus(Z)) in both dtypes.
"""

from __future__ import annotations

import numpy as np

from ..layers import SELU, Exponential, HardSigmoid, Mish, ReLU6, Softsign
from ..layers.more_activations import SELU_ALPHA, SELU_SCALE
from .graph import Graph, register_converter
from .smooth import _constants, _softplus

__all__: list[str] = []


@register_converter(SELU)
def _selu(layer: SELU, graph: Graph, x: str) -> str:
    if graph.dtype == np.float32:
        return graph.node("Selu", [x], layer.name, alpha=SELU_ALPHA, gamma=SELU_SCALE)
    c = _constants(graph, layer, zero=0.0, one=1.0, alpha=SELU_ALPHA, scale=SELU_SCALE)
    n = layer.name
    positive = graph.node("Greater", [x, c["zero"]], f"{n}_positive")
    exp = graph.node("Exp", [graph.node("Min", [x, c["zero"]], f"{n}_negative")], f"{n}_exp")
    negative = graph.node("Mul", [graph.node("Sub", [exp, c["one"]], f"{n}_expm1"), c["alpha"]],
                          f"{n}_elu")
    elu = graph.node("Where", [positive, x, negative], f"{n}_where")
    return graph.node("Mul", [elu, c["scale"]], n)


@register_converter(Softsign)
def _softsign(layer: Softsign, graph: Graph, x: str) -> str:
    if graph.dtype == np.float32:
        return graph.node("Softsign", [x], layer.name)
    one = _constants(graph, layer, one=1.0)["one"]
    n = layer.name
    d = graph.node("Add", [graph.node("Abs", [x], f"{n}_abs"), one], f"{n}_denominator")
    return graph.node("Div", [x, d], n)


@register_converter(ReLU6)
def _relu6(layer: ReLU6, graph: Graph, x: str) -> str:
    c = _constants(graph, layer, zero=0.0, six=6.0)
    return graph.node("Clip", [x, c["zero"], c["six"]], layer.name)


@register_converter(HardSigmoid)
def _hard_sigmoid(layer: HardSigmoid, graph: Graph, x: str) -> str:
    if graph.dtype == np.float32:
        return graph.node("HardSigmoid", [x], layer.name, alpha=1 / 6, beta=0.5)
    # Keras's arithmetic, Z / 6 + 1/2 clipped to [0, 1].
    c = _constants(graph, layer, six=6.0, half=0.5, zero=0.0, one=1.0)
    n = layer.name
    h = graph.node("Add", [graph.node("Div", [x, c["six"]], f"{n}_sixth"), c["half"]], f"{n}_h")
    return graph.node("Clip", [h, c["zero"], c["one"]], n)


@register_converter(Mish)
def _mish(layer: Mish, graph: Graph, x: str) -> str:
    n = layer.name
    t = graph.node("Tanh", [_softplus(layer, graph, x)], f"{n}_tanh")
    return graph.node("Mul", [x, t], n)


@register_converter(Exponential)
def _exponential(layer: Exponential, graph: Graph, x: str) -> str:
    return graph.node("Exp", [x], layer.name)
