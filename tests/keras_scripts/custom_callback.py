"""A keras.callbacks.Callback subclass as in the guide "Writing your own callbacks": batch and
epoch hooks, on_test_end (fit's validation and evaluate), self.model, self.params, and
self.model.stop_training."""
import numpy as np

import neuralkit as keras


class Recorder(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.batch_losses, self.epoch_losses, self.test_logs, self.weight_norms = [], [], [], []
        self.batch_indexes = []

    def on_train_batch_end(self, batch, logs=None):
        self.batch_indexes.append(batch)
        self.batch_losses.append(logs["loss"])

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_losses.append(logs["loss"])
        self.weight_norms.append(sum(float(np.sum(w**2)) for w in self.model.get_weights()))
        if epoch == 2:
            self.model.stop_training = True

    def on_test_end(self, logs=None):
        self.test_logs.append(dict(logs))


rng = np.random.default_rng(29)
x = rng.normal(size=(120, 4))
y = (x[:, 0] + x[:, 1] > 0).astype("float32")
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
recorder = Recorder()
history = model.fit(x, y, batch_size=25, epochs=10, validation_split=0.25, callbacks=[recorder],
                    verbose=0)
assert recorder.params["epochs"] == 10 and recorder.params["steps"] == 4  # 90 samples / 25
assert recorder.model is model
assert len(history.history["loss"]) == 3  # stopped after epoch index 2
assert recorder.batch_indexes == [0, 1, 2, 3] * 3
assert recorder.epoch_losses == history.history["loss"]
assert len(set(recorder.weight_norms)) == 3  # the weights moved every epoch
assert len(recorder.test_logs) == 3  # one validation per epoch
for logs, val_loss in zip(recorder.test_logs, history.history["val_loss"], strict=True):
    assert sorted(logs) == ["accuracy", "loss"]  # no val_ prefix in the test hooks
    assert np.isclose(logs["loss"], val_loss)
# The batch logs: Keras's hold running means over the epoch, so the last one is the epoch's
# value; neuralkit documents the batch's own value, and the epoch's loss as their mean.
for epoch in range(3):
    losses = recorder.batch_losses[4 * epoch: 4 * epoch + 4]
    if keras.__name__ == "neuralkit":
        assert np.isclose(np.mean(losses), history.history["loss"][epoch])
    else:
        assert np.isclose(losses[-1], history.history["loss"][epoch], rtol=1e-5)

results = model.evaluate(x, y, verbose=0, callbacks=[recorder], return_dict=True)
assert len(recorder.test_logs) == 4
assert recorder.test_logs[-1] == results
