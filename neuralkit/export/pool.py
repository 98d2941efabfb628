"""Converters of the pooling and reshaping layers: MaxPooling2D, AveragePooling2D, the global
poolings, Flatten and Reshape.

The graph keeps neuralkit's layout, (batch, H, W, C), between layers, so Flatten and Reshape are
ONNX's own ops on it and give neuralkit's feature order. ONNX's pooling ops take (batch, C, H, W):
each is wrapped in a Transpose to that layout and one back (ONNX Runtime removes the pairs that
meet between two such layers). Where ONNX Runtime has no float64 kernel (AveragePool and the
global poolings), the float64 graph computes the same function from ops that have one.
"""

from __future__ import annotations

import numpy as np

from ..layers import (
    AveragePooling2D,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
    Reshape,
)
from ..layers.pooling import _Pooling2D
from .graph import Converter, Graph, register_converter

__all__: list[str] = []

_TO_NCHW, _TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]


def _int64(graph: Graph, values: list[int], hint: str) -> str:
    """An int64 initializer (shapes, pads, slice bounds); ``graph.constant`` casts to the
    model's float type."""
    name = graph.name(hint)
    graph.initializers.append(graph.onnx.numpy_helper.from_array(np.asarray(values, np.int64), name))
    return name


def _in_nchw(graph: Graph, x: str, name: str, op: str, **attributes: object) -> str:
    """``op`` applied to x (batch, H, W, C) in ONNX's layout (batch, C, H, W), back in ours."""
    nchw = graph.node("Transpose", [x], f"{name}_nchw", perm=_TO_NCHW)
    pooled = graph.node(op, [nchw], f"{name}_{op.lower()}", **attributes)
    return graph.node("Transpose", [pooled], name, perm=_TO_NHWC)


def _window_attributes(layer: _Pooling2D) -> dict[str, list[int]]:
    plan = layer.plan(layer.input_shape)
    return {"kernel_shape": list(layer.pool_size), "strides": list(layer.strides),
            "pads": [plan.top, plan.left, plan.bottom, plan.right]}


@register_converter(MaxPooling2D)
def _max_pooling(layer: MaxPooling2D, graph: Graph, x: str) -> str:
    # ONNX's MaxPool ignores its padding, as the layer's -inf does.
    return _in_nchw(graph, x, layer.name, "MaxPool", **_window_attributes(layer))


@register_converter(AveragePooling2D)
def _average_pooling(layer: AveragePooling2D, graph: Graph, x: str) -> str:
    if graph.dtype == np.float32:  # count_include_pad=0: the padding is left out of the mean
        return _in_nchw(graph, x, layer.name, "AveragePool", count_include_pad=0,
                        **_window_attributes(layer))
    return _average_by_slices(layer, graph, x)


def _average_by_slices(layer: AveragePooling2D, graph: Graph, x: str) -> str:
    """The layer's own algorithm in float64: zero padding, the sum of the kh * kw strided
    slices of the windows' entries (in the layer's order), divided by each window's n_hw."""
    n, (kh, kw), (sh, sw) = layer.name, layer.pool_size, layer.strides
    H, W, C = layer.input_shape
    plan = layer.plan(layer.input_shape)
    if any(plan[2:]):
        pads = _int64(graph, [0, plan.top, plan.left, 0, 0, plan.bottom, plan.right, 0],
                      f"{n}_pads")
        x = graph.node("Pad", [x, pads], f"{n}_padded")
    axes, steps = _int64(graph, [1, 2], f"{n}_axes"), _int64(graph, [sh, sw], f"{n}_steps")
    total = None
    for a in range(kh):
        for b in range(kw):
            starts = _int64(graph, [a, b], f"{n}_start{a}_{b}")
            ends = _int64(graph, [a + sh * (plan.out_h - 1) + 1, b + sw * (plan.out_w - 1) + 1],
                          f"{n}_end{a}_{b}")
            part = graph.node("Slice", [x, starts, ends, axes, steps], f"{n}_slice{a}_{b}")
            total = part if total is None else graph.node("Add", [total, part], f"{n}_sum{a}_{b}")
    divisors = layer._divisors((1, H, W, C), plan, np.dtype(np.float64))
    return graph.node("Div", [total, graph.constant(np.asarray(divisors), f"{n}_count")], n)


def _global(op: str, reduce: str) -> Converter:
    def convert(layer: GlobalAveragePooling2D | GlobalMaxPooling2D, graph: Graph, x: str) -> str:
        if graph.dtype != np.float32:  # no float64 Global*Pool kernel: the same reduction
            return graph.node(reduce, [x], layer.name, axes=[1, 2], keepdims=int(layer.keepdims))
        nchw = graph.node("Transpose", [x], f"{layer.name}_nchw", perm=_TO_NCHW)
        pooled = graph.node(op, [nchw], f"{layer.name}_{op.lower()}")  # (batch, C, 1, 1)
        if layer.keepdims:
            return graph.node("Transpose", [pooled], layer.name, perm=_TO_NHWC)
        return graph.node("Flatten", [pooled], layer.name, axis=1)
    return convert


register_converter(GlobalAveragePooling2D)(_global("GlobalAveragePool", "ReduceMean"))
register_converter(GlobalMaxPooling2D)(_global("GlobalMaxPool", "ReduceMax"))


@register_converter(Flatten)
def _flatten(layer: Flatten, graph: Graph, x: str) -> str:
    rank = len(layer.input_shape) + 1
    if layer.data_format == "channels_first" and rank > 2:
        x = graph.node("Transpose", [x], f"{layer.name}_channels_last",
                       perm=[0, *range(2, rank), 1])
    return graph.node("Flatten", [x], layer.name, axis=1)


@register_converter(Reshape)
def _reshape(layer: Reshape, graph: Graph, x: str) -> str:
    shape = _int64(graph, [0, *layer.output_shape], f"{layer.name}_shape")  # 0: keep the batch
    return graph.node("Reshape", [x, shape], layer.name)
