"""A 3-class softmax classifier built with model.add, one-hot targets from
keras.utils.to_categorical and categorical_crossentropy."""
import numpy as np

import neuralkit as keras

onehot = keras.utils.to_categorical([0, 2, 1, 2])
assert isinstance(onehot, np.ndarray) and onehot.shape == (4, 3)
assert onehot.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]]
assert keras.utils.to_categorical([1], num_classes=5).shape == (1, 5)

rng = np.random.default_rng(0)
centers = np.array([[2.0, 0, 0, 0], [0, 2.0, 0, 0], [0, 0, 2.0, 0]])
labels = rng.integers(0, 3, size=600)
x = centers[labels] + rng.normal(scale=0.6, size=(600, 4))
y = keras.utils.to_categorical(labels, num_classes=3)
assert y.shape == (600, 3) and np.array_equal(y.argmax(axis=1), labels)

model = keras.Sequential()
model.add(keras.Input(shape=(4,)))
model.add(keras.layers.Dense(32, activation="relu"))
model.add(keras.layers.Dense(3, activation="softmax"))
assert len(model.layers) == 2  # the Input is not a layer

model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
assert sorted(history.history) == ["accuracy", "loss"]
assert history.history["loss"][-1] < history.history["loss"][0]

probabilities = model.predict(x, verbose=0)
assert probabilities.shape == (600, 3)
assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
loss, acc = model.evaluate(x, y, verbose=0)
assert abs(acc - np.mean(probabilities.argmax(axis=1) == labels)) < 1e-6
assert acc > 0.9, acc
