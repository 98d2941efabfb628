"""The compiled dA_prev of a convolution (neuralkit/training/accelerated_conv.py) gives the bytes
of the NumPy code it stands in for.

Oracle: ``Conv2D.linear_backward`` (neuralkit/layers/conv.py, one product and one strided NumPy
addition per kernel offset; its looped twin in neuralkit/reference checks that code), on the
same cache, with signed zeros, NaN and inf among the gradients, in float32 and float64, for
strides, paddings and kernels whose offsets touch the input unevenly. Needs the accelerator
built: ``.ci/run`` sets NEURALKIT_REQUIRE_ACCELERATOR=1, so there a missing build fails
instead of skipping.
"""


import numpy as np
import pytest

from neuralkit import Sequential, config
from neuralkit.layers import Conv2D, Dense, Flatten, MaxPooling2D
from neuralkit.layers._im2col import Workspace
from neuralkit.training import accelerated_conv, accelerator
from neuralkit.training.step import TrainStep
from tests.helpers import require_accelerator

require_accelerator()

CASES = [  # (input shape, filters, kernel_size, strides, padding)
    ((3, 9, 9, 4), 5, 3, 1, "valid"),
    ((2, 9, 7, 1), 3, 3, 1, "same"),        # one channel: the transposed columns in forward
    ((2, 10, 9, 3), 4, (3, 2), 2, "same"),  # the extra pad at the bottom and right
    ((2, 7, 8, 2), 3, 2, 3, "valid"),       # stride > kernel: inputs no offset touches
    ((2, 6, 6, 5), 2, 3, 2, 2),             # the course's pad, p zeros on each side
    ((2, 1, 5, 3), 2, 3, 3, 2),             # kernel rows 0 and 1 touch only the pad
    ((3, 5, 5, 6), 4, 1, 1, "valid"),       # 1x1 kernels: one offset
    ((2, 9, 8, 4), 3, (3, 2), 2, "same"),   # the extra pad at the bottom and right, 4 channels
]


def _conv(shape, filters, kernel, strides, padding, dtype):
    layer = Conv2D(filters, kernel, strides=strides, padding=padding)
    layer.dtype, layer.rng = np.dtype(dtype), np.random.default_rng(3)
    layer._ensure_built(shape[1:])
    layer.needs_input_grad = True
    return layer


def _gradient(shape, dtype, rng):
    """Random values with signed zeros, a NaN and infinities among them."""
    dZ = rng.standard_normal(shape).astype(dtype)
    dZ[rng.random(shape) < 0.1] = -0.0
    flat = dZ.reshape(-1)
    flat[rng.integers(0, flat.size, 1)] = np.nan
    flat[rng.integers(0, flat.size, 2)] = np.inf
    return dZ


def _backward_both(layer, X, dZ, twin):
    """(dA_prev, dW, db) of the NumPy code and of the twin, from the same forward's cache."""
    results = []
    for backward in (layer.linear_backward, twin):
        layer.linear_forward(X)
        with np.errstate(invalid="ignore"):  # inf - inf in the sums: NaN, in both
            dA_prev = backward(dZ)
        results.append((dA_prev.tobytes(), layer.grads["W"].tobytes(), layer.grads["b"].tobytes()))
    return results


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, filters, kernel, strides, padding", CASES)
def test_compiled_input_gradient_gives_the_numpy_bytes(shape, filters, kernel, strides, padding,
                                                       dtype):
    rng = np.random.default_rng(sum(shape))
    layer = _conv(shape, filters, kernel, strides, padding, dtype)
    X = rng.standard_normal(shape).astype(dtype)
    dZ = _gradient((shape[0], *layer.compute_output_shape(shape[1:])), dtype, rng)
    numpy_code, compiled = _backward_both(layer, X, dZ, accelerated_conv.backward_twin(layer))
    assert compiled == numpy_code


