"""EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True) on a model that
overfits: training stops 3 epochs after the best one and the best weights come back."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(21)
x = rng.normal(size=(100, 10))
y = (x[:, 0] + rng.normal(size=100) > 0).astype("float32")  # noisy: easy to overfit 80 samples

model = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.002), loss="binary_crossentropy",
              metrics=["accuracy"])
early_stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                           restore_best_weights=True)
history = model.fit(x, y, validation_split=0.2, epochs=200, batch_size=16, callbacks=[early_stop],
                    verbose=0)
val_loss = history.history["val_loss"]
assert len(val_loss) < 200, len(val_loss)
assert early_stop.stopped_epoch == len(val_loss) - 1
assert early_stop.stopped_epoch > 0
best_epoch = int(np.argmin(val_loss))
assert best_epoch == len(val_loss) - 1 - 3, (best_epoch, val_loss)
assert early_stop.best_epoch == best_epoch and best_epoch > 0
assert np.isclose(early_stop.best, val_loss[best_epoch])
restored_loss, _ = model.evaluate(x[80:], y[80:], verbose=0)
assert np.isclose(restored_loss, val_loss[best_epoch], rtol=1e-5), (restored_loss, min(val_loss))
assert val_loss[-1] > val_loss[best_epoch]  # the last epoch's weights were worse, and dropped
