"""Export a trained Sequential to ONNX, the format production runtimes and other frameworks read.

``to_onnx(model, path)`` writes a standard ONNX graph with one input ``'X'`` of shape
(batch, *input_shape) and one output ``'Y'`` of shape (batch, n_out), the batch dimension dynamic,
in the model's dtype (float32 -> ``tensor(float)``, float64 -> ``tensor(double)``). Needs the
optional extra ``pip install "neuralkit[onnx]"``.

Layer by layer (opset 13)::

    Dense      Y = Gemm(A_prev, W, b, transB=1) = A_prev @ W.T + b   (W kept as (n[l], n[l-1]));
               a Dense with an activation adds that activation's nodes
    Conv2D     float32: Transpose(perm=[0, 3, 1, 2]) to NCHW, Conv(W.transpose(3, 2, 0, 1), b,
               kernel_shape, strides, pads=[top, left, bottom, right]), Transpose(perm=[0, 2,
               3, 1]) back; in float64, where ONNX Runtime has no Conv kernel, the layer's
               im2col: Pad, one Slice (steps = strides) per kernel offset, Concat along the
               channels, MatMul(W.reshape(f_h f_w n_C_prev, n_C)), Add(b); then the activation's
               nodes, as for Dense
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
    SELU       Selu(alpha, gamma) in float32; in float64 (no ONNX Runtime kernel)
               scale Where(Greater(Z, 0), Z, alpha (Exp(Min(Z, 0)) - 1))
    Softsign   Softsign in float32; in float64 Div(Z, Abs(Z) + 1)
    ReLU6      Clip(Z, 0, 6)       Exponential   Exp (inf where exp(Z) is beyond the float range)
    HardSigmoid  HardSigmoid(alpha=1/6, beta=1/2) in float32; in float64 Clip(Z / 6 + 1/2, 0, 1)
    Mish       Mul(Z, Tanh(softplus(Z))), softplus as for Softplus (opset 13 has no Mish)
    BatchNormalization  inference form, the moving statistics: float32, ONNX's
               BatchNormalization (channels on axis 1), between two Transposes when the
               channels are elsewhere (channels-last images); float64, where the operator's
               32-bit epsilon attribute would cost 1e-11, Sub, Mul, Mul, Add on the channel axis
    Dropout    Identity (inference)

Images stay (batch, H, W, C) between layers; the pooling ops run in ONNX's (batch, C, H, W)
between two Transposes::

    MaxPooling2D          MaxPool(kernel_shape, strides, pads), the padding ignored
    AveragePooling2D      AveragePool(..., count_include_pad=0) in float32; in float64, where
                          ONNX Runtime has no AveragePool kernel, Pad, the sum of the window's
                          strided Slices, Div by each window's count, as the layer computes it
    GlobalAveragePooling2D, GlobalMaxPooling2D
                          GlobalAveragePool / GlobalMaxPool, then Flatten (or a Transpose back
                          with keepdims) in float32; ReduceMean / ReduceMax over H and W in
                          float64 (no float64 kernels of the former)
    Flatten               Flatten(axis=1) on (batch, H, W, C): neuralkit's (and Keras's) order
    Reshape               Reshape(X, [0, *target_shape])

A layer of any other type raises :class:`UnsupportedLayerError` naming it, unless a converter
was registered for it with :func:`register_converter`.
"""

from __future__ import annotations

import os
from typing import Any

from .._version import __version__
from ..errors import UnsupportedLayerError
from ..models.sequential import Sequential
from . import conv, dense, more, normalization, pool, smooth  # noqa: F401 - they register the converters
from .graph import IR_VERSION, OPSET, Graph, converter_for, register_converter

__all__ = ["to_onnx", "register_converter", "UnsupportedLayerError", "OPSET", "IR_VERSION"]


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
    converters = [converter_for(layer) for layer in model.layers]  # fail before building anything
    graph = Graph(onnx, model.dtype)
    name = "X"
    for layer, convert in zip(model.layers, converters, strict=True):
        name = convert(layer, graph, name)
    graph.nodes.append(onnx.helper.make_node("Identity", [name], ["Y"], name="output"))
    elem = onnx.helper.np_dtype_to_tensor_dtype(model.dtype)
    proto = onnx.helper.make_model(
        onnx.helper.make_graph(
            graph.nodes, model.name,
            [onnx.helper.make_tensor_value_info("X", elem, ["batch", *model.example_shape])],
            [onnx.helper.make_tensor_value_info("Y", elem, ["batch", *model.layers[-1].output_shape])],
            graph.initializers),
        opset_imports=[onnx.helper.make_opsetid("", OPSET)], ir_version=IR_VERSION,
        producer_name="neuralkit", producer_version=__version__)
    onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        onnx.save_model(proto, os.fspath(path))
    return proto
