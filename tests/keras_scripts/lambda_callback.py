"""LambdaCallback with the hooks of the Keras docs: each called when it should, with the epoch or
batch index and the logs."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(28)
x = rng.normal(size=(100, 3))
y = (x[:, 0] > 0).astype("float32")
model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])

events = []
epoch_logs = []
batches = []
callback = keras.callbacks.LambdaCallback(
    on_train_begin=lambda logs: events.append("train_begin"),
    on_epoch_begin=lambda epoch, logs: events.append(f"epoch_begin {epoch}"),
    on_train_batch_end=lambda batch, logs: batches.append((batch, sorted(logs))),
    on_epoch_end=lambda epoch, logs: epoch_logs.append((epoch, dict(logs))),
    on_train_end=lambda logs: events.append("train_end"),
)
history = model.fit(x, y, batch_size=30, epochs=3, validation_split=0.1, callbacks=[callback],
                    verbose=0)
assert events == ["train_begin", "epoch_begin 0", "epoch_begin 1", "epoch_begin 2", "train_end"]
assert [b for b, _ in batches] == [0, 1, 2] * 3  # 90 training samples in batches of 30
assert all("loss" in keys and "accuracy" in keys for _, keys in batches)
assert [epoch for epoch, _ in epoch_logs] == [0, 1, 2]
for epoch, logs in epoch_logs:
    assert sorted(logs) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert logs["loss"] == history.history["loss"][epoch]
    assert logs["val_accuracy"] == history.history["val_accuracy"][epoch]
