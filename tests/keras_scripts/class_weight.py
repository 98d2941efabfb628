"""class_weight on an imbalanced problem: weighting the rare class makes the model predict it
more often, so its recall rises (the loss Keras reports is the weighted one)."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(11)
n = 1200
y = (rng.uniform(size=n) < 0.1).astype("float32")  # 10% positives, overlapping classes
x = rng.normal(size=(n, 2)) + y[:, None] * np.array([1.2, 1.2])


def train(class_weight):
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
                  metrics=[keras.metrics.Recall(name="recall")])
    history = model.fit(x, y, batch_size=64, epochs=15, class_weight=class_weight, verbose=0)
    predicted = model.predict(x, verbose=0)[:, 0] > 0.5
    return history, predicted


plain_history, plain = train(None)
weighted_history, weighted = train({0: 1.0, 1: 9.0})
recall_plain = np.mean(plain[y == 1])
recall_weighted = np.mean(weighted[y == 1])
assert recall_weighted > recall_plain + 0.25, (recall_plain, recall_weighted)
assert weighted.mean() > 2 * plain.mean()
assert weighted_history.history["recall"][-1] > 0.6
assert sorted(weighted_history.history) == ["loss", "recall"]
# The weighted loss is larger: the rare class's errors count nine times.
assert weighted_history.history["loss"][-1] > plain_history.history["loss"][-1]
