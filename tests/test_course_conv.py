"""neuralkit.course's convolution functions: the assignment's printed values, a procedural looped
oracle written here from the assignment's formulas, and the layer that computes them."""

import numpy as np
import pytest

from neuralkit import course
from neuralkit.layers import Conv2D


# ---------------------------------------------------------------------- the oracle
# The assignment's four functions, written out procedurally with its loops and layouts (and
# without neuralkit): the reference the bridge must agree with.
def oracle_zero_pad(X, pad):
    m, n_H, n_W, n_C = X.shape
    X_pad = np.zeros((m, n_H + 2 * pad, n_W + 2 * pad, n_C))
    X_pad[:, pad:pad + n_H, pad:pad + n_W, :] = X
    return X_pad


def oracle_conv_single_step(a_slice_prev, W, b):
    return np.sum(a_slice_prev * W) + float(b.reshape(()))


def oracle_conv_forward(A_prev, W, b, hparameters):
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    n_H = int((n_H_prev - f + 2 * pad) / stride) + 1
    n_W = int((n_W_prev - f + 2 * pad) / stride) + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    A_prev_pad = oracle_zero_pad(A_prev, pad)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    top, left = h * stride, w * stride
                    window = A_prev_pad[i, top:top + f, left:left + f, :]
                    Z[i, h, w, c] = oracle_conv_single_step(window, W[..., c], b[..., c])
    return Z, (A_prev, W, b, hparameters)


def oracle_conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    _, n_H, n_W, _ = dZ.shape
    dW, db = np.zeros(W.shape), np.zeros(b.shape)
    A_prev_pad = oracle_zero_pad(A_prev, pad)
    dA_prev_pad = np.zeros(A_prev_pad.shape)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    top, left = h * stride, w * stride
                    window = (i, slice(top, top + f), slice(left, left + f), slice(None))
                    dA_prev_pad[window] += W[:, :, :, c] * dZ[i, h, w, c]
                    dW[:, :, :, c] += A_prev_pad[window] * dZ[i, h, w, c]
                    db[:, :, :, c] += dZ[i, h, w, c]
    dA_prev = dA_prev_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :]  # right for pad = 0 too
    return dA_prev, dW, db


def _case(m, n_H, n_W, n_C_prev, f, n_C, seed):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((m, n_H, n_W, n_C_prev)), rng.standard_normal((f, f, n_C_prev, n_C)),
            rng.standard_normal((1, 1, 1, n_C)))


CASES = [((2, 5, 7, 4, 3, 8), 2, 1), ((3, 4, 4, 3, 2, 5), 2, 2), ((2, 6, 5, 1, 3, 2), 1, 0),
         ((1, 7, 7, 2, 4, 3), 3, 1), ((2, 3, 3, 2, 3, 2), 1, 2), ((2, 5, 5, 3, 1, 4), 2, 0)]


# ---------------------------------------------------------------------- the assignment's numbers
# What the notebook prints (Course 4, week 1), as published in copies of its versions. Its
# np.random.seed(1); np.random.randn(...) draws are RandomState(1).randn(...)'s, taken here
# without touching NumPy's global state.
def test_zero_pad_prints_the_assignments_values():
    rs = np.random.RandomState(1)
    x = rs.randn(4, 3, 3, 2)
    x_pad = course.zero_pad(x, 3)
    assert x_pad.shape == (4, 9, 9, 2)
    np.testing.assert_array_equal(np.round(x[1, 1], 8), [[0.90085595, -0.68372786],
                                                         [-0.12289023, -0.93576943],
                                                         [-0.26788808, 0.53035547]])
    np.testing.assert_array_equal(x_pad[1, 1], np.zeros((9, 2)))
    np.testing.assert_array_equal(x_pad[:, 3:6, 3:6, :], x)


def test_conv_single_step_prints_the_assignments_value():
    rs = np.random.RandomState(1)
    a_slice_prev, W, b = rs.randn(4, 4, 3), rs.randn(4, 4, 3), rs.randn(1, 1, 1)
    Z = course.conv_single_step(a_slice_prev, W, b)
    assert type(Z) is np.float64                                   # the assignment's own check
    assert Z == pytest.approx(-6.999089450680221, rel=1e-14)


@pytest.mark.parametrize("shape, f, pad, stride, mean, row, where, cached", [
    # the current version: Z[0, 2, 1] and cache_conv[0][1][2][3]
    ((2, 5, 7, 4), 3, 1, 2, 0.5511276474566768, [-2.17796037, 8.07171329, -0.5772704, 3.36286738,
     4.48113645, -2.89198428, 10.99288867, 3.03171932], (0, 2, 1),
     [-1.1191154, 1.9560789, -0.3264995, -1.34267579]),
    # an earlier version: 10 examples, Z[3, 2, 1]
    ((10, 5, 7, 4), 3, 1, 2, 0.6923608807576933, [-1.28912231, 2.27650251, 6.61941931, 0.95527176,
     8.25132576, 2.31329639, 13.00689405, 2.34576051], (3, 2, 1),
     [-1.1191154, 1.9560789, -0.3264995, -1.34267579]),
    # the first version (and the backward test's forward in every version)
    ((10, 4, 4, 3), 2, 2, 2, 0.0489952035289, [-0.61490741, -6.7439236, -2.55153897, 1.75698377,
     3.56208902, 0.53036437, 5.18531798, 8.75898442], (3, 2, 1), [-0.20075807, 0.18656139, 0.41005165]),
])
def test_conv_forward_prints_the_assignments_values(shape, f, pad, stride, mean, row, where, cached):
    rs = np.random.RandomState(1)
    A_prev = rs.randn(*shape)
    W = rs.randn(f, f, shape[3], 8)
    b = rs.randn(1, 1, 1, 8)
    Z, cache_conv = course.conv_forward(A_prev, W, b, {"pad": pad, "stride": stride})
    assert np.mean(Z) == pytest.approx(mean, rel=1e-14, abs=5e-14)  # to its last printed digit
    np.testing.assert_array_equal(np.round(Z[where], 8), row)
    np.testing.assert_array_equal(np.round(cache_conv[0][1][2][3], 8), cached)


