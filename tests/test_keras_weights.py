"""Keras's initializer objects, regularizers L1/L1L2 and the weights attributes of layers and models."""

import numpy as np
import pytest

import neuralkit as nk
from neuralkit import initializers, regularizers


def test_initializer_objects_draw_what_their_functions_draw():
    for cls, function in [(initializers.GlorotUniform, initializers.glorot_uniform),
                          (initializers.HeNormal, initializers.he_normal),
                          (initializers.HeUniform, initializers.he_uniform)]:
        a = cls()((30, 20), np.random.default_rng(5))
        b = function((30, 20), np.random.default_rng(5))
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(initializers.Zeros()((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(initializers.Constant(2.5)((4,)), np.full(4, 2.5))


def test_he_uniform_and_random_initializers_have_their_distributions():
    rng = np.random.default_rng(0)
    W = initializers.HeUniform()((400, 300), rng)             # fan_in 300
    limit = np.sqrt(6 / 300)
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit
    assert np.var(W) == pytest.approx(2 / 300, rel=0.02)      # U(-l, l) has variance l^2 / 3
    N = initializers.RandomNormal(mean=1.0, stddev=0.5)((200, 200), rng)
    assert N.mean() == pytest.approx(1.0, abs=0.01) and N.std() == pytest.approx(0.5, rel=0.01)
    U = initializers.RandomUniform(-2, 3)((200, 200), rng)
    assert U.min() >= -2 and U.max() < 3 and U.mean() == pytest.approx(0.5, abs=0.02)


def test_a_seeded_initializer_ignores_the_layer_generator():
    init = initializers.RandomNormal(seed=7)
    np.testing.assert_array_equal(init((3, 2), np.random.default_rng(1)),
                                  init((3, 2), np.random.default_rng(2)))
    unseeded = initializers.RandomNormal()
    assert not np.array_equal(unseeded((3, 2), np.random.default_rng(1)),
                              unseeded((3, 2), np.random.default_rng(2)))


def test_keras_class_names_resolve_and_bad_arguments_are_named():
    assert isinstance(initializers.get("HeNormal"), initializers.HeNormal)
    assert isinstance(initializers.get(initializers.GlorotUniform), initializers.GlorotUniform)
    with pytest.raises(ValueError, match="maxval"):
        initializers.RandomUniform(1.0, 0.0)
    with pytest.raises(TypeError, match="seed"):
        initializers.RandomNormal(seed=1.5)


def test_a_model_with_initializer_objects_saves_and_loads(tmp_path):
    model = nk.Sequential([nk.layers.Dense(4, input_shape=(3,),
                                           kernel_initializer=initializers.RandomNormal(stddev=0.3),
                                           bias_initializer=initializers.Constant(0.1)),
                           nk.layers.Dense(1, kernel_initializer=initializers.HeNormal())], seed=2)
    model.build()
    np.testing.assert_array_equal(model.layers[0].params["b"], np.full(4, 0.1))
    loaded = nk.load_model(model.save(tmp_path / "m.npz"))
    assert repr(loaded.layers[0].kernel_initializer) == "RandomNormal(mean=0.0, stddev=0.3)"
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def _finite_difference(f, W, eps=1e-6):
    grad = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[i] = eps
        grad[i] = (f(W + step) - f(W - step)) / (2 * eps)
    return grad


@pytest.mark.parametrize("regularizer", [regularizers.L1(0.03), regularizers.L1L2(0.02, 0.05),
                                         regularizers.l2(0.1)])
def test_regularizer_gradients_match_finite_differences(regularizer):
    W = np.random.default_rng(3).normal(size=(4, 3))
    W[np.abs(W) < 1e-3] = 0.5                                 # away from |W|'s kink
    dW = np.zeros_like(W)
    regularizer.add_gradient(W, dW)
    np.testing.assert_allclose(dW, _finite_difference(regularizer.penalty, W), rtol=1e-7, atol=1e-9)
    expected = (getattr(regularizer, "l1", 0) * np.abs(W).sum()
                + getattr(regularizer, "l2", 0) * (W ** 2).sum())
    assert regularizer.penalty(W) == pytest.approx(expected, rel=1e-13)


def test_regularizer_strings_and_aliases():
    assert regularizers.l1 is regularizers.L1 and regularizers.l1_l2 is regularizers.L1L2
    assert isinstance(regularizers.get("l1"), regularizers.L1)
    assert regularizers.get({"name": "l1_l2", "l1": 0.1, "l2": 0.2}).get_config() == {"l1": 0.1,
                                                                                     "l2": 0.2}
    with pytest.raises(ValueError, match="l1"):
        regularizers.L1(-1)


def test_weights_lists_follow_trainable_and_are_live():
    bn = nk.layers.BatchNormalization()
    model = nk.Sequential([nk.layers.Dense(3, input_shape=(4,)), bn, nk.layers.Dense(1)])
    model.build()
    dense = model.layers[0]
    assert [w.shape for w in dense.weights] == [(3, 4), (3,)]
    assert len(bn.weights) == 4 and len(bn.trainable_weights) == 2
    assert len(bn.non_trainable_weights) == 2                  # the moving statistics
    assert len(model.trainable_weights) == 6 and len(model.non_trainable_weights) == 2
    dense.trainable = False
    assert dense.trainable_weights == [] and len(dense.non_trainable_weights) == 2
    assert len(model.trainable_weights) == 4 and len(model.weights) == 8
    dense.weights[1][...] = 7.0                                # the arrays themselves
    np.testing.assert_array_equal(dense.params["b"], 7.0)


def test_kernel_and_bias_have_keras_layouts():
    model = nk.Sequential([nk.layers.Dense(3, input_shape=(4,)),
                           nk.layers.Dense(2, use_bias=False)])
    model.build()
    dense = model.layers[0]
    assert dense.kernel.shape == (4, 3) and dense.bias.shape == (3,)
    dense.kernel[0, 1] = 5.0                                   # a view: writes reach W
    assert dense.params["W"][1, 0] == 5.0
    assert model.layers[1].bias is None
    conv = nk.layers.Conv2D(6, 3)
    conv(np.zeros((1, 5, 5, 2)))
    assert conv.kernel is conv.params["W"] and conv.kernel.shape == (3, 3, 2, 6)
    with pytest.raises(AttributeError, match="kernel"):
        getattr(nk.layers.ReLU(), "kernel")  # noqa: B009


def test_build_takes_keras_batch_shapes_and_the_known_shape():
    model = nk.Sequential([nk.layers.Dense(3), nk.layers.Dense(1)])
    model.build((None, 4))
    assert model.input_shape == (None, 4) and model.layers[0].kernel.shape == (4, 3)
    images = nk.Sequential([nk.Input(shape=(6, 6, 1)), nk.layers.Conv2D(2, 3)])
    images.build()
    assert images.output_shape == (None, 4, 4, 2)
    with pytest.raises(TypeError, match="input_shape"):
        nk.Sequential([nk.layers.Dense(1)]).build()