def test_chunks_of_examples_give_the_numpy_bytes_and_too_large_blocks_run_the_numpy_code():
    rng = np.random.default_rng(7)
    shape = (7, 8, 8, 3)
    layer = _conv(shape, 4, 3, 1, "same", np.float32)
    X = rng.standard_normal(shape).astype(np.float32)
    dZ = _gradient((7, 8, 8, 4), np.float32, rng)
    twin = accelerated_conv.backward_twin(layer)
    # chunks of 2 examples (the layer's own), whose nine blocks fit the limit
    layer.max_work_bytes = 2 * Workspace.nbytes_per_example(layer.geometry, np.dtype(np.float32),
                                                            True)
    assert layer._chunk(7, np.dtype(np.float32)) == 2
    assert 9 * 2 * (8 * 8 * 3 * 4) <= layer.max_work_bytes  # an offset's block: 8x8x3 floats
    numpy_code, compiled = _backward_both(layer, X, dZ, twin)
    assert compiled == numpy_code
    # one example per chunk, and nine blocks of it over the limit: the NumPy code runs
    layer.max_work_bytes = 1
    numpy_code, compiled = _backward_both(layer, X, dZ, twin)
    assert compiled == numpy_code


def test_the_kernel_refuses_shapes_that_do_not_match():
    kernels = accelerator.kernels()
    shares = np.zeros((9, 2, 4, 4, 3), np.float32)
    with pytest.raises(ValueError, match=r"\(f_h f_w, m, oh, ow, C\)"):
        kernels.conv_input_gradient(shares, np.zeros((2, 6, 6, 3), np.float32), 2, 2, 1, 1, 0, 0)
    with pytest.raises(ValueError, match="one float dtype"):
        kernels.conv_input_gradient(shares, np.zeros((2, 6, 6, 3), np.float64), 3, 3, 1, 1, 0, 0)
    with pytest.raises(ValueError, match="one float dtype"):
        kernels.conv_input_gradient(shares, np.zeros((2, 6, 6, 2), np.float32), 3, 3, 1, 1, 0, 0)
    with pytest.raises(ValueError, match="strides >= 1"):
        kernels.conv_input_gradient(shares, np.zeros((2, 6, 6, 3), np.float32), 3, 3, 0, 1, 0, 0)


def _cnn(second_activation):
    return Sequential([Conv2D(4, 3, activation="relu", input_shape=(12, 12, 2)), MaxPooling2D(2),
                       Conv2D(3, 2, padding="same", activation=second_activation), MaxPooling2D(2),
                       Conv2D(3, 2), Flatten(), Dense(3, activation="softmax")],
                      seed=2, dtype="float32")


def _fit(compiled, second_activation):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((40, 12, 12, 2)).astype(np.float32)
    y = rng.integers(0, 3, 40)
    previous = config.set_accelerator(compiled)
    try:
        model = _cnn(second_activation)
        model.compile("sparse_categorical_crossentropy", "adam")
        names = [getattr(call, "__name__", "") for call in
                 TrainStep(model.layers, model.loss, model.optimizer).plan.backward_calls]
        history = model.fit(X, y, epochs=3, batch_size=8, verbose=0).history
    finally:
        config.set_accelerator(previous)
    return names, [p.tobytes() for layer in model.layers for p in layer.params.values()], history


@pytest.mark.parametrize("second_activation, compiled_convs", [("relu", 2), ("tanh", 1)])
def test_fit_takes_dA_prev_from_the_kernel_with_the_numpy_paths_numbers(second_activation,
                                                                        compiled_convs):
    # The first conv makes no dA_prev; a conv whose activation stays in it runs its own code.
    names_on, params_on, history_on = _fit(True, second_activation)
    names_off, params_off, history_off = _fit(False, second_activation)
    assert names_on.count("conv_backward_compiled") == compiled_convs + 1
    assert "conv_backward_compiled" not in names_off
    assert params_on == params_off and history_on == history_off
