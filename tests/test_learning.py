"""Learning tests: the framework actually learns non-linear functions. Accuracies and errors are
recomputed here from predict, not taken from the model's own history."""

import numpy as np

from neuralkit import Sequential
from neuralkit.layers import Dense, ReLU, Sigmoid, Softmax, Tanh
from neuralkit.optimizers import SGD, Adam


def _moons(m, noise, rng):
    """Two interleaved half circles, samples as rows."""
    t = rng.uniform(0, np.pi, m)
    y = rng.integers(0, 2, m)
    X = np.where(y[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))
    return X + rng.normal(0, noise, X.shape), y


def _circles(m, noise, rng):
    """An inner disc (class 1) inside a ring (class 0)."""
    y = rng.integers(0, 2, m)
    radius = np.where(y == 1, rng.uniform(0, 0.5, m), rng.uniform(0.8, 1.2, m))
    angle = rng.uniform(0, 2 * np.pi, m)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return X + rng.normal(0, noise, X.shape), y


def test_xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([0, 1, 1, 0], dtype=float)
    model = Sequential([Dense(8, input_dim=2), Tanh(), Dense(1), Sigmoid()], seed=0)
    model.compile(loss="binary_crossentropy", optimizer=Adam(0.05))
    model.fit(X, y, epochs=500, batch_size=4, verbose=0)
    predicted = (model.predict(X)[:, 0] > 0.5).astype(float)
    assert np.mean(predicted == y) >= 0.95
    np.testing.assert_array_equal(predicted, y)


def test_xor_with_the_course_batch_gradient_descent():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([0, 1, 1, 0], dtype=float)
    model = Sequential([Dense(4, input_dim=2, kernel_initializer="he_normal"), Tanh(), Dense(1), Sigmoid()],
                       seed=1)
    model.compile(loss="binary_crossentropy", optimizer=SGD(1.0))
    history = model.fit(X, y, epochs=2000, batch_size=4, verbose=0)
    assert np.array_equal(model.predict(X)[:, 0] > 0.5, y == 1)
    assert history.history["loss"][-1] < 0.1


def test_moons_binary():
    rng = np.random.default_rng(0)
    X, y = _moons(300, 0.1, rng)
    model = Sequential([Dense(16, input_dim=2), ReLU(), Dense(16), ReLU(), Dense(1), Sigmoid()], seed=0)
    model.compile(loss="binary_crossentropy", optimizer=Adam(0.01), metrics=["accuracy"])
    history = model.fit(X, y, epochs=150, batch_size=32, verbose=0)
    accuracy = np.mean((model.predict(X)[:, 0] > 0.5) == (y == 1))
    assert accuracy >= 0.95
    assert history.history["accuracy"][-1] >= 0.9


def test_circles_softmax():
    rng = np.random.default_rng(1)
    X, y = _circles(300, 0.05, rng)
    model = Sequential([Dense(16, input_dim=2), Tanh(), Dense(2), Softmax()], seed=0)
    model.compile(loss="categorical_crossentropy", optimizer=Adam(0.02))
    model.fit(X, y, epochs=150, batch_size=32, verbose=0)  # integer labels
    accuracy = np.mean(model.predict(X).argmax(axis=1) == y)
    assert accuracy >= 0.95


def test_small_regression():
    rng = np.random.default_rng(2)
    X = rng.uniform(-3, 3, (200, 1))
    Y = np.sin(X) + 0.5 * X
    model = Sequential([Dense(32, input_dim=1), Tanh(), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer=Adam(0.01))
    model.fit(X, Y, epochs=300, batch_size=32, verbose=0)
    mse = float(np.mean((model.predict(X) - Y) ** 2))
    assert mse < 0.01  # the targets' variance is about 2.3
