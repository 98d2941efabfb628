"""A binary classifier the way the Keras guides build one: keras.Input, Dense with activation
strings, compile with strings, fit with validation_split, evaluate unpacked, predict."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(0)
x = rng.normal(size=(500, 2)).astype("float32")
y = (np.sum(x**2, axis=1) < 1.4).astype("float32")  # inside a circle: about half the points

model = keras.Sequential(
    [
        keras.Input(shape=(2,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ]
)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(x, y, validation_split=0.2, batch_size=32, epochs=30, verbose=0)

assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"], history.history.keys()
assert history.epoch == list(range(30))
assert all(len(values) == 30 for values in history.history.values())
assert all(isinstance(v, float) for values in history.history.values() for v in values)
assert model.history is history
assert history.params["epochs"] == 30 and history.params["steps"] == 13  # 400 training samples / 32
assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
assert history.history["val_accuracy"][-1] > 0.9, history.history["val_accuracy"][-1]

loss, acc = model.evaluate(x, y, verbose=0)
assert isinstance(loss, float) and isinstance(acc, float)
assert acc > 0.9, acc

probabilities = model.predict(x, verbose=0)
assert isinstance(probabilities, np.ndarray)
assert probabilities.shape == (500, 1) and probabilities.dtype.kind == "f"
assert probabilities.min() >= 0.0 and probabilities.max() <= 1.0
assert abs(np.mean((probabilities[:, 0] > 0.5) == y) - acc) < 1e-6
