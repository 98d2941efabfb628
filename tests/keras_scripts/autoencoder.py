"""A tiny dense autoencoder (multi-output regression, x -> x through a 2-unit bottleneck) on
data that lies near a plane in 8 dimensions."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(31)
codes = rng.normal(size=(500, 2))
mixing = rng.normal(size=(2, 8))
x = codes @ mixing + 0.05 * rng.normal(size=(500, 8))

autoencoder = keras.Sequential([
    keras.Input(shape=(8,)),
    keras.layers.Dense(16, activation="tanh"),
    keras.layers.Dense(2, name="bottleneck"),
    keras.layers.Dense(16, activation="tanh"),
    keras.layers.Dense(8),
])
autoencoder.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse",
                    metrics=["mae"])
history = autoencoder.fit(x, x, validation_split=0.2, batch_size=32, epochs=40, verbose=0)
assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]
reconstruction = autoencoder.predict(x, verbose=0)
assert reconstruction.shape == (500, 8)
mse = np.mean((reconstruction - x) ** 2)
assert mse < 0.1 * np.var(x), (mse, np.var(x))
assert np.isclose(autoencoder.evaluate(x, x, verbose=0)[0], mse, rtol=1e-4)
per_output = np.mean((reconstruction - x) ** 2, axis=0)
assert per_output.shape == (8,) and np.all(per_output < 0.3 * np.var(x, axis=0))
