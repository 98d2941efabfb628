"""The ONNX graph under construction, and the registry of converters (one per layer type)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import UnsupportedLayerError
from ..layers.base import Layer

__all__ = ["Graph", "Converter", "register_converter", "converter_for", "OPSET", "IR_VERSION"]

#: The ONNX operator set the graphs are written in.
OPSET = 13
#: IR version 8 is read by ONNX Runtime >= 1.10 and by onnx2torch.
IR_VERSION = 8


class Graph:
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
Converter = Callable[[Layer, Graph, str], str]
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


def converter_for(layer: Layer) -> Converter:
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
