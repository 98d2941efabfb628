"""The image cases of ``benchmarks/vectorization.py``: the course's looped convolution and pooling
(``LoopConv2D``, ``LoopMaxPooling2D``, ``LoopAveragePooling2D``) against Conv2D and the pooling
layers, forward + backward (dA_prev included), float64.

A conv size is ((m, n_H_prev, n_W_prev, n_C_prev), n_C, f, pad, stride); the first two are the
assignment's ("Convolution model, step by step": conv_forward's A_prev (10, 4, 4, 3) with W
(2, 2, 3, 8), pad 2, stride 2; conv_backward's (2, 5, 7, 4) with W (3, 3, 4, 8), pad 1, stride
2), then the Fashion-MNIST network's two layers (28x28x1 -> 32 and 13x13x32 -> 64, 3x3, valid)
on a few images: the looped side takes seconds per image there. A pool size is (mode,
(m, n_H, n_W, n_C), f, stride); the first two are the assignment's pool_forward test, (2, 5, 5,
3), f 3, stride 1, max and average.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from neuralkit.layers import AveragePooling2D, Conv2D, MaxPooling2D
from neuralkit.reference import LoopAveragePooling2D, LoopConv2D, LoopMaxPooling2D

__all__ = ["SIZES", "make_conv", "make_pool", "conv_label", "pool_label"]

COURSE_CONV = [((10, 4, 4, 3), 8, 2, 2, 2), ((2, 5, 7, 4), 8, 3, 1, 2)]
COURSE_POOL = [("max", (2, 5, 5, 3), 3, 1), ("average", (2, 5, 5, 3), 3, 1)]
SIZES: dict[str, dict[str, list[Any]]] = {
    "default": {"conv": [*COURSE_CONV, ((4, 28, 28, 1), 32, 3, 0, 1), ((1, 13, 13, 32), 64, 3, 0, 1)],
                "pool": [*COURSE_POOL, ("max", (8, 26, 26, 32), 2, 2), ("max", (8, 11, 11, 64), 2, 2)]},
    "quick": {"conv": [*COURSE_CONV, ((1, 28, 28, 1), 32, 3, 0, 1)],
              "pool": [*COURSE_POOL, ("max", (2, 26, 26, 32), 2, 2)]},
    "smallest": {"conv": COURSE_CONV[:1], "pool": COURSE_POOL[:1]},
}


def conv_label(size: Any) -> str:
    shape, filters, f, pad, stride = size
    return (f"A_prev {shape} W ({f},{f},{shape[3]},{filters}) pad {pad} stride {stride}")


def pool_label(size: Any) -> str:
    mode, shape, f, stride = size
    return f"{mode} A_prev {shape} f {f} stride {stride}"


def _random_bias(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """b drawn as the assignment draws it (np.random.randn), not zeros: the bias is tested too."""
    return rng.standard_normal(shape)


def _step(layer: Any, A_prev: np.ndarray, dA: np.ndarray) -> Callable[[], tuple[np.ndarray, ...]]:
    def run() -> tuple[np.ndarray, ...]:
        out = layer.forward(A_prev)
        dA_prev = layer.backward(dA)
        return (out, dA_prev, *(g.copy() for g in layer.grads.values()))
    return run


def make_conv(size: Any, rng: np.random.Generator) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """(looped, vectorized): forward + backward of LoopConv2D and Conv2D, same parameters."""
    shape, filters, f, pad, stride = size
    layers = []
    for kind in (LoopConv2D, Conv2D):
        layer = kind(filters, f, strides=stride, padding=pad, bias_initializer=_random_bias)
        layer.rng = np.random.default_rng(0)
        layer.build(shape[1:])
        layers.append(layer)
    A_prev = rng.standard_normal(shape)
    dZ = rng.standard_normal((shape[0], *layers[1].compute_output_shape(shape[1:])))
    return _step(layers[0], A_prev, dZ), _step(layers[1], A_prev, dZ)


def make_pool(size: Any, rng: np.random.Generator) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """(looped, vectorized): forward + backward of the looped pooling layer and its twin."""
    mode, shape, f, stride = size
    kinds = (LoopMaxPooling2D, MaxPooling2D) if mode == "max" else (LoopAveragePooling2D,
                                                                     AveragePooling2D)
    layers = [kind(f, strides=stride) for kind in kinds]
    for layer in layers:
        layer.build(shape[1:])
    A_prev = rng.standard_normal(shape)
    dA = rng.standard_normal((shape[0], *layers[1].compute_output_shape(shape[1:])))
    return _step(layers[0], A_prev, dA), _step(layers[1], A_prev, dA)
