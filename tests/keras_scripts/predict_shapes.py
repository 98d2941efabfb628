"""predict: an ndarray of shape (m, units) for any m, the same numbers for any batch_size, a
model built from keras.Input predicts before any fit, Dropout is off at inference."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(10)
x = rng.normal(size=(37, 6))
model = keras.Sequential([
    keras.Input(shape=(6,)),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(4, activation="softmax"),
])
out = model.predict(x, verbose=0)  # no compile, no fit
assert isinstance(out, np.ndarray) and out.shape == (37, 4) and out.dtype.kind == "f"
assert np.array_equal(out, model.predict(x, verbose=0))  # Dropout is not applied in predict
assert np.allclose(model.predict(x, batch_size=5, verbose=0), out, atol=1e-6)
assert model.predict(x[:1], verbose=0).shape == (1, 4)
assert model.predict(x.astype("float32"), verbose=0).shape == (37, 4)
assert model.predict(np.zeros((3, 6), dtype="int64"), verbose=0).shape == (3, 4)

model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, keras.utils.to_categorical(rng.integers(0, 4, size=37), 4), epochs=2, verbose=0)
after = model.predict(x, verbose=0)
assert after.shape == (37, 4) and not np.allclose(after, out)
