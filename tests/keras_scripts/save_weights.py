"""save_weights / load_weights with Keras 3's file name ending (.weights.h5): a second model of
the same architecture predicts the same; another architecture is refused."""
import os

import numpy as np

import neuralkit as keras


def make_model(units=8):
    return keras.Sequential([
        keras.Input(shape=(3,)),
        keras.layers.Dense(units, activation="relu"),
        keras.layers.Dense(1),
    ])


rng = np.random.default_rng(19)
x = rng.normal(size=(100, 3))
y = x.sum(axis=1)
model = make_model()
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=3, verbose=0)
model.save_weights("model.weights.h5")
assert os.path.exists("model.weights.h5")

fresh = make_model()
assert not np.allclose(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
fresh.load_weights("model.weights.h5")  # into an uncompiled model, then compile and go on
assert np.array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
fresh.compile(optimizer="adam", loss="mse")
assert np.isclose(fresh.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0))
fresh.fit(x, y, epochs=1, verbose=0)

other = make_model(units=5)
try:
    other.load_weights("model.weights.h5")
except ValueError:
    pass
else:
    raise AssertionError("weights of an 8-unit layer loaded into a 5-unit one")
