"""Forgetting the output activation with a cross-entropy (Dense(1) + "binary_crossentropy",
Dense(3) + "sparse_categorical_crossentropy"): Keras 3 trains on the raw outputs; neuralkit
refuses before training, naming both fixes (documented behaviour)."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(32)
x = rng.normal(size=(60, 3))
cases = [
    ("binary_crossentropy", 1, (x[:, 0] > 0).astype("float32"), "sigmoid"),
    ("sparse_categorical_crossentropy", 3, rng.integers(0, 3, size=60), "softmax"),
    ("categorical_crossentropy", 3, keras.utils.to_categorical(rng.integers(0, 3, size=60), 3),
     "softmax"),
]
for loss, units, y, activation in cases:
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(units)])
    model.compile(optimizer="adam", loss=loss)
    before = model.get_weights()
    try:
        model.fit(x, y, epochs=1, verbose=0)
    except ValueError as error:
        message = str(error)
        assert f"activation='{activation}'" in message and "from_logits=True" in message, message
    else:
        raise AssertionError(f"{loss} trained on a Dense({units}) without activation")
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    # Either fix trains.
    fixed = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(units, activation=activation)])
    fixed.compile(optimizer="adam", loss=loss)
    fixed.fit(x, y, epochs=1, verbose=0)
