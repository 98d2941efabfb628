"""train_on_batch / test_on_batch / predict_on_batch, Keras's one-batch methods for hand-written
loops around a compiled model."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(35)
x = rng.normal(size=(64, 3))
y = (x[:, 0] > 0).astype("float32")
model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy",
              metrics=["accuracy"])
losses = []
for step in range(20):
    batch = slice(16 * (step % 4), 16 * (step % 4) + 16)
    loss, acc = model.train_on_batch(x[batch], y[batch])
    losses.append(loss)
assert all(isinstance(v, float) for v in losses)
assert int(model.optimizer.iterations) == 20
assert np.mean(losses[-4:]) < np.mean(losses[:4])
loss, acc = model.test_on_batch(x, y)
assert np.allclose([loss, acc], model.evaluate(x, y, verbose=0), rtol=1e-5)
assert model.test_on_batch(x, y, return_dict=True).keys() == {"loss", "accuracy"}
assert np.allclose(model.predict_on_batch(x), model.predict(x, verbose=0), atol=1e-6)
