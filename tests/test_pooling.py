"""Pooling, Flatten and Reshape on images (m, H, W, C), channels last.

Oracles: PyTorch's max_pool2d and avg_pool2d, forward and backward through autograd, in float64
on NCHW transposes ('same' padding written out explicitly from TensorFlow's rule, -inf for max,
the padding left out of the mean); the looped twins (neuralkit.reference) to 1e-12; finite
differences (gradcheck.check_layer); NumPy's reshape and reductions; windows worked by hand.
"""

from __future__ import annotations

import ast
import inspect
import math
import textwrap

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from neuralkit import Sequential, gradcheck
from neuralkit.layers import (
    AveragePooling2D,
    Dense,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
    Reshape,
    Softmax,
)
from neuralkit.reference import LoopAveragePooling2D, LoopMaxPooling2D
from neuralkit.reference import pool_layers as ref_pool

TOL = 1e-12

# (input shape, pool_size, strides, padding): divisible and not, overlapping, gaps, 'same'.
CASES = [
    ((3, 8, 6, 2), 2, None, "valid"),
    ((3, 7, 5, 2), 2, None, "valid"),
    ((2, 7, 6, 3), 3, 2, "valid"),
    ((2, 5, 5, 3), 3, 1, "valid"),
    ((2, 6, 7, 1), (2, 3), (1, 2), "valid"),
    ((2, 7, 4, 2), 2, 3, "valid"),
    ((3, 7, 6, 2), 2, None, "same"),
    ((2, 7, 6, 3), 3, 2, "same"),
    ((2, 5, 5, 2), 3, 1, "same"),
    ((2, 5, 8, 1), (2, 3), (1, 2), "same"),
    ((2, 4, 4, 2), 2, 3, "same"),
    ((2, 3, 3, 2), 1, 1, "valid"),
]
IDS = [f"{s}-{k}-{st}-{p}" for s, k, st, p in CASES]


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _same_pads(n, k, s):
    # TensorFlow's SAME, written from its documentation: out = ceil(n / s), the odd pixel last.
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def _torch_pool(X, kind, pool_size, strides, padding):
    """PyTorch's pooling of X (m, H, W, C) float64, with its input tensor for autograd."""
    k = _pair(pool_size)
    s = k if strides is None else _pair(strides)
    x = torch.tensor(X.transpose(0, 3, 1, 2), requires_grad=True)
    if padding == "same":
        (t, b), (l, r) = _same_pads(X.shape[1], k[0], s[0]), _same_pads(X.shape[2], k[1], s[1])
        pad = (l, r, t, b)
    else:
        pad = (0, 0, 0, 0)
    if kind == "max":
        y = F.max_pool2d(F.pad(x, pad, value=-math.inf), k, s)
    else:  # window sums over window counts: the padding is not counted
        area = k[0] * k[1]
        sums = F.avg_pool2d(F.pad(x, pad), k, s) * area
        counts = F.avg_pool2d(F.pad(torch.ones_like(x), pad), k, s) * area
        y = sums / counts
    return x, y


def _nhwc(t):
    return t.detach().numpy().transpose(0, 2, 3, 1)


def _check_against_torch(layer_cls, kind, X, pool_size, strides, padding, seed=0):
    layer = layer_cls(pool_size, strides, padding)
    A = layer.forward(X)
    x, y = _torch_pool(X, kind, pool_size, strides, padding)
    assert A.shape == _nhwc(y).shape == (X.shape[0], *layer.compute_output_shape(X.shape[1:]))
    np.testing.assert_allclose(A, _nhwc(y), rtol=TOL, atol=0)
    dA = np.random.default_rng(seed).standard_normal(A.shape)
    y.backward(torch.tensor(dA.transpose(0, 3, 1, 2)))
    np.testing.assert_allclose(layer.backward(dA), _nhwc(x.grad), rtol=TOL, atol=TOL)


# ---------------------------------------------------------------------- against PyTorch
@pytest.mark.parametrize("shape, pool_size, strides, padding", CASES, ids=IDS)
@pytest.mark.parametrize("layer_cls, kind", [(MaxPooling2D, "max"), (AveragePooling2D, "avg")],
                         ids=["max", "average"])
