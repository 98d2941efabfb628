"""Resuming training with initial_epoch: History numbers the epochs from there and the progress
output says "Epoch 4/6"."""
import contextlib
import io

import numpy as np

import neuralkit as keras

rng = np.random.default_rng(13)
x = rng.normal(size=(200, 3))
y = x @ np.array([1.0, 2.0, -1.0])
model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")

first = model.fit(x, y, epochs=3, verbose=0)
assert first.epoch == [0, 1, 2]
buffer = io.StringIO()
with contextlib.redirect_stdout(buffer):
    second = model.fit(x, y, epochs=6, initial_epoch=3, verbose=2)
assert second.epoch == [3, 4, 5]
assert len(second.history["loss"]) == 3
assert second.history["loss"][0] < first.history["loss"][-1]
out = buffer.getvalue()
assert "Epoch 4/6" in out and "Epoch 6/6" in out and "Epoch 1/6" not in out, out
