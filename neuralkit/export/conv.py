"""The converter of Conv2D: ONNX's Conv between two transposes in float32; in float64, where
ONNX Runtime has no Conv kernel, the layer's own im2col from standard ops."""

from __future__ import annotations

import numpy as np

from ..layers import Conv2D
from .graph import Graph, converter_for, register_converter

__all__: list[str] = []


def _int64(graph: Graph, values: list[int], hint: str) -> str:
    """An int64 initializer (shapes, indices), which Graph.constant would cast to floats."""
    name = graph.name(hint)
    graph.initializers.append(graph.onnx.numpy_helper.from_array(np.array(values, np.int64), name))
    return name


@register_converter(Conv2D)
def _conv2d(layer: Conv2D, graph: Graph, x: str) -> str:
    out = layer.name if layer.activation is None else f"{layer.name}_Z"
    convert = _conv_nchw if graph.dtype == np.float32 else _conv_im2col
    Z = convert(layer, graph, x, out)
    if layer.activation is None:
        return Z
    return converter_for(layer.activation)(layer.activation, graph, Z)


def _conv_nchw(layer: Conv2D, graph: Graph, x: str, out: str) -> str:
    """Transpose(NHWC -> NCHW), Conv(W as (n_C, n_C_prev, f_h, f_w), b, explicit pads),
    Transpose back."""
    g, n = layer.geometry, layer.name
    top, bottom, left, right = g.pads
    inputs = [graph.node("Transpose", [x], f"{n}_nchw", perm=[0, 3, 1, 2]),
              graph.constant(layer.params["W"].transpose(3, 2, 0, 1), f"{n}_W")]
    if layer.use_bias:
        inputs.append(graph.constant(layer.params["b"], f"{n}_b"))
    Z = graph.node("Conv", inputs, f"{n}_conv", kernel_shape=list(g.kernel),
                   strides=list(g.strides), pads=[top, left, bottom, right])
    return graph.node("Transpose", [Z], out, perm=[0, 2, 3, 1])


def _conv_im2col(layer: Conv2D, graph: Graph, x: str, out: str) -> str:
    """Pad, one Slice per kernel offset (p, q) (the windows' (p, q) entries, every stride),
    Concat along the channels: the columns (m, n_H, n_W, f_h f_w n_C_prev), then MatMul by
    W.reshape(K, n_C) and Add b, all in channels-last order."""
    g, n = layer.geometry, layer.name
    (f_h, f_w), (s_h, s_w), (n_H, n_W) = g.kernel, g.strides, g.out_hw
    top, bottom, left, right = g.pads
    if any(g.pads):
        x = graph.node("Pad", [x, _int64(graph, [0, top, left, 0, 0, bottom, right, 0],
                                         f"{n}_pads")], f"{n}_padded")
    axes, steps = _int64(graph, [1, 2], f"{n}_axes"), _int64(graph, [s_h, s_w], f"{n}_steps")
    windows = []
    for p in range(f_h):
        for q in range(f_w):
            starts = _int64(graph, [p, q], f"{n}_start{p}_{q}")
            ends = _int64(graph, [p + (n_H - 1) * s_h + 1, q + (n_W - 1) * s_w + 1],
                          f"{n}_end{p}_{q}")
            windows.append(graph.node("Slice", [x, starts, ends, axes, steps],
                                      f"{n}_window{p}_{q}"))
    cols = windows[0] if len(windows) == 1 else graph.node("Concat", windows, f"{n}_cols",
                                                             axis=3)
    W = graph.constant(layer.params["W"].reshape(g.depth, layer.filters), f"{n}_W")
    if not layer.use_bias:
        return graph.node("MatMul", [cols, W], out)
    Z = graph.node("MatMul", [cols, W], f"{n}_matmul")
    return graph.node("Add", [Z, graph.constant(layer.params["b"], f"{n}_b")], out)