def test_pooling_matches_pytorch_forward_and_backward(layer_cls, kind, shape, pool_size, strides,
                                                      padding):
    X = np.random.default_rng(1).standard_normal(shape)
    _check_against_torch(layer_cls, kind, X, pool_size, strides, padding)


@pytest.mark.parametrize("shape, pool_size, strides, padding", CASES, ids=IDS)
def test_max_pooling_ties_go_to_the_first_maximum_as_in_pytorch(shape, pool_size, strides, padding):
    # Few distinct values: most windows hold tied maxima (like the zeros after a ReLU).
    X = np.random.default_rng(2).integers(0, 2, shape).astype(float)
    _check_against_torch(MaxPooling2D, "max", X, pool_size, strides, padding)


def test_a_tied_window_passes_its_gradient_once_to_its_first_maximum():
    X = np.zeros((1, 2, 2, 1))
    X[0, 1, 0, 0] = X[0, 0, 1, 0] = 1.0       # two maxima: (0, 1) comes first in row-major order
    layer = MaxPooling2D(2)
    layer.forward(X)
    dX = layer.backward(np.full((1, 1, 1, 1), 5.0))
    assert dX[0, :, :, 0].tolist() == [[0.0, 5.0], [0.0, 0.0]]
    layer.forward(np.zeros((4, 4, 4, 3)))     # all tied: still exactly dA in all
    dA = np.random.default_rng(0).standard_normal((4, 2, 2, 3))
    dX = layer.backward(dA)
    np.testing.assert_array_equal(dX[:, ::2, ::2], dA)
    assert np.count_nonzero(dX) == dA.size


def test_pytorch_channels_last_agrees_on_ties_too():
    X = np.random.default_rng(3).integers(0, 3, (4, 8, 8, 3)).astype(float)
    layer = MaxPooling2D(2)
    A = layer.forward(X)
    x = torch.tensor(X.transpose(0, 3, 1, 2)).contiguous(memory_format=torch.channels_last)
    x.requires_grad_(True)
    dA = np.random.default_rng(4).standard_normal(A.shape)
    F.max_pool2d(x, 2).backward(torch.tensor(dA.transpose(0, 3, 1, 2)))
    np.testing.assert_array_equal(layer.backward(dA), _nhwc(x.grad))


def test_the_windows_worked_by_hand():
    # Keras's docstring inputs; each window's max and mean written out.
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    assert MaxPooling2D(2, 1).forward(x)[0, :, :, 0].tolist() == [[5, 6], [8, 9]]
    assert MaxPooling2D(2, 1, "same").forward(x)[0, :, :, 0].tolist() == [[5, 6, 6], [8, 9, 9],
                                                                          [8, 9, 9]]
    assert AveragePooling2D(2, 1).forward(x)[0, :, :, 0].tolist() == [[3, 4], [6, 7]]
    # 'same' pads one row and column at the bottom and right, left out of the mean:
    # the last column averages (3, 6) = 4.5, (6, 9) = 7.5, and the corner is 9 alone.
    assert AveragePooling2D(2, 1, "same").forward(x)[0, :, :, 0].tolist() == [
        [3, 4, 4.5], [6, 7, 7.5], [7.5, 8.5, 9]]
    x = np.arange(1.0, 13.0).reshape(1, 3, 4, 1)
    assert MaxPooling2D(2).forward(x)[0, :, :, 0].tolist() == [[6, 8]]
    assert AveragePooling2D(2).forward(x)[0, :, :, 0].tolist() == [[3.5, 5.5]]


