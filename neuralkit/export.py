"""Export a trained Sequential to ONNX, the format production runtimes and other frameworks read.

``to_onnx(model, path)`` writes a standard ONNX graph with one input ``'X'`` of shape
(batch, n_x) and one output ``'Y'`` of shape (batch, n_out), the batch dimension dynamic,
in the model's dtype (float32 -> ``tensor(float)``, float64 -> ``tensor(double)``). Needs the
optional extra ``pip install "neuralkit[onnx]"``.

Layer by layer (opset 13)::

    Dense      Y = Gemm(A_prev, W, b, transB=1) = A_prev @ W.T + b   (W kept as (n[l], n[l-1]))
    ReLU       Relu          Sigmoid   Sigmoid          Tanh     Tanh
    Softmax    Softmax(axis=-1), row-wise                 Linear   Identity
    LeakyReLU  LeakyRelu(alpha) in float32; in float64, where ONNX Runtime has no LeakyRelu
               kernel, the same function as Where(Greater(Z, 0), Z, Mul(Z, alpha))
    Swish      Div(Z, 1 + Exp(-Z)) = Z sigmoid(Z) (ONNX Runtime's float32 Sigmoid is a fast
               approximation, off by up to 1e-7, which Z * Sigmoid(Z) would scale up)
    ELU        Elu(alpha) in float32; in float64 (no ONNX Runtime kernel either)
               Where(Greater(Z, 0), Z, alpha (Exp(Min(Z, 0)) - 1))
    Softplus   Softplus in float32; in float64 Max(Z, 0) + Log(1 + Exp(-Abs(Z)))
    GELU       exact, float32: 0.5 Z (1 + Erf(Z / sqrt(2))) (opset 13 has no Gelu); float64,
               where ONNX Runtime has no Erf kernel: Z Phi(Z) with
               Phi(Z) = 1/2 + Z / sqrt(2 pi) * integral_0^1 exp(-Z**2 t**2 / 2) dt by 24-point
               Gauss-Legendre on Z clipped to [-9, 9] (Phi to 2e-15; 0 below -9)
    GELU       approximate: Div(Z, 1 + Exp(-2 u)) = Z sigmoid(2 u) = 0.5 Z (1 + tanh(u)),
               u = sqrt(2/pi) (Zc + 0.044715 Zc**3), Zc = Clip(Z, -100, 100), as the layer does

A layer of any other type raises :class:`UnsupportedLayerError` naming it, unless a converter
was registered for it with :func:`register_converter`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from ._version import __version__
from .errors import UnsupportedLayerError
from .layers import ELU, GELU, Dense, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Softplus, Swish, Tanh
from .layers.base import Layer
from .layers.smooth_activations import TANH_LIMIT
from .models.sequential import Sequential

__all__ = ["to_onnx", "register_converter", "UnsupportedLayerError", "OPSET", "IR_VERSION"]

#: The ONNX operator set the graphs are written in.
OPSET = 13
#: IR version 8 is read by ONNX Runtime >= 1.10 and by onnx2torch.
IR_VERSION = 8


class _Graph:
    """Collects nodes and initializers while the layers are converted."""

    def __init__(self, onnx: Any, dtype: np.dtype) -> None:
        self.onnx = onnx
        self.dtype = dtype
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def constant(self, value: np.ndarray, hint: str) -> str:
        """Add ``value`` (cast to the model's dtype) as an initializer; return its name."""
        name = self.name(hint)
        array = np.ascontiguousarray(value, dtype=self.dtype)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: list[str], hint: str, **attributes: Any) -> str:
        """Add one node; return the name of its output."""
        output = self.name(hint)
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [output], name=output,
                                                     **attributes))
        return output


#: A converter: ``f(layer, graph, input_name) -> output_name``.
Converter = Callable[[Layer, _Graph, str], str]
_CONVERTERS: dict[type, Converter] = {}


def register_converter(layer_type: type) -> Callable[[Converter], Converter]:
    """Register ``f(layer, graph, input_name) -> output_name`` as the ONNX mapping of ``layer_type``.

    The converter adds nodes with ``graph.node(op, inputs, hint, **attributes)`` and weights
    with ``graph.constant(array, hint)``; both return the name to feed to the next node.
    """
    if not (isinstance(layer_type, type) and issubclass(layer_type, Layer)):
        raise TypeError(f"register_converter expects a Layer subclass; got {layer_type!r}.")

    def decorate(converter: Converter) -> Converter:
        _CONVERTERS[layer_type] = converter
        return converter

    return decorate


@register_converter(Dense)
def _dense(layer: Dense, graph: _Graph, x: str) -> str:
    W = graph.constant(layer.params["W"], f"{layer.name}_W")
    b = graph.constant(layer.params["b"], f"{layer.name}_b")
    return graph.node("Gemm", [x, W, b], layer.name, transB=1)


def _simple(op: str) -> Converter:
    def convert(layer: Layer, graph: _Graph, x: str) -> str:
        return graph.node(op, [x], layer.name)
    return convert


for _type, _op in ((ReLU, "Relu"), (Sigmoid, "Sigmoid"), (Tanh, "Tanh"), (Linear, "Identity")):
    register_converter(_type)(_simple(_op))


