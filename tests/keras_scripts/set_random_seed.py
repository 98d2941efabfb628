"""keras.utils.set_random_seed(seed), the keras.io examples' first line: the same seed gives the
same initial weights and the same training."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(34)
x = rng.normal(size=(100, 3))
y = (x[:, 0] > 0).astype("float32")


def run():
    keras.utils.set_random_seed(1337)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.2), keras.layers.Dense(1, activation="sigmoid")])
    initial = model.get_weights()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    return initial, history.history["loss"]


first_weights, first_losses = run()
second_weights, second_losses = run()
assert all(np.array_equal(a, b) for a, b in zip(first_weights, second_weights, strict=True))
assert first_losses == second_losses