@pytest.mark.parametrize("n, k, s", [(26, 2, 2), (11, 2, 2), (7, 3, 2), (5, 3, 1), (4, 2, 3), (1, 1, 1)])
def test_output_sizes_are_keras_formulas(n, k, s):
    valid = MaxPooling2D(k, s).compute_output_shape((n, n, 4))
    same = MaxPooling2D(k, s, "same").compute_output_shape((n, n, 4))
    if n >= k:
        assert valid == ((n - k) // s + 1, (n - k) // s + 1, 4)
    assert same == ((n - 1) // s + 1, (n - 1) // s + 1, 4)


# ---------------------------------------------------------------------- the looped twins
@pytest.mark.parametrize("shape, pool_size, strides, padding", CASES, ids=IDS)
@pytest.mark.parametrize("loop_cls, vec_cls", [(LoopMaxPooling2D, MaxPooling2D),
                                               (LoopAveragePooling2D, AveragePooling2D)],
                         ids=["max", "average"])
@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
def test_looped_twins_agree_with_the_vectorized_layers(loop_cls, vec_cls, shape, pool_size,
                                                       strides, padding, ties):
    rng = np.random.default_rng(5)
    X = rng.integers(0, 2, shape).astype(float) if ties else rng.standard_normal(shape)
    looped, vectorized = loop_cls(pool_size, strides, padding), vec_cls(pool_size, strides, padding)
    A = vectorized.forward(X)
    np.testing.assert_allclose(looped.forward(X), A, rtol=0, atol=TOL)
    dA = rng.standard_normal(A.shape)
    np.testing.assert_allclose(looped.backward(dA), vectorized.backward(dA), rtol=0, atol=TOL)


def _looped_methods():
    return [f for cls in (LoopMaxPooling2D, LoopAveragePooling2D) for f in vars(cls).values()
            if inspect.isfunction(f)]


@pytest.mark.parametrize("func", _looped_methods(), ids=lambda f: f.__qualname__)
def test_looped_twins_use_loops_not_array_maths(func):
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    allowed = {"empty", "zeros", "result_type", "ndarray"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "np":
            assert node.attr in allowed, f"uses np.{node.attr}"
    assert sum(isinstance(node, ast.For) for node in ast.walk(tree)) >= 4
    assert ref_pool.__all__ == ["LoopMaxPooling2D", "LoopAveragePooling2D"]


def test_a_looped_model_trains_like_the_vectorized_one():
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((12, 5, 5, 2)), rng.integers(0, 3, 12)

    def model(pool, average):
        return Sequential([Flatten(input_shape=(5, 5, 2)), Dense(50), Reshape((5, 5, 2)),
                           pool(2, 1, "same"), average(3, 2), Flatten(), Dense(3), Softmax()],
                          seed=0)

    looped, vectorized = model(LoopMaxPooling2D, LoopAveragePooling2D), model(MaxPooling2D,
                                                                             AveragePooling2D)
    a = looped.fit(X, y, epochs=2, batch_size=5, verbose=0).history["loss"]
    b = vectorized.fit(X, y, epochs=2, batch_size=5, verbose=0).history["loss"]
    np.testing.assert_allclose(a, b, rtol=0, atol=TOL)


# ---------------------------------------------------------------------- finite differences
@pytest.mark.parametrize("make, shape", [
    (lambda: AveragePooling2D(2), (2, 5, 4, 3)),
    (lambda: AveragePooling2D(3, 2, "same"), (2, 5, 4, 3)),
    (lambda: AveragePooling2D((2, 3), 1), (2, 4, 5, 2)),
    (lambda: MaxPooling2D(2), (2, 5, 4, 3)),
    (lambda: MaxPooling2D(3, 1, "same"), (2, 4, 5, 2)),
    (GlobalAveragePooling2D, (3, 4, 5, 2)),
    (lambda: GlobalAveragePooling2D(keepdims=True), (3, 4, 5, 2)),
    (GlobalMaxPooling2D, (3, 4, 5, 2)),
    (Flatten, (3, 4, 5, 2)),
    (lambda: Flatten(data_format="channels_first"), (3, 4, 5, 2)),
    (lambda: Reshape((-1, 4)), (3, 4, 5, 2)),
    (lambda: Reshape((10, 4)), (3, 40)),
])
def test_layers_pass_the_gradient_check(make, shape):
    # Standard normals: no two entries of a window within 1e-6 of each other, so no max flips.
    X = np.random.default_rng(7).standard_normal(shape)
    errors = gradcheck.check_layer(make(), X)
    assert errors["X"] < 1e-9


def test_pooling_inside_a_model_passes_the_model_gradient_check():
    rng = np.random.default_rng(8)
    model = Sequential([Dense(32, input_dim=6), Reshape((4, 4, 2)), MaxPooling2D(2, 1),
                        AveragePooling2D(2, 1, "same"), GlobalAveragePooling2D(), Dense(3),
                        Softmax()], seed=1)
    errors = gradcheck.check_model(model, rng.standard_normal((5, 6)), rng.integers(0, 3, 5))
    assert max(errors.values()) < 1e-7


# ---------------------------------------------------------------------- global, Flatten, Reshape
def test_global_poolings_are_means_and_maxima_over_the_positions():
    X = np.random.default_rng(9).standard_normal((3, 4, 5, 2))
    for keepdims, shape in ((False, (3, 2)), (True, (3, 1, 1, 2))):
        mean = GlobalAveragePooling2D(keepdims=keepdims).forward(X)
        top = GlobalMaxPooling2D(keepdims=keepdims).forward(X)
        assert mean.shape == top.shape == shape
        np.testing.assert_allclose(mean.reshape(3, 2), X.mean(axis=(1, 2)), rtol=TOL)
        np.testing.assert_array_equal(top.reshape(3, 2), X.max(axis=(1, 2)))
    for layer, reduce in ((GlobalAveragePooling2D(), torch.mean), (GlobalMaxPooling2D(), torch.amax)):
        x = torch.tensor(X, requires_grad=True)
        reduce(x, dim=(1, 2)).backward(torch.ones(3, 2, dtype=torch.float64))
        layer.forward(X)
        np.testing.assert_allclose(layer.backward(np.ones((3, 2))), x.grad.numpy(), rtol=TOL)


def test_global_max_pooling_ties_go_to_the_first_position():
    X = np.ones((1, 2, 2, 1))
    layer = GlobalMaxPooling2D()
    layer.forward(X)
    assert layer.backward(np.array([[2.0]]))[0, :, :, 0].tolist() == [[2.0, 0.0], [0.0, 0.0]]


def test_flatten_keeps_keras_channels_last_order():
    X = np.random.default_rng(10).standard_normal((2, 3, 4, 5))
    A = Flatten().forward(X)
    assert A.shape == (2, 60) and np.shares_memory(A, X)       # no copy
    h, w, c = 1, 2, 3
    assert A[1, (h * 4 + w) * 5 + c] == X[1, h, w, c]          # feature (h W + w) C + c
    first = Flatten(data_format="channels_first")              # (m, C, H, W) read as Keras does
    np.testing.assert_array_equal(first.forward(X), X.transpose(0, 2, 3, 1).reshape(2, -1))
    dA = np.random.default_rng(11).standard_normal((2, 60))
    np.testing.assert_array_equal(first.backward(dA),
                                  dA.reshape(2, 4, 5, 3).transpose(0, 3, 1, 2))
    assert Flatten().forward(np.arange(3.0)).shape == (3, 1)   # Keras: (batch,) -> (batch, 1)


def test_reshape_resolves_one_minus_one_and_round_trips():
    layer = Reshape((-1, 2, 2))
    assert layer.compute_output_shape((12,)) == (3, 2, 2)
    X = np.arange(24.0).reshape(2, 12)
    np.testing.assert_array_equal(layer.forward(X), X.reshape(2, 3, 2, 2))
    np.testing.assert_array_equal(layer.backward(X.reshape(2, 3, 2, 2)), X)
    assert Reshape([3, 4]).get_config()["target_shape"] == (3, 4)


# ---------------------------------------------------------------------- in a model
def test_a_model_with_pooling_trains_saves_its_shapes_and_summary():
    rng = np.random.default_rng(12)
    X, y = rng.standard_normal((40, 8, 8, 1)), rng.integers(0, 3, 40)
    model = Sequential([MaxPooling2D(input_shape=(8, 8, 1)), AveragePooling2D(2, 1, "same"),
                        Flatten(), Dense(3), Softmax()], seed=0, dtype="float32")
    assert [layer.output_shape for layer in model.layers] == [(4, 4, 1), (4, 4, 1), (16,), (3,),
                                                              (3,)]
    history = model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(X, verbose=0).dtype == np.float32
    lines = []
    table = model.summary(print_fn=lines.append)
    assert [row["output_shape"] for row in table["layers"]][:3] == [(None, 4, 4, 1)] * 2 + [(None, 16)]
    assert "max_pooling2d" in "\n".join(map(str, lines))


@pytest.mark.parametrize("layer", [MaxPooling2D(2), AveragePooling2D(3, 1, "same"),
                                   GlobalAveragePooling2D(), GlobalMaxPooling2D(), Flatten(),
                                   Reshape((-1,))])
def test_float32_stays_float32_and_no_input_gradient_gives_none(layer):
    X = np.random.default_rng(13).standard_normal((2, 4, 6, 3)).astype(np.float32)
    A = layer.forward(X)
    assert A.dtype == np.float32
    dX = layer.backward(np.ones_like(A))
    assert dX.dtype == np.float32 and dX.shape == X.shape
    layer.needs_input_grad = False
    layer.forward(X)
    assert layer.backward(np.ones_like(A)) is None


@pytest.mark.parametrize("dtype, tiny", [("float64", 1e-310), ("float32", 1e-41)])
def test_quiet_under_seterr_raise_on_tiny_values(dtype, tiny):
    X = np.full((2, 5, 5, 2), tiny, dtype=dtype)
    X[0, 0, 0, 0] = -tiny
    with np.errstate(all="raise"):
        for layer in (MaxPooling2D(2, 2, "same"), AveragePooling2D(2, 2, "same"),
                      AveragePooling2D(3, 1), GlobalAveragePooling2D(), GlobalMaxPooling2D()):
            A = layer.forward(X)
            assert np.isfinite(layer.backward(np.full_like(A, tiny))).all()


@pytest.mark.parametrize("layer_cls", [MaxPooling2D, AveragePooling2D])
def test_config_round_trips_and_lists_become_tuples(layer_cls):
    layer = layer_cls([2, 3], [1, 2], "SAME", name="p")
    config = layer.get_config()
    assert config == {"name": "p", "pool_size": (2, 3), "strides": (1, 2), "padding": "same"}
    assert layer_cls.from_config(config).get_config() == config
    assert layer_cls(3).strides == (3, 3)                      # strides default to pool_size


# ---------------------------------------------------------------------- bad input
def test_bad_input_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"pool_size \(3, 3\) is larger than its inputs' \(H, W\) = "
                                         r"\(2, 5\).*padding='same'"):
        MaxPooling2D(3).compute_output_shape((2, 5, 1))
    with pytest.raises(ValueError, match=r"flat features \(m, 16\).*Reshape\(\(H, W, C\)\)"):
        MaxPooling2D().forward(np.ones((4, 16)))
    with pytest.raises(ValueError, match=r"flat features.*X.reshape\(m, H, W, C\)"):
        Sequential([Dense(16, input_dim=3), AveragePooling2D()])
    with pytest.raises(ValueError, match=r"without a channel axis.*X\[\.\.\., None\]"):
        GlobalMaxPooling2D().forward(np.ones((4, 5, 5)))
    with pytest.raises(ValueError, match=r"target_shape \(3, 5\) holds 15 values but its inputs "
                                         r"\(4, 4\) hold 16"):
        Reshape((3, 5)).compute_output_shape((4, 4))
    with pytest.raises(ValueError, match=r"16 values per example, not a multiple of the 3"):
        Reshape((-1, 3)).compute_output_shape((16,))
    with pytest.raises(ValueError, match="one -1"):
        Reshape((-1, -1))
    with pytest.raises(ValueError, match="channels last.*transpose"):
        MaxPooling2D(data_format="channels_first")
    with pytest.raises(ValueError, match="'valid' or 'same'"):
        AveragePooling2D(2, padding="full")
    with pytest.raises(ValueError, match="pool_size must be an integer >= 1"):
        MaxPooling2D(0)
    with pytest.raises(ValueError, match="tuple of 2 ints"):
        MaxPooling2D((2, 2, 2))
    with pytest.raises(TypeError, match="keepdims must be True or False"):
        GlobalAveragePooling2D(keepdims="yes")
