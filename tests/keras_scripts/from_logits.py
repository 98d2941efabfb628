"""An output layer without activation and SparseCategoricalCrossentropy(from_logits=True), as the
guide "Training & evaluation with the built-in methods" compiles it (loss and metric objects)."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(2)
x = rng.normal(size=(600, 5))
labels = np.argmax(x[:, :3] + 0.1 * rng.normal(size=(600, 3)), axis=1)

model = keras.Sequential([
    keras.Input(shape=(5,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(3),  # logits
])
model.compile(
    optimizer=keras.optimizers.RMSprop(learning_rate=1e-2),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)
history = model.fit(x, labels, batch_size=64, epochs=15, validation_split=0.2, verbose=0)
assert sorted(history.history) == ["loss", "sparse_categorical_accuracy", "val_loss",
                                   "val_sparse_categorical_accuracy"], history.history.keys()
assert history.history["loss"][-1] < history.history["loss"][0]
assert history.history["val_sparse_categorical_accuracy"][-1] > 0.8

logits = model.predict(x, verbose=0)
assert logits.shape == (600, 3)
shifted = logits - logits.max(axis=1, keepdims=True)
log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
expected_loss = -np.mean(log_probabilities[np.arange(600), labels])
loss, acc = model.evaluate(x, labels, verbose=0)
assert np.isclose(loss, expected_loss, rtol=1e-5), (loss, expected_loss)
assert abs(acc - np.mean(logits.argmax(axis=1) == labels)) < 1e-6

# Binary: one logit and BinaryCrossentropy(from_logits=True); predict returns the logits.
# (Metrics on logits: binary_logits_accuracy.py.)
y = (x[:, 0] - x[:, 1] > 0).astype("float32")
binary = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(8, activation="tanh"),
                           keras.layers.Dense(1)])
binary.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
               loss=keras.losses.BinaryCrossentropy(from_logits=True))
history = binary.fit(x, y, batch_size=32, epochs=10, verbose=0)
assert sorted(history.history) == ["loss"]
assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
z = binary.predict(x, verbose=0)[:, 0]
assert z.min() < 0 < z.max()  # logits, not probabilities
loss = binary.evaluate(x, y, verbose=0)
assert np.isclose(loss, np.mean(np.logaddexp(0.0, z) - y * z), rtol=1e-5)
assert np.mean((z > 0) == y) > 0.9
