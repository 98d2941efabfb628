"""sample_weight in fit, evaluate and validation_data=(x, y, w): Keras's weighted loss is
sum(w * loss) / n, examples of weight 0 are ignored in training."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(12)
n = 600
x = rng.normal(size=(n, 2))
y = (x[:, 0] + x[:, 1] > 0).astype("float32")
noisy = rng.uniform(size=n) < 0.4
y_noisy = np.where(noisy, 1.0 - y, y).astype("float32")  # 40% of the labels flipped
weights = np.where(noisy, 0.0, 1.0)                       # ...and given weight 0

model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
              metrics=["accuracy"],
              weighted_metrics=[keras.metrics.BinaryAccuracy(name="weighted_accuracy")])
x_val, y_val, w_val = x[:100], y_noisy[:100], weights[:100]
history = model.fit(x[100:], y_noisy[100:], sample_weight=weights[100:], batch_size=32, epochs=15,
                    validation_data=(x_val, y_val, w_val), verbose=0)
assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss",
                                   "val_weighted_accuracy", "weighted_accuracy"]
clean_accuracy = np.mean((model.predict(x, verbose=0)[:, 0] > 0.5) == y)
assert clean_accuracy > 0.93, clean_accuracy  # learned the rule, not the flipped labels

p = np.clip(model.predict(x_val, verbose=0)[:, 0], 1e-7, 1 - 1e-7)
per_example = -(y_val * np.log(p) + (1 - y_val) * np.log(1 - p))
expected = np.sum(w_val * per_example) / len(x_val)  # Keras's sum_over_batch_size
results = model.evaluate(x_val, y_val, sample_weight=w_val, batch_size=len(x_val), verbose=0,
                         return_dict=True)
assert np.isclose(results["loss"], expected, rtol=1e-4), (results["loss"], expected)
assert np.isclose(history.history["val_loss"][-1], results["loss"], rtol=1e-4)
# Keras 3 applies sample weights to weighted_metrics only: "accuracy" counts every example,
# the weighted accuracy only those of weight 1 (whose labels are the true ones).
assert np.isclose(results["accuracy"], np.mean((p > 0.5) == y_val), atol=1e-6)
assert np.isclose(results["weighted_accuracy"],
                  np.mean((p > 0.5)[w_val == 1] == y_val[w_val == 1]), atol=1e-6)
assert np.isclose(history.history["val_weighted_accuracy"][-1], results["weighted_accuracy"])
