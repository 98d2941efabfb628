"""Dropout on N-D inputs (images (m, H, W, C)): an independent mask per entry, Keras's
noise_shape, the identity in inference, and the 2-D numbers kept bit for bit."""

import numpy as np
import pytest

from neuralkit import Sequential, gradcheck, load_model
from neuralkit.layers import Dropout, Layer
from tests.helpers import SameDraws


class _Flatten(Layer):
    """(m, *shape) -> (m, prod(shape)): enough to put a Dense after image layers here."""

    def compute_output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)

    def forward(self, A, training=True):
        self.cache = A.shape
        return A.reshape(A.shape[0], -1)

    def backward(self, dA):
        return dA.reshape(self.cache)


def test_each_entry_of_an_image_batch_is_dropped_independently_with_a_fixed_seed():
    layer = Dropout(0.25)
    layer.rng = np.random.default_rng(0)
    A = np.full((50, 8, 8, 3), 2.0)
    out = layer.forward(A, training=True)
    assert out.shape == A.shape
    # The mask is the formula on one draw of U of A's shape from the same seed.
    U = np.random.default_rng(0).random(A.shape)
    assert np.array_equal(out, A * ((U < 0.75) / 0.75))
    dropped = out == 0
    assert abs(dropped.mean() - 0.25) < 0.01  # 9600 draws
    # Independent: not constant over a channel, a pixel or an example.
    for axis in (1, 2, 3):
        assert np.any(dropped.any(axis=axis) & ~dropped.all(axis=axis))
    dA = np.random.default_rng(1).standard_normal(A.shape)
    assert np.array_equal(layer.backward(dA), dA * out / 2.0)


def test_images_pass_unchanged_in_inference():
    A = np.random.default_rng(2).standard_normal((4, 5, 5, 2))
    layer = Dropout(0.5)
    assert layer.forward(A, training=False) is A
    assert layer.backward(A) is A


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_two_d_masks_are_the_same_draws_as_before(dtype):
    # neuralkit 0.1's mask: rng.random(A.shape) in A's dtype (float32) or float64, < keep.
    A = np.random.default_rng(3).standard_normal((6, 7)).astype(dtype)
    layer = Dropout(0.3)
    layer.rng = np.random.default_rng(4)
    U = np.random.default_rng(4).random(A.shape, dtype=dtype)
    D = (U < 0.7).astype(dtype)
    D *= 1.0 / 0.7
    assert np.array_equal(layer.forward(A, True), A * D)


def test_noise_shape_drops_whole_channels():
    layer = Dropout(0.5, noise_shape=(None, 1, 1, 4))
    layer.rng = np.random.default_rng(5)
    A = np.ones((10, 3, 3, 4))
    out = layer.forward(A, training=True)
    per_channel = out[:, :1, :1, :]
    assert np.array_equal(out, np.broadcast_to(per_channel, A.shape))
    assert set(np.unique(out)) == {0.0, 2.0}
    U = np.random.default_rng(5).random((10, 1, 1, 4))
    assert np.array_equal(per_channel, (U < 0.5) / 0.5)
    dA = np.random.default_rng(6).standard_normal(A.shape)
    assert np.array_equal(layer.backward(dA), dA * out)


@pytest.mark.parametrize("noise_shape, error", [((None, 2, 1, 4), ValueError),
                                                ((None, 1, 4), ValueError)])
def test_a_noise_shape_that_does_not_fit_is_named(noise_shape, error):
    layer = Dropout(0.5, noise_shape=noise_shape)
    with pytest.raises(error, match="noise_shape .* does not fit inputs of shape"):
        layer.forward(np.ones((2, 3, 3, 4)), True)


@pytest.mark.parametrize("noise_shape, error", [("wide", TypeError), ((), TypeError),
                                                ((None, 0), ValueError), ((None, 1.5), TypeError)])
def test_bad_noise_shapes(noise_shape, error):
    with pytest.raises(error, match="noise_shape"):
        Dropout(0.5, noise_shape=noise_shape)


def test_gradient_check_on_images():
    layer = Dropout(0.4)
    layer.rng = SameDraws(0)  # the same mask at every perturbed forward pass
    errors = gradcheck.check_layer(layer, np.random.default_rng(7).standard_normal((3, 4, 4, 2)))
    assert errors["X"] < 1e-7


def test_a_model_on_images_with_dropout_trains_saves_and_loads(tmp_path):
    from neuralkit.layers import Dense, Sigmoid

    rng = np.random.default_rng(8)
    X = rng.standard_normal((40, 4, 4, 2))
    y = (X[:, :2].mean(axis=(1, 2, 3)) > 0).astype(float)
    model = Sequential([Dropout(0.2, input_shape=(4, 4, 2)), Dropout(0.3, noise_shape=(None, 1, 1, 2)),
                        _Flatten(), Dense(1), Sigmoid()], seed=0)
    model.fit(X, y, epochs=3, batch_size=8, verbose=0)
    assert model.layers[1].get_config()["noise_shape"] == (None, 1, 1, 2)
    loaded = load_model(model.save(tmp_path / "m.npz"), custom_objects={"_Flatten": _Flatten})
    assert loaded.layers[1].noise_shape == (None, 1, 1, 2)
    assert np.array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    # The same seed gives the same run.
    again = Sequential([Dropout(0.2, input_shape=(4, 4, 2)), Dropout(0.3, noise_shape=(None, 1, 1, 2)),
                        _Flatten(), Dense(1), Sigmoid()], seed=0)
    again.fit(X, y, epochs=3, batch_size=8, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(again.get_weights(), model.get_weights(),
                                                    strict=True))