def test_conv_backward_prints_the_assignments_values():
    rs = np.random.RandomState(1)
    A_prev, W, b = rs.randn(10, 4, 4, 3), rs.randn(2, 2, 3, 8), rs.randn(1, 1, 1, 8)
    Z, cache_conv = course.conv_forward(A_prev, W, b, {"pad": 2, "stride": 2})
    dA, dW, db = course.conv_backward(Z, cache_conv)
    assert (dA.shape, dW.shape, db.shape) == ((10, 4, 4, 3), (2, 2, 3, 8), (1, 1, 1, 8))
    assert round(np.mean(dA), 11) == 1.45243777754
    assert round(np.mean(dW), 11) == 1.72699145831
    assert round(np.mean(db), 11) == 7.83923256462


# ---------------------------------------------------------------------- against the oracle
@pytest.mark.parametrize("dims, stride, pad", CASES)
def test_forward_and_backward_match_the_procedural_oracle(dims, stride, pad):
    A_prev, W, b = _case(*dims, seed=sum(dims))
    hparameters = {"stride": stride, "pad": pad}
    Z, cache = course.conv_forward(A_prev, W, b, hparameters)
    Z_oracle, _ = oracle_conv_forward(A_prev, W, b, hparameters)
    np.testing.assert_allclose(Z, Z_oracle, rtol=1e-12, atol=1e-12)
    assert cache[3] is hparameters and all(a is not None for a in cache)
    dZ = np.random.default_rng(0).standard_normal(Z.shape)
    for got, expected in zip(course.conv_backward(dZ, cache), oracle_conv_backward(dZ, cache),
                             strict=True):
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(course.zero_pad(A_prev, pad), oracle_zero_pad(A_prev, pad), rtol=0)
    window = oracle_zero_pad(A_prev, pad)[0, :W.shape[0], :W.shape[1], :]
    assert course.conv_single_step(window, W[..., 0], b[..., 0]) == pytest.approx(
        oracle_conv_single_step(window, W[..., 0], b[..., 0]), rel=1e-13, abs=1e-13)


@pytest.mark.parametrize("dims, stride, pad", CASES[:3])
def test_the_bridge_is_the_layer(dims, stride, pad):
    A_prev, W, b = _case(*dims, seed=1)
    layer = Conv2D(W.shape[3], W.shape[0], strides=stride, padding=pad)
    layer.build(A_prev.shape[1:])
    layer.params["W"][...], layer.params["b"][...] = W, b.reshape(-1)
    Z, cache = course.conv_forward(A_prev, W, b, {"stride": stride, "pad": pad})
    np.testing.assert_array_equal(Z, layer.forward(A_prev))
    dZ = np.random.default_rng(2).standard_normal(Z.shape)
    dA, dW, db = course.conv_backward(dZ, cache)
    np.testing.assert_array_equal(dA, layer.backward(dZ))
    np.testing.assert_array_equal(dW, layer.grads["W"])
    np.testing.assert_array_equal(db.reshape(-1), layer.grads["b"])


def test_nothing_global_changes():
    A_prev, W, b = _case(2, 4, 4, 2, 3, 2, seed=0)
    state = np.random.get_state()[1].copy()
    before = [A_prev.copy(), W.copy(), b.copy()]
    Z, cache = course.conv_forward(A_prev, W, b, {"stride": 1, "pad": 1})
    course.conv_backward(Z, cache)
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    for array, kept in zip((A_prev, W, b), before, strict=True):
        np.testing.assert_array_equal(array, kept)


# ---------------------------------------------------------------------- bad input
def test_bad_input_names_the_fix():
    A_prev, W, b = _case(2, 5, 5, 3, 3, 4, seed=0)
    with pytest.raises(ValueError, match=r"W has n_C_prev = 3 .* A_prev has 2 channels"):
        course.conv_forward(A_prev[..., :2], W, b, {"stride": 1, "pad": 0})
    with pytest.raises(ValueError, match=r'hparameters must be a dict \{"stride": s, "pad": p\}'):
        course.conv_forward(A_prev, W, b, {"stride": 1})
    with pytest.raises(ValueError, match=r"b must have shape \(1, 1, 1, 4\)"):
        course.conv_forward(A_prev, W, b[..., :3], {"stride": 1, "pad": 0})
    with pytest.raises(ValueError, match=r"A_prev must be 4-D"):
        course.conv_forward(A_prev[0], W, b, {"stride": 1, "pad": 0})
    with pytest.raises(ValueError, match=r'hparameters\["pad"\] must be an integer >= 0'):
        course.conv_forward(A_prev, W, b, {"stride": 1, "pad": -1})
    Z, cache = course.conv_forward(A_prev, W, b, {"stride": 1, "pad": 0})
    with pytest.raises(ValueError, match=r"dZ must have Z's shape \(2, 3, 3, 4\)"):
        course.conv_backward(Z[:, :2], cache)
    with pytest.raises(ValueError, match=r"cache must be conv_forward's 4-tuple"):
        course.conv_backward(Z, cache[:3])
    with pytest.raises(ValueError, match=r"W must have a_slice_prev's shape"):
        course.conv_single_step(np.ones((3, 3, 2)), np.ones((3, 3, 3)), np.ones((1, 1, 1)))
