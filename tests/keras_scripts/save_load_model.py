"""model.save("model.keras") and keras.models.load_model: the same predictions, the same
evaluation, compiled, layer names kept, and training goes on from the loaded model."""
import os

import numpy as np

import neuralkit as keras

rng = np.random.default_rng(18)
x = rng.normal(size=(200, 3))
y = (x[:, 0] - x[:, 2] > 0).astype("float32")
model = keras.Sequential([
    keras.Input(shape=(3,)),
    keras.layers.Dense(8, activation="relu", name="hidden"),
    keras.layers.Dense(1, activation="sigmoid", name="output"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
model.fit(x, y, epochs=5, verbose=0)

model.save("model.keras")
assert os.path.exists("model.keras")
restored = keras.models.load_model("model.keras")
assert [layer.name for layer in restored.layers] == ["hidden", "output"]
assert np.array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))
assert all(np.array_equal(a, b) for a, b in zip(restored.get_weights(), model.get_weights(), strict=True))
assert np.allclose(restored.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0))
assert type(restored.optimizer).__name__ == "Adam"
assert np.isclose(float(restored.optimizer.learning_rate), 0.01)

history = restored.fit(x, y, epochs=2, verbose=0)  # no compile needed
assert sorted(history.history) == ["accuracy", "loss"]
assert not np.array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))

model.save("model.keras")  # overwriting is fine
assert np.array_equal(keras.models.load_model("model.keras").predict(x, verbose=0),
                      model.predict(x, verbose=0))
