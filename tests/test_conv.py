"""Conv2D: the padding rules, forward and backward against PyTorch and the looped twin, finite
differences, float32, chunks and reused work arrays, training, and the errors that name the fix."""

import ast
import inspect
import math
import textwrap

import numpy as np
import pytest

from neuralkit import Sequential, gradcheck, initializers
from neuralkit.layers import Conv2D, Dense, Flatten, ReLU, Softmax
from neuralkit.layers._im2col import COLUMNS_LAYOUT_MAX_CHANNELS, Workspace
from neuralkit.reference import LoopConv2D
from neuralkit.reference.conv_layers import conv_single_step_looped, zero_pad_looped
from neuralkit.regularizers import L2
from tests.conv_helpers import bars, torch_conv2d

# (input (n_H, n_W, n_C), kernel_size, strides, padding): both layouts of the columns matrix
# (1-3 channels transposed, more as rows), odd and even 'same' totals, asymmetric kernels and
# strides, the course's int padding, a pair of paddings, and a kernel that covers the image.
CASES = [
    ((7, 6, 1), 3, 1, "valid"),
    ((7, 6, 3), 3, 2, "same"),          # heights: pads (1, 1); widths: (0, 1), the odd one right
    ((8, 8, 5), (2, 3), (2, 1), "same"),
    ((5, 7, 4), 3, 2, 1),
    ((6, 6, 2), 4, 3, "same"),          # pads (0, 1) on both axes
    ((4, 4, 3), 3, 1, (2, 0)),
    ((5, 5, 6), 5, 1, "valid"),         # one output position
    ((9, 4, 1), (4, 1), (3, 2), "same"),
]
IDS = [f"{s[0]}x{s[1]}x{s[2]}-k{k}-s{st}-{p}" for s, k, st, p in CASES]


def _layer(cls, shape, kernel, strides, padding, filters=4, seed=3, **kw):
    layer = cls(filters, kernel, strides=strides, padding=padding, **kw)
    layer.rng = np.random.default_rng(seed)
    layer._ensure_built(shape)
    return layer


def _images(m, shape, seed=0):
    return np.random.default_rng(seed).standard_normal((m, *shape))


# ---------------------------------------------------------------------- geometry
@pytest.mark.parametrize("n, f, s", [(n, f, s) for n in range(1, 10) for f in (1, 2, 3, 4)
                                     for s in (1, 2, 3)])
