"""Imbalanced binary classification with Precision, Recall and AUC objects (named as in the Keras
example "Imbalanced classification"), then with their default names; each checked against
the predictions."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(8)
n = 1000
y = (rng.uniform(size=n) < 0.2).astype("float32")  # 20% positives
x = rng.normal(size=(n, 3)) + 1.5 * y[:, None] * np.array([1.0, 0.5, 0.0])
x_train, y_train, x_val, y_val = x[:800], y[:800], x[800:], y[800:]


def roc_auc(scores, targets):
    positives, negatives = scores[targets == 1], scores[targets == 0]
    wins = (positives[:, None] > negatives[None, :]).sum()
    ties = (positives[:, None] == negatives[None, :]).sum()
    return (wins + 0.5 * ties) / (positives.size * negatives.size)


model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-2),
    loss="binary_crossentropy",
    metrics=["accuracy", keras.metrics.Precision(name="precision"),
             keras.metrics.Recall(name="recall"), keras.metrics.AUC(name="auc")],
)
history = model.fit(x_train, y_train, batch_size=64, epochs=15, validation_data=(x_val, y_val),
                    verbose=0)
names = ["accuracy", "auc", "loss", "precision", "recall"]
assert sorted(history.history) == sorted(names + ["val_" + k for k in names]), history.history.keys()

results = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
scores = model.predict(x_val, verbose=0)[:, 0]
predicted = scores > 0.5
tp = np.sum(predicted & (y_val == 1))
assert tp > 0
assert np.isclose(results["precision"], tp / predicted.sum(), atol=1e-6)
assert np.isclose(results["recall"], tp / (y_val == 1).sum(), atol=1e-6)
assert abs(results["auc"] - roc_auc(scores, y_val)) < 0.01  # Keras approximates with 200 thresholds
assert results["auc"] > 0.8
for key in names:
    assert np.isclose(results[key], history.history["val_" + key][-1], atol=1e-6), key

model.compile(optimizer="adam", loss="binary_crossentropy",
              metrics=[keras.metrics.Precision(), keras.metrics.Recall(), keras.metrics.AUC()])
assert sorted(model.evaluate(x_val, y_val, verbose=0, return_dict=True)) == ["auc", "loss",
                                                                             "precision", "recall"]
