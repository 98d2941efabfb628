"""Images through the whole model: N-D examples are checked against the model's input shape
with the fix in the message, and arrays, memmaps and iterables of N-D batches train alike."""

import numpy as np
import pytest

from neuralkit import Input, Sequential
from neuralkit.layers import Dense, Layer


class _Rows(Layer):
    """Flattens each example (a test's stand-in, with its own forward and backward)."""

    def compute_output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)

    def forward(self, A, training=True):
        self.cache = A.shape
        return A.reshape(A.shape[0], -1)

    def backward(self, dA):
        return dA.reshape(self.cache)


def _images(m=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 4, 5, 1))
    labels = (X[:, :2].sum(axis=(1, 2, 3)) > 0).astype(int) + (X[:, 2:, :, 0].mean((1, 2)) > 0.3)
    return X, labels


def _model(seed=0):
    model = Sequential([Input(shape=(4, 5, 1)), _Rows(), Dense(6, activation="tanh"),
                        Dense(3, activation="softmax")], seed=seed)
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    return model


def test_images_train_and_summary_shows_their_shapes():
    X, labels = _images()
    model = _model()
    history = model.fit(X, labels, epochs=3, batch_size=8, verbose=0, validation_split=0.25)
    assert len(history.history["val_loss"]) == 3
    assert model.predict(X, verbose=0).shape == (40, 3)
    rows = model.summary(print_fn=lambda text: None)["layers"]
    assert [row["output_shape"] for row in rows] == [(None, 20), (None, 6), (None, 3)]


@pytest.mark.parametrize("X, fix", [
    (np.ones((3, 4, 5)), r"Add a channel axis: X\[\.\.\., None\]"),
    (np.ones((3, 20)), r"looks flattened: X\.reshape\(-1, 4, 5, 1\)"),
    (np.ones((3, 1, 4, 5)), r"channels-first.*X\.transpose\(0, 2, 3, 1\)"),
])
def test_images_of_the_wrong_shape_get_the_fix(X, fix):
    model = _model()
    with pytest.raises(ValueError, match=r"examples of shape .* but the model takes \(4, 5, 1\)"):
        model.predict(X, verbose=0)
    with pytest.raises(ValueError, match=fix):
        model.fit(X, np.zeros(3), verbose=0)


def test_an_image_into_a_dense_model_says_flatten():
    model = Sequential([Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"takes examples of n features.*Flatten"):
        model.fit(np.ones((6, 4, 5, 1)), np.zeros(6), verbose=0)
    assert not model.built


def test_a_memmap_and_an_iterable_of_image_batches_train_like_the_array(tmp_path):
    X, labels = _images()
    np.save(tmp_path / "X.npy", X)
    X_mm = np.load(tmp_path / "X.npy", mmap_mode="r")
    batches = [(X[i:i + 10], labels[i:i + 10]) for i in range(0, 40, 10)]

    class Batches:
        def __iter__(self):
            return iter(batches)

    runs = []
    for data, kwargs in ((X, {"y": labels}), (X_mm, {"y": labels}), (Batches(), {})):
        model = _model()
        history = model.fit(data, epochs=2, batch_size=10, shuffle=False, verbose=0, **kwargs)
        runs.append((history.history, model.get_weights()))
    for history, weights in runs[1:]:
        assert history.keys() == runs[0][0].keys()
        for key in history:
            np.testing.assert_allclose(history[key], runs[0][0][key], rtol=1e-12)
        for w, w0 in zip(weights, runs[0][1], strict=True):
            np.testing.assert_allclose(w, w0, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(_model().predict(X_mm, verbose=0),
                                  _model().predict(X, verbose=0))


def test_a_memmap_of_images_with_a_nan_names_the_entry(tmp_path):
    X, labels = _images()
    X[7, 2, 3, 0] = np.nan
    np.save(tmp_path / "X.npy", X)
    with pytest.raises(ValueError, match=r"NaN or inf \(first at index \[7, 2, 3, 0\]"):
        _model().fit(np.load(tmp_path / "X.npy", mmap_mode="r"), labels, verbose=0)


def test_float32_images_stay_float32():
    X, labels = _images()
    model = Sequential([Input(shape=(4, 5, 1)), _Rows(), Dense(3, activation="softmax")],
                       seed=0, dtype="float32")
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(X, labels, epochs=1, verbose=0)
    assert model.predict(X, verbose=0).dtype == np.float32
    assert all(w.dtype == np.float32 for w in model.get_weights())
