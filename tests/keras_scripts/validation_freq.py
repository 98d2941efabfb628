"""validation_freq=2 validates after epochs 2, 4, 6: History's val_ lists are shorter and the
epoch logs carry val_loss only on those epochs."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(14)
x = rng.normal(size=(200, 3))
y = (x[:, 0] > 0).astype("float32")
model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])

validated = []
record = keras.callbacks.LambdaCallback(
    on_epoch_end=lambda epoch, logs: validated.append(epoch) if "val_loss" in logs else None)
history = model.fit(x, y, epochs=6, validation_split=0.25, validation_freq=2, callbacks=[record],
                    verbose=0)
assert validated == [1, 3, 5], validated
assert len(history.history["loss"]) == 6 and len(history.history["accuracy"]) == 6
assert len(history.history["val_loss"]) == 3 and len(history.history["val_accuracy"]) == 3
