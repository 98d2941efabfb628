"""neuralkit.course's pooling functions ("Convolution model, Step by Step", course 4 week 1).

Oracles: the assignment's printed expected outputs (the notebook's cells, with the inputs
``np.random.seed(1); np.random.randn(...)`` drawn here from a private RandomState(1), the same
numbers); a procedural NumPy version of the assignment's loops, written below from the
assignment, independent of neuralkit; and the pooling layers themselves.
"""

from __future__ import annotations

import numpy as np
import pytest

from neuralkit import course
from neuralkit.layers import AveragePooling2D, MaxPooling2D


# ---------------------------------------------------------------------- the assignment, looped
def _oracle_pool_forward(A_prev, hparameters, mode="max"):
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, stride = hparameters["f"], hparameters["stride"]
    n_H = int(1 + (n_H_prev - f) / stride)
    n_W = int(1 + (n_W_prev - f) / stride)
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_prev_slice = A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]
                    A[i, h, w, c] = np.max(a_prev_slice) if mode == "max" else np.mean(a_prev_slice)
    return A, (A_prev, hparameters)


def _oracle_create_mask_from_window(x):
    return x == np.max(x)


def _oracle_distribute_value(dz, shape):
    n_H, n_W = shape
    return np.ones(shape) * (dz / (n_H * n_W))


