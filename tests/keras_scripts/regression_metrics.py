"""Regression metrics Keras users add beside mae: keras.metrics.RootMeanSquaredError() and
"mape" (mean absolute percentage error), checked against the predictions."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(43)
x = rng.uniform(1, 2, size=(200, 2))
y = 3.0 * x[:, 0] + x[:, 1]  # positive targets, so percentages make sense
model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="mse",
              metrics=[keras.metrics.RootMeanSquaredError(), "mape"])
history = model.fit(x, y, epochs=20, verbose=0)
assert sorted(history.history) == ["loss", "mape", "root_mean_squared_error"]
results = model.evaluate(x, y, verbose=0, return_dict=True)
error = model.predict(x, verbose=0)[:, 0] - y
assert np.isclose(results["root_mean_squared_error"], np.sqrt(np.mean(error**2)), rtol=1e-4)
assert np.isclose(results["mape"], 100 * np.mean(np.abs(error / y)), rtol=1e-4)
