"""The training step runs a Conv2D's ReLU after the max pooling above it, with the numbers of
the textbook order (the plain path: every layer's public forward and backward).

Oracle: the same fit with the fast paths off (:func:`neuralkit.config.set_fast_paths`), which
calls ``Conv2D.forward`` (convolution, then ReLU) and ``MaxPooling2D.forward`` in the model's
order; parameters and History are compared byte for byte.
"""

import numpy as np
import pytest

from neuralkit import Sequential, config
from neuralkit.layers import Conv2D, Dense, Flatten, MaxPooling2D, ReLU
from neuralkit.training.step import TrainStep


def _images(seed=0, m=48):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 14, 14, 2)).astype(np.float32)
    X[:, :3] = 0.0   # a blank band: Z there is the bias alone, 0 at the start (ties at zero)
    X[:, -2:] *= -1  # and a band that the ReLU mostly cuts
    return X, rng.integers(0, 5, m)


def _model(pool=(2, 2), strides=None, activation="relu"):
    return Sequential([
        Conv2D(6, 3, activation=activation, input_shape=(14, 14, 2)),
        MaxPooling2D(pool, strides=strides),
        Conv2D(4, 2, activation=activation),
        MaxPooling2D(2),
        Flatten(),
        Dense(5, activation="softmax"),
    ], seed=3, dtype="float32")


def _fit(fast, **kwargs):
    X, y = _images()
    previous = config.set_fast_paths(fast)
    try:
        model = _model(**kwargs)
        model.compile("sparse_categorical_crossentropy", "adam")
        history = model.fit(X, y, epochs=3, batch_size=16, verbose=0)
    finally:
        config.set_fast_paths(previous)
    return [p.tobytes() for layer in model.layers for p in layer.params.values()], history.history


def _forward_nodes(model):
    """The NumPy fast paths' plan (with the accelerator, tests/test_accelerated_pooling.py)."""
    model.compile("sparse_categorical_crossentropy", "adam")
    previous = config.set_accelerator(False)
    try:
        step = TrainStep(model.layers, model.loss, model.optimizer)
    finally:
        config.set_accelerator(previous)
    return [_node_name(call) for call in step.plan.forward_calls]


def _node_name(call):
    """The class of the node a forward call belongs to."""
    if hasattr(call, "__self__"):
        return type(call.__self__).__name__
    return type(call).__name__


@pytest.mark.parametrize("pool, strides", [((2, 2), None), ((2, 2), (3, 3)), ((3, 2), (3, 2))])
def test_relu_after_pooling_gives_the_plain_paths_numbers_bit_for_bit(pool, strides):
    assert _fit(True, pool=pool, strides=strides) == _fit(False, pool=pool, strides=strides)


def test_the_step_pools_before_the_relu_only_where_windows_do_not_overlap():
    assert _forward_nodes(_model()) == [
        "_ConvLinear", "MaxPooling2D", "ReLU", "_ConvLinear", "MaxPooling2D", "ReLU", "Flatten",
        "_ReusedOutput"]
    # 3x3 windows moved by 2 share inputs: the first conv keeps its ReLU before the pooling.
    assert _forward_nodes(_model(pool=(3, 3), strides=(2, 2)))[:4] == [
        "Conv2D", "MaxPooling2D", "_ConvLinear", "MaxPooling2D"]


def test_overlapping_windows_keep_the_textbook_order_and_its_numbers():
    assert _fit(True, pool=(3, 3), strides=(2, 2)) == _fit(False, pool=(3, 3), strides=(2, 2))


def test_an_activation_other_than_a_stock_relu_stays_before_the_pooling():
    class Shifted(ReLU):
        def forward(self, Z, training=True):  # not monotone-commuting in general: own code runs
            return super().forward(Z - 0.5, training)

    for activation in ("tanh", Shifted()):
        assert _forward_nodes(_model(activation=activation))[:2] == ["Conv2D", "MaxPooling2D"]
