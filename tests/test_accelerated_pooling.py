"""The compiled max pooling (neuralkit/training/accelerated_pooling.py) gives the bytes of the
NumPy code it stands in for.

Oracle: ``MaxPooling2D.forward`` and ``MaxPooling2D.backward`` (neuralkit/layers/pooling.py, one
NumPy operation per window offset; its looped twin in neuralkit/reference checks those), on
inputs made to tie (small integers, +0.0 and -0.0), with NaN and inf, in float32 and float64.
Needs the accelerator built: ``.ci/run`` sets NEURALKIT_REQUIRE_ACCELERATOR=1, so there a
missing build fails instead of skipping.
"""


import numpy as np
import pytest

from neuralkit import Sequential, config
from neuralkit.layers import Conv2D, Dense, Flatten, MaxPooling2D, ReLU
from neuralkit.training import accelerated_pooling, accelerator
from neuralkit.training.step import TrainStep
from tests.helpers import require_accelerator

require_accelerator()

CASES = [  # (input shape, pool_size, strides, padding)
    ((3, 8, 8, 4), 2, None, "valid"),
    ((2, 9, 7, 1), 2, None, "valid"),      # one channel; rows and columns past the last window
    ((2, 9, 7, 3), 2, None, "same"),       # padded with -inf, cropped back
    ((2, 9, 9, 5), 3, None, "valid"),
    ((2, 8, 9, 2), (2, 3), None, "same"),
    ((2, 10, 10, 3), 2, 3, "valid"),       # gaps between windows: zeros there
    ((2, 5, 5, 3), 1, None, "valid"),      # 1x1 windows: dA passed on as it is
]


def _tied(shape, dtype, rng):
    """Few distinct values, so windows tie; signed zeros, and a NaN and an inf or two."""
    X = rng.integers(-2, 3, shape).astype(dtype)
    X[rng.random(shape) < 0.2] = -0.0
    flat = X.reshape(-1)
    flat[rng.integers(0, flat.size, 2)] = np.nan
    flat[rng.integers(0, flat.size, 2)] = np.inf
    flat[rng.integers(0, flat.size, 1)] = -np.inf
    return X


def _layer(shape, pool, strides, padding):
    layer = MaxPooling2D(pool, strides=strides, padding=padding)
    layer._ensure_built(shape[1:])
    layer.needs_input_grad = True
    return layer


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, pool, strides, padding", CASES)
def test_compiled_max_pooling_gives_the_numpy_bytes(shape, pool, strides, padding, dtype):
    rng = np.random.default_rng(sum(shape))
    layer = _layer(shape, pool, strides, padding)
    X = _tied(shape, dtype, rng)
    A_ref = MaxPooling2D.forward(layer, X)
    dA = _tied(A_ref.shape, dtype, rng)
    dA[np.isinf(dA)] = 7.0  # inf * 0 would warn in the NumPy code (a gradient is never inf)
    dX_ref = MaxPooling2D.backward(layer, dA)
    node = accelerated_pooling.CompiledPool(layer)
    forward, backward = node.forward, node.backward
    A = forward(X)
    assert A.dtype == A_ref.dtype and A.tobytes() == A_ref.tobytes()
    dX = backward(dA)
    assert dX.shape == X.shape and dX.tobytes() == dX_ref.tobytes()
    # and from the cache of the NumPy forward
    MaxPooling2D.forward(layer, X)
    assert backward(dA).tobytes() == dX_ref.tobytes()


def _relu(shape):
    relu = ReLU()
    relu._ensure_built(shape[1:])
    return relu


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, pool, strides, padding", CASES)
def test_pooling_with_the_relu_after_it_gives_the_numpy_bytes(shape, pool, strides, padding,
                                                                dtype):
    # Oracle: MaxPooling2D then ReLU forward, ReLU then MaxPooling2D backward (the NumPy code).
    rng = np.random.default_rng(sum(shape) + 1)
    layer = _layer(shape, pool, strides, padding)
    X = _tied(shape, dtype, rng)
    relu = _relu(MaxPooling2D.forward(layer, X).shape)
    A_ref = ReLU.forward(relu, MaxPooling2D.forward(layer, X))
    dA = _tied(A_ref.shape, dtype, rng)
    dA[np.isinf(dA)] = -7.0  # inf * 0 would warn in the NumPy code (a gradient is never inf)
    dX_ref = MaxPooling2D.backward(layer, ReLU.backward(relu, dA))
    node = accelerated_pooling.CompiledPool(layer, relu)
    A = node.forward(X)
    assert A.tobytes() == A_ref.tobytes() and relu.cache is A
    assert node.backward(dA).tobytes() == dX_ref.tobytes()
    # and from the caches of the NumPy forwards (the ReLU's output is then another array)
    ReLU.forward(relu, MaxPooling2D.forward(layer, X))
    assert node.backward(dA).tobytes() == dX_ref.tobytes()


