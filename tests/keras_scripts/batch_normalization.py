"""keras.layers.BatchNormalization between Dense and its activation, a common dense-network
block: its moving mean and variance are non-trainable weights, and the model trains."""
import contextlib
import io
import re

import numpy as np

import neuralkit as keras

keras.utils.set_random_seed(44)  # as Keras users do, for a run that repeats
rng = np.random.default_rng(44)
x = 10.0 * rng.normal(size=(300, 4)) + 50.0  # unscaled inputs
y = (x[:, 0] > 50.0).astype("float32")
model = keras.Sequential([
    keras.Input(shape=(4,)),
    keras.layers.Dense(16, use_bias=False),
    keras.layers.BatchNormalization(),
    keras.layers.Activation("relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
buffer = io.StringIO()
with contextlib.redirect_stdout(buffer):
    model.summary()
assert re.search(r"Non-trainable params: 32\b", buffer.getvalue()), buffer.getvalue()
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
assert history.history["accuracy"][-1] > 0.9
assert np.array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