def test_same_padding_is_keras_rule(n, f, s):
    layer = Conv2D(1, (f, 1), strides=(s, 1), padding="same")
    out = math.ceil(n / s)
    total = max((out - 1) * s + f - n, 0)
    assert layer.compute_output_shape((n, 3, 2)) == (out, 3, 1)
    layer._ensure_built((n, 3, 2))
    assert layer.geometry.pads[:2] == (total // 2, total - total // 2)   # the extra one at the bottom


@pytest.mark.parametrize("n, f, s, p", [(5, 3, 1, 0), (5, 3, 2, 1), (7, 2, 3, 2), (4, 4, 1, 0), (6, 3, 2, 0)])
def test_int_padding_is_the_course_formula(n, f, s, p):
    expected = int((n - f + 2 * p) / s) + 1                  # the assignment's n_H
    assert Conv2D(2, f, strides=s, padding=p).compute_output_shape((n, n, 1)) == (expected, expected, 2)
    if p == 0:
        assert Conv2D(2, f, strides=s).compute_output_shape((n, n, 1)) == (expected, expected, 2)


# ---------------------------------------------------------------------- the oracles
@pytest.mark.parametrize("shape, kernel, strides, padding", CASES, ids=IDS)
@pytest.mark.parametrize("use_bias", [True, False])
def test_forward_and_backward_match_pytorch(shape, kernel, strides, padding, use_bias):
    layer = _layer(Conv2D, shape, kernel, strides, padding, use_bias=use_bias,
                   bias_initializer="he_normal" if use_bias else "zeros")
    X = _images(3, shape)
    Z = layer.forward(X)
    dZ = np.random.default_rng(1).standard_normal(Z.shape)
    dX = layer.backward(dZ)
    Zt, dXt, dWt, dbt = torch_conv2d(X, layer.params["W"], layer.params.get("b"), layer.strides,
                                     layer.geometry.pads, dZ)
    np.testing.assert_allclose(Z, Zt, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dX, dXt, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.grads["W"], dWt, rtol=1e-12, atol=1e-12)
    if use_bias:
        np.testing.assert_allclose(layer.grads["b"], dbt, rtol=1e-12, atol=1e-12)
    else:
        assert "b" not in layer.params and "b" not in layer.grads


@pytest.mark.parametrize("shape, kernel, strides, padding", CASES, ids=IDS)
def test_the_looped_twin_agrees_to_1e_12(shape, kernel, strides, padding):
    fast, looped = (_layer(cls, shape, kernel, strides, padding, activation="tanh",
                           kernel_regularizer=L2(0.01)) for cls in (Conv2D, LoopConv2D))
    for name in fast.params:
        np.testing.assert_array_equal(fast.params[name], looped.params[name])  # same seeded draws
    X = _images(2, shape, seed=4)
    A, A_loop = fast.forward(X), looped.forward(X)
    np.testing.assert_allclose(A_loop, A, rtol=0, atol=1e-12)
    dA = np.random.default_rng(5).standard_normal(A.shape)
    np.testing.assert_allclose(looped.backward(dA), fast.backward(dA), rtol=0, atol=1e-12)
    for name in fast.grads:
        np.testing.assert_allclose(looped.grads[name], fast.grads[name], rtol=0, atol=1e-12)
    fast.needs_input_grad = looped.needs_input_grad = False
    assert fast.backward(dA) is None and looped.backward(dA) is None


@pytest.mark.parametrize("shape, kernel, strides, padding", CASES, ids=IDS)
def test_gradcheck_passes_the_course_criterion(shape, kernel, strides, padding):
    layer = _layer(Conv2D, shape, kernel, strides, padding, filters=3,
                   bias_initializer="he_normal", activation="tanh")
    errors = gradcheck.check_layer(layer, _images(2, shape, seed=2))
    assert set(errors) == {"X", "W", "b"} and max(errors.values()) < 1e-7


def test_gradcheck_of_a_small_cnn():
    X, y = bars(6, size=6)
    model = Sequential([Conv2D(3, 3, padding="same", activation="tanh", input_shape=(6, 6, 1)),
                        Conv2D(2, 2, strides=2), Flatten(), Dense(2), Softmax()], seed=0)
    errors = gradcheck.check_model(model, X, y)
    assert set(errors) == {"conv2d/W", "conv2d/b", "conv2d_1/W", "conv2d_1/b", "W1", "b1"}
    assert max(errors.values()) < 1e-7


def test_activation_is_the_activation_layer_after():
    X = _images(3, (6, 5, 2))
    fused = _layer(Conv2D, (6, 5, 2), 3, 1, "same", activation="relu")
    plain = _layer(Conv2D, (6, 5, 2), 3, 1, "same")
    relu = ReLU()
    np.testing.assert_array_equal(fused.forward(X), relu.forward(plain.forward(X)))
    dA = np.random.default_rng(0).standard_normal(fused.forward(X).shape)
    np.testing.assert_array_equal(fused.backward(dA), plain.backward(relu.backward(dA)))
    np.testing.assert_array_equal(fused.grads["W"], plain.grads["W"])
    assert Conv2D(2, 3, activation="linear").activation is None


@pytest.mark.parametrize("name", ["softmax", "sigmoid", "leaky_relu", "elu", "gelu", "softplus",
                                  "swish"])
def test_every_activation_works_and_softmax_is_over_the_filters(name):
    layer = _layer(Conv2D, (5, 6, 2), 3, 1, "same", filters=3, activation=name)
    X = _images(2, (5, 6, 2))
    A = layer.forward(X)
    assert A.shape == (2, 5, 6, 3)
    if name == "softmax":                                 # Keras's: over the last axis
        np.testing.assert_allclose(A.sum(axis=-1), 1.0, rtol=1e-14)
        Z = _layer(Conv2D, (5, 6, 2), 3, 1, "same", filters=3).forward(X)
        np.testing.assert_allclose(A, np.exp(Z) / np.exp(Z).sum(-1, keepdims=True), rtol=1e-12)
    assert max(gradcheck.check_layer(layer, X).values()) < 1e-7


# ---------------------------------------------------------------------- dtypes, memory, reuse
@pytest.mark.parametrize("channels", [1, COLUMNS_LAYOUT_MAX_CHANNELS, 8])
def test_float32_stays_float32(channels):
    model = Sequential([Conv2D(4, 3, padding="same", activation="relu",
                               input_shape=(6, 6, channels)),
                        Conv2D(3, 3, strides=2), Flatten(), Dense(2), Softmax()],
                       seed=0, dtype="float32")
    conv = model.layers[1]
    X = _images(5, (6, 6, channels)).astype(np.float32)
    A = conv.forward(model.layers[0].forward(X))
    assert A.dtype == np.float32
    assert conv.backward(np.ones_like(A)).dtype == np.float32
    assert {a.dtype for a in (*conv.params.values(), *conv.grads.values())} == {np.dtype("float32")}
    assert conv._work.cols.dtype == np.float32 and conv._kernel_matrix.dtype == np.float32
    history = model.fit(X, np.arange(5) % 2, epochs=2, batch_size=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


@pytest.mark.parametrize("shape, kernel, strides, padding", CASES[:4], ids=IDS[:4])
def test_chunks_give_the_same_numbers_within_the_memory_bound(shape, kernel, strides, padding):
    whole = _layer(Conv2D, shape, kernel, strides, padding)
    chunked = _layer(Conv2D, shape, kernel, strides, padding)
    X = _images(7, shape)
    per_example = Workspace.nbytes_per_example(whole.geometry, np.float64, bias=True)
    chunked.max_work_bytes = 2 * per_example + per_example // 2     # 2 examples per chunk
    Z = whole.forward(X)
    np.testing.assert_allclose(chunked.forward(X), Z, rtol=0, atol=1e-13)
    assert chunked._work.rows == 2 and chunked.cache[1] is None         # cols rebuilt in backward
    assert sum(a.nbytes for a in (chunked._work.cols, chunked._work.images) if a is not None) \
        <= chunked.max_work_bytes
    dZ = np.random.default_rng(0).standard_normal(Z.shape)
    np.testing.assert_allclose(chunked.backward(dZ), whole.backward(dZ), rtol=0, atol=1e-13)
    for name in whole.grads:
        np.testing.assert_allclose(chunked.grads[name], whole.grads[name], rtol=1e-12, atol=1e-13)
    chunked.max_work_bytes = 1                                          # one example at a time
    np.testing.assert_allclose(chunked.forward(X), Z, rtol=0, atol=1e-13)


@pytest.mark.parametrize("channels", [1, 8])
def test_work_arrays_are_reused_and_outputs_are_fresh(channels):
    shape = (6, 5, channels)
    layer = _layer(Conv2D, shape, 3, 1, "same")
    big, small = _images(6, shape, seed=1), _images(2, shape, seed=2)
    Z_big = layer.forward(big)
    kept = Z_big.copy()
    cols = layer._work.cols
    Z_small = layer.forward(small)                      # the prefix of the same work arrays
    assert layer._work.cols is cols
    np.testing.assert_array_equal(Z_big, kept)          # the first batch's output is untouched
    Zt = torch_conv2d(small, layer.params["W"], layer.params["b"], (1, 1), layer.geometry.pads)
    np.testing.assert_allclose(Z_small, Zt, rtol=1e-12, atol=1e-12)   # zero borders stayed zero
    layer.clear_cache()
    assert layer._work is None
    np.testing.assert_allclose(layer.forward(small), Zt, rtol=1e-12, atol=1e-12)


def test_glorot_and_he_fans_of_a_kernel_are_keras():
    assert initializers.fans((3, 5, 2, 7)) == (3 * 5 * 2, 3 * 5 * 7)
    assert initializers.fans((4, 6)) == (6, 4)                          # the course's (n[l], n[l-1])
    W = initializers.glorot_uniform((3, 3, 16, 32), np.random.default_rng(0))
    limit = math.sqrt(6 / (9 * 16 + 9 * 32))
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit
    W = initializers.he_normal((3, 3, 64, 8), np.random.default_rng(0))
    assert W.std() == pytest.approx(math.sqrt(2 / (9 * 64)), rel=0.05)
    rng = np.random.default_rng(7)
    limit = np.sqrt(6.0 / (4 + 5))                      # 2-D (n[l], n[l-1]): bit for bit as before
    np.testing.assert_array_equal(initializers.glorot_uniform((5, 4), rng),
                                  np.random.default_rng(7).uniform(-limit, limit, (5, 4)))


# ---------------------------------------------------------------------- training, saving, quiet
class _Spy(Conv2D):
    """Conv2D that records what its backward returned."""

    def backward(self, dA):
        out = super().backward(dA)
        self.returned = [*getattr(self, "returned", []), out]
        return out


def test_a_small_cnn_learns_bars_reproducibly():
    X, y = bars(200, size=8)

    def run():
        model = Sequential([_Spy(4, 3, activation="relu", input_shape=(8, 8, 1)),
                            _Spy(4, 3, strides=2, padding="same", activation="relu"),
                            Flatten(), Dense(2), Softmax()], seed=1)
        model.compile("sparse_categorical_crossentropy", "adam", ["accuracy"])
        return model, model.fit(X, y, epochs=25, batch_size=20, verbose=0).history

    model, history = run()
    assert history["accuracy"][-1] >= 0.95 and history["loss"][-1] < 0.5 * history["loss"][0]
    assert run()[1] == history                                    # the seed fixes everything
    first, second = model.layers[:2]
    assert all(dA is None for dA in first.returned)               # nobody needs dL/dX
    assert all(dA.shape == (20, 6, 6, 4) for dA in second.returned)
    printed = []
    table = model.summary(print_fn=printed.append)
    assert [row["output_shape"] for row in table["layers"][:2]] == [(None, 6, 6, 4), (None, 3, 3, 4)]
    assert "(_Spy[relu])" in printed[0] and "W (3, 3, 1, 4), b (4,)" in printed[0]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_nothing_raises_under_seterr_all_raise(dtype):
    X, y = bars(12, size=6)
    tiny = 1e-300 if dtype == "float64" else 1e-20        # products of two of them underflow
    X[0] *= tiny
    with np.errstate(all="raise"):
        model = Sequential([Conv2D(3, 3, padding="same", activation="relu", input_shape=(6, 6, 1)),
                            Conv2D(2, 3, strides=2, kernel_regularizer="l2"), Flatten(),
                            Dense(2), Softmax()], seed=0, dtype=dtype)
        model.fit(X, y, epochs=2, batch_size=4, verbose=0)
        model.predict(X)
        layer = model.layers[1]                            # alone, outside fit's own guard
        A = model.layers[0].forward(X.astype(dtype))
        layer.backward(layer.forward(A) * tiny)
        gradcheck.check_layer(_layer(Conv2D, (5, 5, 2), 3, 2, "same"), _images(2, (5, 5, 2)))


def test_config_round_trip_and_regularizer():
    layer = Conv2D(8, (3, 2), strides=(2, 1), padding=1, activation="relu", use_bias=False,
                   kernel_initializer="he_normal", kernel_regularizer=L2(0.05),
                   input_shape=(9, 9, 3), name="c")
    config = layer.get_config()
    assert config == {"name": "c", "input_shape": (9, 9, 3), "filters": 8, "kernel_size": (3, 2),
                      "strides": (2, 1), "padding": (1, 1), "kernel_initializer": "he_normal",
                      "activation": "relu", "use_bias": False,
                      "kernel_regularizer": {"name": "l2", "l2": 0.05}}
    assert Conv2D.from_config(config).get_config() == config
    layer.rng = np.random.default_rng(0)
    layer._ensure_built((9, 9, 3))
    W = layer.params["W"]
    assert W.shape == (3, 2, 3, 8)
    assert layer.regularization_loss() == pytest.approx(0.05 * np.sum(W ** 2))
    layer.forward(_images(2, (9, 9, 3)))
    layer.backward(np.zeros((2, 5, 10, 8)))
    np.testing.assert_allclose(layer.grads["W"], 0.1 * W)


# ---------------------------------------------------------------------- errors that name the fix
def test_flat_features_are_refused_with_the_reshape():
    model = Sequential([Conv2D(2, 3)], seed=0)
    with pytest.raises(ValueError, match=r"Conv2D 'conv2d' takes images.*\(784,\).*"
                                         r"X.reshape\(-1, 28, 28, 1\)"):
        model.fit(np.zeros((4, 784)), np.zeros((4, 1)), verbose=0)
    with pytest.raises(ValueError, match=r"add a channel axis: X\[\.\.\., None\]"):
        Conv2D(2, 3).build((28, 28))
    layer = _layer(Conv2D, (6, 6, 1), 3, 1, "valid")
    with pytest.raises(ValueError, match=r"takes A_prev of shape \(m, 6, 6, 1\); got \(2, 5, 6, 1\)"):
        layer.forward(np.zeros((2, 5, 6, 1)))


def test_a_kernel_larger_than_the_padded_input_is_named():
    with pytest.raises(ValueError, match=r"kernel \(5, 5\) is larger than the padded input along "
                                         r"its height: 3 \+ 0 \(padding\) < 5.*padding='same'"):
        Conv2D(2, 5).build((3, 8, 1))
    with pytest.raises(ValueError, match=r"width: 2 \+ 2 \(padding\) < 5"):
        Conv2D(2, 5, padding=1).build((8, 2, 1))
    assert Conv2D(2, 5, padding="same").compute_output_shape((3, 2, 1)) == (3, 2, 2)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"padding": "vaild"}, ValueError, r"padding must be 'valid', 'same'.*did you mean 'valid'"),
    ({"padding": "causal"}, ValueError, r"got 'causal'"),
    ({"padding": -1}, ValueError, r"padding must be an integer >= 0"),
    ({"padding": 1.5}, TypeError, r"padding must be"),
    ({"kernel_size": 0}, ValueError, r"kernel_size must be an integer >= 1"),
    ({"kernel_size": (3, 3, 3)}, ValueError, r"kernel_size must be an int or a pair"),
    ({"kernel_size": True}, TypeError, r"kernel_size must be an integer"),
    ({"strides": (1, 0)}, ValueError, r"strides\[1\] must be an integer >= 1"),
    ({"filters": 0}, ValueError, r"filters must be an integer >= 1"),
    ({"use_bias": 1}, TypeError, r"use_bias must be True or False"),
    ({"activation": "rleu"}, ValueError, r"did you mean 'relu'"),
    ({"kernel_initializer": "glorot"}, ValueError, r"kernel_initializer must be one of"),
])
def test_bad_arguments_name_what_was_expected(kwargs, error, message):
    arguments = {"filters": 2, "kernel_size": 3, **kwargs}
    with pytest.raises(error, match=message):
        Conv2D(**arguments)


def test_padding_names_are_taken_in_any_case():
    assert Conv2D(1, 3, padding="SAME").padding == "same"
    assert Conv2D(1, 3, padding=[1, 2]).padding == (1, 2)


_ALLOWED_NP = {"empty", "empty_like", "zeros", "result_type", "ndarray"}  # as tests/test_reference


@pytest.mark.parametrize("func", [LoopConv2D.forward, LoopConv2D.backward, conv_single_step_looped,
                                  zero_pad_looped], ids=lambda f: f.__qualname__)
def test_the_looped_twin_really_loops(func):
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)), "uses @"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "np":
            assert node.attr in _ALLOWED_NP, f"uses np.{node.attr}"
    assert any(isinstance(node, ast.For) for node in ast.walk(tree)), "no for-loop"