def test_pooling_with_its_relu_runs_the_numpy_code_on_arrays_the_kernels_do_not_take():
    rng = np.random.default_rng(1)
    layer = _layer((2, 8, 8, 6), 2, None, "valid")
    X = rng.standard_normal((2, 8, 8, 12))[..., ::2]  # not contiguous
    relu = _relu((2, 4, 4, 6))
    node = accelerated_pooling.CompiledPool(layer, relu)
    A = node.forward(X)
    assert A.tobytes() == ReLU.forward(relu, MaxPooling2D.forward(layer, X)).tobytes()
    dA = rng.standard_normal(A.shape).astype(np.float32)  # another dtype than the input's
    node.forward(X)
    dX = node.backward(dA)
    ReLU.forward(relu, MaxPooling2D.forward(layer, X))
    assert dX.tobytes() == MaxPooling2D.backward(layer, ReLU.backward(relu, dA)).tobytes()


def test_arrays_the_kernels_do_not_take_run_the_numpy_code():
    rng = np.random.default_rng(0)
    layer = _layer((2, 8, 8, 6), 2, None, "valid")
    X = rng.standard_normal((2, 8, 8, 12))[..., ::2]  # not contiguous
    node = accelerated_pooling.CompiledPool(layer)
    forward, backward = node.forward, node.backward
    A = forward(X)
    assert A.tobytes() == MaxPooling2D.forward(layer, X).tobytes()
    dA = rng.standard_normal(A.shape).astype(np.float32)  # another dtype than the input's
    assert backward(dA).tobytes() == MaxPooling2D.backward(layer, dA).tobytes()


def test_the_kernels_refuse_shapes_that_do_not_match_and_overlapping_windows():
    kernels = accelerator.kernels()
    P = np.zeros((2, 8, 8, 3), np.float32)
    with pytest.raises(ValueError, match="matching shapes"):
        kernels.max_pool(P, np.zeros((2, 4, 4, 2), np.float32), 2, 2, 2, 2)
    with pytest.raises(ValueError, match="one float dtype"):
        kernels.max_pool(P, np.zeros((2, 4, 4, 3), np.float64), 2, 2, 2, 2)
    with pytest.raises(ValueError, match="do not overlap"):
        kernels.max_pool(P, np.zeros((2, 3, 3, 3), np.float32), 3, 3, 2, 2)
    A = np.zeros((2, 4, 4, 3), np.float32)
    with pytest.raises(ValueError, match="matching shapes"):
        kernels.max_pool_backward(P, A, A, np.zeros((2, 8, 7, 3), np.float32), 2, 2, 2, 2)


def _cnn():
    return Sequential([Conv2D(4, 3, activation="relu", input_shape=(11, 11, 2)),
                       MaxPooling2D(2, padding="same"), Conv2D(3, 2, activation="tanh"),
                       MaxPooling2D(2), Flatten(), Dense(3, activation="softmax")],
                      seed=1, dtype="float32")


def _name(call):
    """A compiled pooling's forward as 'CompiledPool' or 'CompiledPool+ReLU', else the call's name."""
    node = getattr(call, "__self__", None)
    if isinstance(node, accelerated_pooling.CompiledPool):
        return "CompiledPool" + ("+ReLU" if node.relu is not None else "")
    return getattr(call, "__name__", "")


def _fit(compiled):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((40, 11, 11, 2)).astype(np.float32)
    X[:, :4] = 0.0
    y = rng.integers(0, 3, 40)
    previous = config.set_accelerator(compiled)
    try:
        model = _cnn()
        model.compile("sparse_categorical_crossentropy", "adam")
        names = [_name(call) for call in
                 TrainStep(model.layers, model.loss, model.optimizer).plan.forward_calls]
        history = model.fit(X, y, epochs=3, batch_size=8, verbose=0).history
    finally:
        config.set_accelerator(previous)
    return names, [p.tobytes() for layer in model.layers for p in layer.params.values()], history


def test_fit_pools_through_the_kernels_with_the_numpy_paths_numbers():
    names_on, params_on, history_on = _fit(True)
    names_off, params_off, history_off = _fit(False)
    # the first pooling takes the first conv's ReLU into its passes; the second conv's is tanh
    assert names_on[1:4] == ["CompiledPool+ReLU", "forward", "CompiledPool"]
    assert not any(name.startswith("CompiledPool") for name in names_off)
    assert params_on == params_off and history_on == history_off
