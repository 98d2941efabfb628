"""The beginners' MLP on small images: keras.Input(shape=(8, 8)), keras.layers.Flatten(), Dense,
Dropout, a logits layer with SparseCategoricalCrossentropy(from_logits=True)."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(41)
labels = rng.integers(0, 4, size=400)
images = 0.3 * rng.uniform(size=(400, 8, 8))
for i, label in enumerate(labels):  # class k: quadrant k is bright
    r, c = divmod(int(label), 2)
    images[i, 4 * r: 4 * r + 4, 4 * c: 4 * c + 4] += 0.7

model = keras.Sequential([
    keras.Input(shape=(8, 8)),
    keras.layers.Flatten(),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(4),
])
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
history = model.fit(images, labels, epochs=10, batch_size=32, validation_split=0.2, verbose=0)
assert history.history["val_accuracy"][-1] > 0.9
assert model.predict(images[:5], verbose=0).shape == (5, 4)
