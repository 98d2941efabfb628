"""One logit and BinaryCrossentropy(from_logits=True) with BinaryAccuracy(threshold=0.0), the
idiom of TensorFlow's Keras text-classification tutorial: Keras 3's metrics see the model's
output (the logits), so the accuracy counts logits above 0."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(2)
x = rng.normal(size=(600, 5))

y = (x[:, 0] - x[:, 1] > 0).astype("float32")
binary = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(8, activation="tanh"),
                           keras.layers.Dense(1)])
binary.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
               loss=keras.losses.BinaryCrossentropy(from_logits=True),
               metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)])
history = binary.fit(x, y, batch_size=32, epochs=10, verbose=0)
assert sorted(history.history) == ["binary_accuracy", "loss"]
z = binary.predict(x, verbose=0)[:, 0]
expected_loss = np.mean(np.logaddexp(0.0, z) - y * z)
loss, acc = binary.evaluate(x, y, verbose=0)
assert np.isclose(loss, expected_loss, rtol=1e-5), (loss, expected_loss)
assert abs(acc - np.mean((z > 0) == y)) < 1e-6 and acc > 0.9
