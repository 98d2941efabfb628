"""ReduceLROnPlateau: with a min_delta no epoch can beat, the rate halves every `patience`
epochs after the first, never below min_lr; History records the rate of each epoch as
'learning_rate' (the rate the epoch trained with)."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(27)
x = rng.normal(size=(100, 3))
y = (x[:, 0] > 0).astype("float32")


def run(min_lr):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy")
    reduce = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2,
                                               min_delta=10.0, min_lr=min_lr)
    history = model.fit(x, y, validation_split=0.2, epochs=7, callbacks=[reduce], verbose=0)
    return history.history["learning_rate"], float(model.optimizer.learning_rate)


rates, final = run(min_lr=0.0)
assert np.allclose(rates, [0.01, 0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025], rtol=1e-6), rates
assert np.isclose(final, 0.00125, rtol=1e-6), final

rates, final = run(min_lr=0.004)
assert np.allclose(rates, [0.01, 0.01, 0.01, 0.005, 0.005, 0.004, 0.004], rtol=1e-6), rates
assert np.isclose(final, 0.004, rtol=1e-6), final
