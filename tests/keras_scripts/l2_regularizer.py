"""Dense(kernel_regularizer=keras.regularizers.L2(0.01)): the loss Keras reports adds
0.01 * sum(kernel ** 2) to the data loss (biases are not penalized)."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(38)
x = rng.normal(size=(80, 3))
y = x @ np.array([1.0, 2.0, -1.0])
model = keras.Sequential([
    keras.Input(shape=(3,)),
    keras.layers.Dense(5, activation="tanh", kernel_regularizer=keras.regularizers.L2(0.01)),
    keras.layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=3, verbose=0)
kernel = model.layers[0].get_weights()[0]
data_loss = np.mean((model.predict(x, verbose=0)[:, 0] - y) ** 2)
expected = data_loss + 0.01 * np.sum(kernel**2)
assert np.isclose(model.evaluate(x, y, verbose=0), expected, rtol=1e-5)

# A strong penalty keeps the kernel smaller than no penalty does.
def kernel_size(regularizer):
    model = keras.Sequential([
        keras.Input(shape=(3,)),
        keras.layers.Dense(5, activation="tanh", kernel_regularizer=regularizer),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    model.fit(x, y, epochs=30, verbose=0)
    return np.sum(model.layers[0].get_weights()[0] ** 2)


assert kernel_size(keras.regularizers.L2(1.0)) < 0.5 * kernel_size(None)
