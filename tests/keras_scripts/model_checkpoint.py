"""ModelCheckpoint(save_best_only=True) keeps the model of the best val_loss; a filepath with
{epoch:02d} writes one file per epoch, numbered from 1; save_weights_only writes weights."""
import os

import numpy as np

import neuralkit as keras

rng = np.random.default_rng(20)
x = rng.normal(size=(250, 4))
y = (x[:, 0] + 0.8 * rng.normal(size=250) > 0).astype("float32")
x_val, y_val = x[200:], y[200:]  # validation_split=0.2 takes the last 20%

model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02), loss="binary_crossentropy",
              metrics=["accuracy"])
callbacks = [
    keras.callbacks.ModelCheckpoint("best.keras", monitor="val_loss", save_best_only=True),
    keras.callbacks.ModelCheckpoint("ckpt-{epoch:02d}.keras"),
    keras.callbacks.ModelCheckpoint("last.weights.h5", save_weights_only=True),
]
history = model.fit(x, y, validation_split=0.2, epochs=12, batch_size=16, callbacks=callbacks,
                    verbose=0)
assert os.path.exists("best.keras") and os.path.exists("last.weights.h5")
assert sorted(name for name in os.listdir(".") if name.startswith("ckpt-")) == [
    f"ckpt-{epoch:02d}.keras" for epoch in range(1, 13)]

best = keras.models.load_model("best.keras")
best_loss, _ = best.evaluate(x_val, y_val, verbose=0)
assert np.isclose(best_loss, min(history.history["val_loss"]), rtol=1e-5)
best_epoch = int(np.argmin(history.history["val_loss"])) + 1
same_epoch = keras.models.load_model(f"ckpt-{best_epoch:02d}.keras")
assert np.array_equal(same_epoch.predict(x, verbose=0), best.predict(x, verbose=0))

last = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(32, activation="relu"),
                         keras.layers.Dense(1, activation="sigmoid")])
last.load_weights("last.weights.h5")
assert np.array_equal(last.predict(x, verbose=0), model.predict(x, verbose=0))
