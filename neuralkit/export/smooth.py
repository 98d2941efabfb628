"""Converters of the smooth activations: Swish, ELU, Softplus, GELU."""

from __future__ import annotations

import math

import numpy as np

from ..layers import ELU, GELU, Softplus, Swish
from ..layers.base import Layer
from ..layers.smooth_activations import TANH_LIMIT
from .graph import Graph, register_converter

__all__: list[str] = []


def _constants(graph: Graph, layer: Layer, **values: float) -> dict[str, str]:
    """Scalar initializers named after the layer, by keyword: ``_constants(g, l, one=1.0)``."""
    return {key: graph.constant(np.array(value), f"{layer.name}_{key}") for key, value in values.items()}


def _times_sigmoid(layer: Layer, graph: Graph, x: str, t: str) -> str:
    """x sigmoid(t) as Div(x, 1 + Exp(-t)): as accurate as Exp (ONNX Runtime's float32 Sigmoid
    is not), and for a very negative t, Exp(-t) = inf gives x / inf = 0, the limit."""
    n = layer.name
    one = _constants(graph, layer, one=1.0)["one"]
    exp = graph.node("Exp", [graph.node("Neg", [t], f"{n}_neg")], f"{n}_exp")
    return graph.node("Div", [x, graph.node("Add", [exp, one], f"{n}_1p")], n)


@register_converter(Swish)
def _swish(layer: Swish, graph: Graph, x: str) -> str:
    return _times_sigmoid(layer, graph, x, x)


@register_converter(ELU)
def _elu(layer: ELU, graph: Graph, x: str) -> str:
    if graph.dtype == np.float32:
        return graph.node("Elu", [x], layer.name, alpha=layer.alpha)
    c = _constants(graph, layer, zero=0.0, one=1.0, alpha=layer.alpha)
    n = layer.name
    positive = graph.node("Greater", [x, c["zero"]], f"{n}_positive")
    exp = graph.node("Exp", [graph.node("Min", [x, c["zero"]], f"{n}_negative")], f"{n}_exp")
    scaled = graph.node("Mul", [graph.node("Sub", [exp, c["one"]], f"{n}_expm1"), c["alpha"]],
                        f"{n}_scaled")
    return graph.node("Where", [positive, x, scaled], n)


@register_converter(Softplus)
def _softplus(layer: Softplus, graph: Graph, x: str) -> str:
    if graph.dtype == np.float32:
        return graph.node("Softplus", [x], layer.name)
    c = _constants(graph, layer, zero=0.0, one=1.0)
    n = layer.name
    exp = graph.node("Exp", [graph.node("Neg", [graph.node("Abs", [x], f"{n}_abs")], f"{n}_neg")],
                     f"{n}_exp")
    log1p = graph.node("Log", [graph.node("Add", [exp, c["one"]], f"{n}_1p")], f"{n}_log1p")
    return graph.node("Add", [graph.node("Max", [x, c["zero"]], f"{n}_relu"), log1p], n)


#: Float64 GELU: Gauss-Legendre nodes on [0, 1], and the clip beyond which Phi is 0 or 1.
_GELU_QUADRATURE_POINTS = 24
_GELU_QUADRATURE_LIMIT = 9.0


@register_converter(GELU)
def _gelu(layer: GELU, graph: Graph, x: str) -> str:
    n = layer.name
    if layer.approximate:
        c = _constants(graph, layer, low=-TANH_LIMIT, high=TANH_LIMIT, cubic=0.044715,
                       scale=2 * math.sqrt(2 / math.pi))
        xc = graph.node("Clip", [x, c["low"], c["high"]], f"{n}_clipped")
        cube = graph.node("Mul", [graph.node("Mul", [xc, xc], f"{n}_square"), xc], f"{n}_cube")
        inner = graph.node("Add", [xc, graph.node("Mul", [cube, c["cubic"]], f"{n}_cubic")],
                           f"{n}_inner")
        return _times_sigmoid(layer, graph, x, graph.node("Mul", [inner, c["scale"]], f"{n}_2u"))
    if graph.dtype == np.float32:
        c = _constants(graph, layer, sqrt2=math.sqrt(2), one=1.0, half=0.5)
        erf = graph.node("Erf", [graph.node("Div", [x, c["sqrt2"]], f"{n}_scaled")], f"{n}_erf")
        cdf = graph.node("Mul", [graph.node("Add", [erf, c["one"]], f"{n}_1p"), c["half"]],
                         f"{n}_cdf")
        return graph.node("Mul", [x, cdf], n)
    return _gelu_by_quadrature(layer, graph, x)


def _gelu_by_quadrature(layer: GELU, graph: Graph, x: str) -> str:
    """Z Phi(Z) from standard float64 ops: Phi(Z) = 1/2 + Z/sqrt(2 pi) int_0^1 exp(-Z^2 t^2/2) dt.

    The integrand is smooth, so 24 Gauss-Legendre points give Phi to 2e-15 for |Z| <= 9;
    beyond, Phi is 1 to double precision (Phi(9) = 1 - 1e-19) or Z Phi(Z) is below 1e-18.
    """
    n, limit = layer.name, _GELU_QUADRATURE_LIMIT
    t, w = np.polynomial.legendre.leggauss(_GELU_QUADRATURE_POINTS)
    t, w = (t + 1) / 2, w / 2 / math.sqrt(2 * math.pi)  # on [0, 1], with the 1/sqrt(2 pi)
    c = _constants(graph, layer, low=-limit, high=limit, zero=0.0, half=0.5)
    xc = graph.node("Clip", [x, c["low"], c["high"]], f"{n}_clipped")
    square = graph.node("Mul", [xc, xc], f"{n}_square")
    total = None
    for k, (t_k, w_k) in enumerate(zip(t, w, strict=True)):
        ck = _constants(graph, layer, **{f"a{k}": -t_k * t_k / 2, f"w{k}": w_k})
        term = graph.node("Exp", [graph.node("Mul", [square, ck[f"a{k}"]], f"{n}_arg{k}")],
                          f"{n}_exp{k}")
        term = graph.node("Mul", [term, ck[f"w{k}"]], f"{n}_term{k}")
        total = term if total is None else graph.node("Add", [total, term], f"{n}_sum{k}")
    cdf = graph.node("Add", [graph.node("Mul", [xc, total], f"{n}_integral"), c["half"]],
                     f"{n}_cdf")
    out = graph.node("Mul", [x, cdf], f"{n}_product")
    below = graph.node("Less", [x, c["low"]], f"{n}_below")
    return graph.node("Where", [below, c["zero"], out], n)