def _oracle_pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        a_prev = A_prev[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vs, hs = h * stride, w * stride
                    if mode == "max":
                        mask = _oracle_create_mask_from_window(a_prev[vs:vs + f, hs:hs + f, c])
                        dA_prev[i, vs:vs + f, hs:hs + f, c] += mask * dA[i, h, w, c]
                    else:
                        dA_prev[i, vs:vs + f, hs:hs + f, c] += _oracle_distribute_value(
                            dA[i, h, w, c], (f, f))
    return dA_prev


# ---------------------------------------------------------------------- the printed values
def test_pool_forward_prints_the_assignments_expected_output():
    A_prev = np.random.RandomState(1).randn(2, 5, 5, 3)
    A, cache = course.pool_forward(A_prev, {"stride": 1, "f": 3})
    assert A.shape == (2, 3, 3, 3) and cache[1] == {"stride": 1, "f": 3}
    np.testing.assert_array_equal(cache[0], A_prev)
    np.testing.assert_allclose(A[0, 0], [[1.74481176, 0.90159072, 1.65980218],
                                         [1.74481176, 1.46210794, 1.65980218],
                                         [1.74481176, 1.6924546, 1.65980218]], atol=5e-9)
    np.testing.assert_allclose(A[1, 2], [[1.96710175, 0.86888616, 1.27375593],
                                         [1.96710175, 0.86888616, 1.23616403],
                                         [1.62765075, 1.12141771, 0.79280687]], atol=5e-9)
    A, _ = course.pool_forward(A_prev, {"stride": 1, "f": 3}, mode="average")
    np.testing.assert_allclose(A[0, 0], [[-3.01046719e-02, -3.24021315e-03, -3.36298859e-01],
                                         [1.43310483e-01, 1.93146751e-01, -4.44905196e-01],
                                         [1.28934436e-01, 2.22428468e-01, 1.25067597e-01]],
                               rtol=5e-8, atol=0)
    np.testing.assert_allclose(A[1, 2, 2], [1.50774518e-01, 2.89111751e-01, 1.23238536e-03],
                               rtol=5e-8, atol=0)
    A, _ = course.pool_forward(A_prev, {"stride": 2, "f": 3})
    assert A.shape == (2, 2, 2, 3)
    np.testing.assert_allclose(A[1, 1], [[1.96710175, 0.86888616, 1.27375593],
                                         [1.62765075, 1.12141771, 0.79280687]], atol=5e-9)
    A, _ = course.pool_forward(A_prev, {"stride": 2, "f": 3}, mode="average")
    np.testing.assert_allclose(A[0, 1], [[-0.38268052, 0.23257995, 0.6259979],
                                         [-0.09525515, 0.268511, 0.46605637]], atol=5e-9)
    # The grader's shape check: (2, 5, 7, 3) with stride 2, f 2 gives n_H = 2, n_W = 3.
    A, _ = course.pool_forward(np.ones((2, 5, 7, 3)), {"stride": 2, "f": 2}, mode="average")
    assert A.shape == (2, 2, 3, 3)


def test_the_mask_and_distribute_value_print_the_assignments_expected_output():
    x = np.random.RandomState(1).randn(2, 3)
    mask = course.create_mask_from_window(x)
    assert mask.dtype == bool and mask.tolist() == [[True, False, False], [False, False, False]]
    assert course.distribute_value(2, (2, 2)).tolist() == [[0.5, 0.5], [0.5, 0.5]]


def test_pool_backward_prints_the_assignments_expected_output():
    rng = np.random.RandomState(1)
    A_prev = rng.randn(5, 5, 3, 2)
    _, cache = course.pool_forward(A_prev, {"stride": 1, "f": 2})
    dA = rng.randn(5, 4, 2, 2)
    assert round(float(np.mean(dA)), 12) == 0.145713902729
    np.testing.assert_allclose(course.pool_backward(dA, cache, mode="max")[1, 1],
                               [[0.0, 0.0], [5.05844394, -1.68282702], [0.0, 0.0]], atol=5e-9)
    np.testing.assert_allclose(course.pool_backward(dA, cache, mode="average")[1, 1],
                               [[0.08485462, 0.2787552], [1.26461098, -0.25749373],
                                [1.17975636, -0.53624893]], atol=5e-9)


# ---------------------------------------------------------------------- against the loops
@pytest.mark.parametrize("shape, f, stride", [((2, 5, 5, 3), 3, 1), ((3, 7, 6, 2), 2, 2),
                                              ((2, 9, 8, 4), 3, 2), ((1, 6, 6, 1), 4, 1),
                                              ((2, 4, 7, 2), 1, 3)])
@pytest.mark.parametrize("mode", ["max", "average"])
def test_the_bridge_matches_the_assignments_loops(shape, f, stride, mode):
    rng = np.random.default_rng(0)
    A_prev = rng.standard_normal(shape)
    hparameters = {"f": f, "stride": stride}
    A, cache = course.pool_forward(A_prev, hparameters, mode)
    A_ref, cache_ref = _oracle_pool_forward(A_prev, hparameters, mode)
    np.testing.assert_allclose(A, A_ref, rtol=1e-12, atol=1e-12)
    dA = rng.standard_normal(A.shape)
    np.testing.assert_allclose(course.pool_backward(dA, cache, mode),
                               _oracle_pool_backward(dA, cache_ref, mode), rtol=1e-12, atol=1e-12)
    layer = (MaxPooling2D if mode == "max" else AveragePooling2D)(f, stride)
    np.testing.assert_array_equal(A, layer.forward(A_prev))
    np.testing.assert_array_equal(course.pool_backward(dA, cache, mode), layer.backward(dA))


def test_mask_and_distributed_value_match_the_assignments_formulas():
    rng = np.random.default_rng(1)
    for shape in ((2, 2), (3, 3), (2, 5)):
        x = rng.standard_normal(shape)
        np.testing.assert_array_equal(course.create_mask_from_window(x),
                                      _oracle_create_mask_from_window(x))
        np.testing.assert_array_equal(course.distribute_value(1.7, shape),
                                      _oracle_distribute_value(1.7, shape))


def test_on_ties_the_gradient_goes_to_the_first_maximum_only():
    # The one difference from the assignment, on purpose: its mask x == max(x) marks every tie.
    x = np.array([[1.0, 3.0], [3.0, 0.0]])
    assert course.create_mask_from_window(x).tolist() == [[False, True], [False, False]]
    assert _oracle_create_mask_from_window(x).tolist() == [[False, True], [True, False]]
    A_prev = np.zeros((1, 4, 4, 1))                       # every window tied
    _, cache = course.pool_forward(A_prev, {"f": 2, "stride": 2})
    dA = np.ones((1, 2, 2, 1))
    assert course.pool_backward(dA, cache).sum() == dA.sum() == 4
    assert _oracle_pool_backward(dA, cache).sum() == 16   # the assignment passes it on 4 times


def test_the_bridge_leaves_its_inputs_and_the_global_generator_alone():
    np.random.seed(0)
    expected = np.random.random()
    np.random.seed(0)
    A_prev = np.random.default_rng(2).standard_normal((2, 4, 4, 2))
    saved = A_prev.copy()
    _, cache = course.pool_forward(A_prev, {"f": 2, "stride": 1})
    course.pool_backward(np.ones((2, 3, 3, 2)), cache, "average")
    np.testing.assert_array_equal(A_prev, saved)
    assert np.random.random() == expected


def test_bad_input_is_refused_clearly():
    A_prev = np.zeros((2, 4, 4, 1))
    with pytest.raises(ValueError, match="mode must be 'max' or 'average'"):
        course.pool_forward(A_prev, {"f": 2, "stride": 2}, mode="avg")
    with pytest.raises(ValueError, match=r"hparameters must be a dict \{'f': f, 'stride': stride\}"):
        course.pool_forward(A_prev, {"f": 2})
    with pytest.raises(ValueError, match=r"A_prev must be a batch of images \(m, n_H, n_W, n_C\)"):
        course.pool_forward(np.zeros((4, 4)), {"f": 2, "stride": 2})
    with pytest.raises(ValueError, match="pool_size .* is larger than"):
        course.pool_forward(A_prev, {"f": 5, "stride": 1})
    _, cache = course.pool_forward(A_prev, {"f": 2, "stride": 2})
    with pytest.raises(ValueError, match=r"dA must have the shape of pool_forward's A, \(2, 2, 2, 1\)"):
        course.pool_backward(np.zeros((2, 3, 3, 1)), cache)
    with pytest.raises(TypeError, match="cache must be the"):
        course.pool_backward(np.zeros((2, 2, 2, 1)), A_prev)
    with pytest.raises(ValueError, match=r"one 2-D window"):
        course.create_mask_from_window(np.zeros(3))
    with pytest.raises(ValueError, match=r"shape must be \(n_H, n_W\)"):
        course.distribute_value(1.0, 4)
