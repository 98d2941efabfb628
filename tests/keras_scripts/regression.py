"""A regression network: mse loss, mae metric, validation_split, and evaluate's numbers
checked against the predictions."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(6)
x = rng.uniform(-2, 2, size=(500, 3))
y = np.sin(x[:, 0]) + 0.5 * x[:, 1] ** 2 - x[:, 2] + 0.05 * rng.normal(size=500)

model = keras.Sequential([
    keras.Input(shape=(3,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(1),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
history = model.fit(x, y, validation_split=0.2, batch_size=32, epochs=30, verbose=0)
assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"], history.history.keys()
assert history.history["val_mae"][-1] < 0.5 * history.history["val_mae"][0]
assert history.history["val_loss"][-1] < 0.1 * np.var(y)

loss, mae = model.evaluate(x, y, verbose=0)
predictions = model.predict(x, verbose=0)
assert predictions.shape == (500, 1)
assert np.isclose(loss, np.mean((predictions[:, 0] - y) ** 2), rtol=1e-4)
assert np.isclose(mae, np.mean(np.abs(predictions[:, 0] - y)), rtol=1e-4)
# A column of targets gives the same numbers.
assert np.allclose(model.evaluate(x, y[:, None], verbose=0), [loss, mae], rtol=1e-6)
