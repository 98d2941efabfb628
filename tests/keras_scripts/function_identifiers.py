"""Functions where Keras takes identifiers: activation=keras.activations.relu,
loss=keras.losses.mean_squared_error, metrics=[keras.metrics.mean_absolute_error]."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(42)
x = rng.normal(size=(200, 3))
y = x @ np.array([1.0, -1.0, 0.5])
model = keras.Sequential([
    keras.Input(shape=(3,)),
    keras.layers.Dense(16, activation=keras.activations.relu),
    keras.layers.Dense(1, activation=keras.activations.linear),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
              loss=keras.losses.mean_squared_error, metrics=[keras.metrics.mean_absolute_error])
history = model.fit(x, y, epochs=10, verbose=0)
assert sorted(history.history) == ["loss", "mean_absolute_error"], history.history.keys()
assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
z = np.linspace(-2, 2, 9)
assert np.allclose(keras.ops.convert_to_numpy(keras.activations.relu(z)), np.maximum(z, 0))
