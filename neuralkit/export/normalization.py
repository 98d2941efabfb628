"""Converters of the layers that compute differently in training, exported in their inference
form: BatchNormalization (the moving statistics) and Dropout (the identity)."""

from __future__ import annotations

import numpy as np

from ..layers import BatchNormalization, Dropout
from .graph import Graph, register_converter

__all__: list[str] = []


@register_converter(BatchNormalization)
def _batch_normalization(layer: BatchNormalization, graph: Graph, x: str) -> str:
    """Inference: y = gamma (x - moving_mean) / sqrt(moving_variance + epsilon) + beta.

    Float32: ONNX's BatchNormalization, whose channels are on axis 1 (NCHW); for inputs with
    the channels elsewhere (channels-last images) a Transpose brings them there and another
    takes them back. Float64: Sub, Mul, Mul, Add along the channel axis, the layer's own
    operations on constants computed as the layer computes them, since the operator's
    ``epsilon`` attribute is a 32-bit float (1e-3 is stored as 1e-3 + 4.7e-11, which would
    move float64 outputs by about 1e-11 relative).
    """
    n = layer.name
    rank = len(layer.input_shape) + 1
    axis = layer.channel_axis(rank)
    channels = layer.state["moving_mean"].shape[0]
    gamma = layer.params["gamma"] if layer.scale else np.ones(channels, layer.dtype)
    beta = layer.params["beta"] if layer.center else np.zeros(channels, layer.dtype)
    if graph.dtype == np.float32:
        order = [0, axis, *(i for i in range(1, rank) if i != axis)]
        moved = x if axis == 1 else graph.node("Transpose", [x], f"{n}_channels_first", perm=order)
        inputs = [moved] + [graph.constant(value, f"{n}_{key}") for key, value in
                            (("scale", gamma), ("B", beta), ("mean", layer.state["moving_mean"]),
                             ("var", layer.state["moving_variance"]))]
        y = graph.node("BatchNormalization", inputs, n if axis == 1 else f"{n}_normalized",
                       epsilon=layer.epsilon)
        if axis == 1:
            return y
        return graph.node("Transpose", [y], n, perm=[int(i) for i in np.argsort(order)])
    broadcast = (channels,) + (1,) * (rank - 1 - axis)  # lined up with the channel axis

    def constant(value: np.ndarray, key: str) -> str:
        return graph.constant(np.reshape(value, broadcast), f"{n}_{key}")

    with np.errstate(under="ignore"):
        inv_std = 1.0 / np.sqrt(layer.state["moving_variance"] + layer.epsilon)
    y = graph.node("Sub", [x, constant(layer.state["moving_mean"], "mean")], f"{n}_centered")
    y = graph.node("Mul", [y, constant(inv_std, "inv_std")], f"{n}_x_hat")
    if layer.scale:
        y = graph.node("Mul", [y, constant(gamma, "gamma")], f"{n}_scaled")
    if layer.center:
        y = graph.node("Add", [y, constant(beta, "beta")], f"{n}_shifted")
    return graph.node("Identity", [y], n)


@register_converter(Dropout)
def _dropout(layer: Dropout, graph: Graph, x: str) -> str:
    return graph.node("Identity", [x], layer.name)
