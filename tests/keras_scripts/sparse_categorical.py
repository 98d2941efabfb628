"""Integer labels with sparse_categorical_crossentropy, validation_data as a tuple, and
evaluate(return_dict=True)."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(1)
x = rng.normal(size=(800, 2))
angle = np.arctan2(x[:, 1], x[:, 0])
labels = ((angle + np.pi) // (2 * np.pi / 3)).astype("int64") % 3  # three sectors
x_train, y_train, x_val, y_val = x[:600], labels[:600], x[600:], labels[600:]

model = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(3, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
              loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
history = model.fit(x_train, y_train, batch_size=64, epochs=25, validation_data=(x_val, y_val),
                    verbose=0)
assert sorted(history.history) == ["loss", "sparse_categorical_accuracy", "val_loss",
                                   "val_sparse_categorical_accuracy"], history.history.keys()
assert history.history["val_sparse_categorical_accuracy"][-1] > 0.9

results = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
assert isinstance(results, dict)
assert sorted(results) == ["loss", "sparse_categorical_accuracy"]
assert all(isinstance(v, float) for v in results.values())
assert abs(results["loss"] - history.history["val_loss"][-1]) < 1e-5
predicted = model.predict(x_val, verbose=0).argmax(axis=1)
assert abs(results["sparse_categorical_accuracy"] - np.mean(predicted == y_val)) < 1e-6

# The same data with metrics=["accuracy"]: Keras picks the sparse accuracy and names it as written.
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
loss, acc = model.evaluate(x_val, y_val, verbose=0)
assert abs(acc - np.mean(predicted == y_val)) < 1e-6
assert abs(loss - results["loss"]) < 1e-5
