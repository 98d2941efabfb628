"""Activations under ``np.errstate(all="raise")``: forward and backward of every activation on
saturating inputs raise nothing and stay finite; the fixes keep the numbers of normal inputs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from neuralkit.layers import LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from neuralkit.reference import (
    LoopLeakyReLU,
    LoopLinear,
    LoopReLU,
    LoopSigmoid,
    LoopSoftmax,
    LoopTanh,
)

# Every activation, vectorized and looped, for the stability checks.
VECTORIZED = {"linear": Linear, "relu": ReLU, "leaky_relu": lambda: LeakyReLU(0.2),
              "sigmoid": Sigmoid, "tanh": Tanh, "softmax": Softmax}
LOOPED = {"linear": LoopLinear, "relu": LoopReLU, "leaky_relu": lambda: LoopLeakyReLU(0.2),
          "sigmoid": LoopSigmoid, "tanh": LoopTanh, "softmax": LoopSoftmax}
EVERY = {**VECTORIZED, **{f"loop_{k}": v for k, v in LOOPED.items()}}


def _grid(dtype):
    """Saturating, moderate, tiny and zero inputs of both signs, as a (m, 40) array."""
    finfo = np.finfo(dtype)
    magnitudes = np.concatenate([
        [0.0, 1e-30, 1e-3, 0.5, 1, 3, 5, 10, 14, 20, 30, 38, 40, 45, 50, 80, 87, 88, 89, 90, 100,
         103, 104, 200, 354, 500, 700, 708, 709, 710, 740, 745, 746, 800, 1000, 3000, 1e4],
        np.geomspace(1e-3, 1e4, 43),
    ])
    values = np.concatenate([magnitudes, -magnitudes, [finfo.tiny, -finfo.tiny]])
    values = values[np.isfinite(values.astype(dtype))].astype(dtype)
    values = np.resize(values, (len(values) + 39) // 40 * 40).reshape(-1, 40)
    return np.random.default_rng(0).permuted(values, axis=1)  # Softmax rows mix magnitudes


# ---------------------------------------------------------------------- stability
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", EVERY)
def test_saturating_inputs_raise_nothing_under_errstate_all_raise(name, dtype):
    Z = _grid(dtype)
    rng = np.random.default_rng(2)
    # dA of ones (dZ is then g'(Z) itself), of normal size, and small (1e-20: a tiny gradient
    # times a saturated derivative underflows, and underflow is rounding, not an error).
    for dA in (np.ones_like(Z), rng.standard_normal(Z.shape).astype(dtype),
               (1e-20 * rng.standard_normal(Z.shape)).astype(dtype)):
        layer = EVERY[name]()
        with np.errstate(all="raise"):
            A = layer.forward(Z)
            dZ = layer.backward(dA)
        assert A.dtype == dtype and dZ.dtype == dtype
        assert np.isfinite(A).all() and np.isfinite(dZ).all()


def test_existing_activations_keep_their_numbers_for_normal_inputs():
    # The stability fixes only quiet underflow: same formulas, same bits.
    rng = np.random.default_rng(3)
    Z, dA = rng.standard_normal((8, 5)) * 3, rng.standard_normal((8, 5))
    A = expit(Z)
    assert np.array_equal(Sigmoid().forward(Z), A)
    layer = Sigmoid()
    layer.forward(Z)
    assert np.array_equal(layer.backward(dA), dA * A * (1 - A))
    layer = Tanh()
    T = layer.forward(Z)
    assert np.array_equal(layer.backward(dA), dA * (1 - T * T))
    layer = LeakyReLU(0.2)
    assert np.array_equal(layer.forward(Z), np.where(Z > 0, Z, 0.2 * Z))
    assert np.array_equal(layer.backward(dA), np.where(Z > 0, dA, 0.2 * dA))
    layer = Softmax()
    S = layer.forward(Z)
    assert np.array_equal(layer.backward(dA), S * (dA - np.sum(dA * S, axis=1, keepdims=True)))
