"""The Keras idiom `if early_stop.stopped_epoch > 0:` after a run that was not stopped early
(Keras 3 sets stopped_epoch = 0 at the start of training, keras/src/callbacks/early_stopping.py)."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(22)
x = rng.normal(size=(100, 2))
y = x[:, 0] - x[:, 1]
model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
early_stop = keras.callbacks.EarlyStopping(monitor="loss", patience=50)
history = model.fit(x, y, epochs=5, callbacks=[early_stop], verbose=0)
assert len(history.history["loss"]) == 5
stopped_early = early_stop.stopped_epoch > 0
assert not stopped_early
assert early_stop.stopped_epoch == 0