@register_converter(Softmax)
def _softmax(layer: Softmax, graph: _Graph, x: str) -> str:
    return graph.node("Softmax", [x], layer.name, axis=-1)


@register_converter(LeakyReLU)
def _leaky_relu(layer: LeakyReLU, graph: _Graph, x: str) -> str:
    if graph.dtype == np.float32:
        return graph.node("LeakyRelu", [x], layer.name, alpha=layer.alpha)
    zero = graph.constant(np.zeros(()), f"{layer.name}_zero")
    alpha = graph.constant(np.array(layer.alpha), f"{layer.name}_alpha")
    positive = graph.node("Greater", [x, zero], f"{layer.name}_positive")
    scaled = graph.node("Mul", [x, alpha], f"{layer.name}_scaled")
    return graph.node("Where", [positive, x, scaled], layer.name)


def _constants(graph: _Graph, layer: Layer, **values: float) -> dict[str, str]:
    """Scalar initializers named after the layer, by keyword: ``_constants(g, l, one=1.0)``."""
    return {key: graph.constant(np.array(value), f"{layer.name}_{key}") for key, value in values.items()}


def _times_sigmoid(layer: Layer, graph: _Graph, x: str, t: str) -> str:
    """x sigmoid(t) as Div(x, 1 + Exp(-t)): as accurate as Exp (ONNX Runtime's float32 Sigmoid
    is not), and for a very negative t, Exp(-t) = inf gives x / inf = 0, the limit."""
    n = layer.name
    one = _constants(graph, layer, one=1.0)["one"]
    exp = graph.node("Exp", [graph.node("Neg", [t], f"{n}_neg")], f"{n}_exp")
    return graph.node("Div", [x, graph.node("Add", [exp, one], f"{n}_1p")], n)


@register_converter(Swish)
def _swish(layer: Swish, graph: _Graph, x: str) -> str:
    return _times_sigmoid(layer, graph, x, x)


@register_converter(ELU)
def _elu(layer: ELU, graph: _Graph, x: str) -> str:
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
def _softplus(layer: Softplus, graph: _Graph, x: str) -> str:
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
def _gelu(layer: GELU, graph: _Graph, x: str) -> str:
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


def _gelu_by_quadrature(layer: GELU, graph: _Graph, x: str) -> str:
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


def _converter_for(layer: Layer) -> Converter:
    cls = type(layer)
    if cls in _CONVERTERS:
        return _CONVERTERS[cls]
    # A subclass that keeps its parent's forward computes the same function (e.g. a Dense
    # with a regularizer); one that overrides forward needs its own converter.
    for parent in cls.__mro__[1:]:
        if parent in _CONVERTERS:
            if cls.forward is parent.forward:
                return _CONVERTERS[parent]
            break
    supported = ", ".join(sorted(t.__name__ for t in _CONVERTERS))
    raise UnsupportedLayerError(
        f"to_onnx: layer '{layer.name}' of type {cls.__name__} has no ONNX mapping. Supported "
        f"layers: {supported}. Register one with "
        f"@neuralkit.export.register_converter({cls.__name__})."
    )


def to_onnx(model: Any, path: str | os.PathLike | None = None) -> Any:
    """Convert a built Sequential to an ONNX model and, if ``path`` is given, save it there.

    Parameters
    ----------
    model : Sequential
        Built (fitted, or given ``input_dim``).
    path : str or PathLike, optional
        File to write (conventionally ``*.onnx``).

    Returns
    -------
    onnx.ModelProto
        The checked model: input ``'X'`` (batch, n_x), output ``'Y'`` (batch, n_out).

    Raises
    ------
    UnsupportedLayerError
        A layer has no ONNX mapping (the message names it); nothing is written.
    """
    try:
        import onnx
        import onnx.checker
        import onnx.helper
        import onnx.numpy_helper
    except ImportError:
        raise ImportError('to_onnx needs the onnx package: pip install "neuralkit[onnx]".') from None
    if not isinstance(model, Sequential):
        raise TypeError(f"to_onnx expects a Sequential model; got {type(model).__name__}.")
    model._require_built("to_onnx")
    converters = [_converter_for(layer) for layer in model.layers]  # fail before building anything
    graph = _Graph(onnx, model.dtype)
    name = "X"
    for layer, convert in zip(model.layers, converters, strict=True):
        name = convert(layer, graph, name)
    graph.nodes.append(onnx.helper.make_node("Identity", [name], ["Y"], name="output"))
    elem = onnx.helper.np_dtype_to_tensor_dtype(model.dtype)
    proto = onnx.helper.make_model(
        onnx.helper.make_graph(
            graph.nodes, model.name,
            [onnx.helper.make_tensor_value_info("X", elem, ["batch", model.input_dim])],
            [onnx.helper.make_tensor_value_info("Y", elem, ["batch", model.output_dim])],
            graph.initializers),
        opset_imports=[onnx.helper.make_opsetid("", OPSET)], ir_version=IR_VERSION,
        producer_name="neuralkit", producer_version=__version__)
    onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        onnx.save_model(proto, os.fspath(path))
    return proto
