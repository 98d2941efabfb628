"""Fine-tuning: layer.trainable = False, recompile, train: the frozen layer's weights do not
move, the others do; summary() reports trainable and non-trainable parameter counts (Keras 3's Total
also counts the optimizer's variables once it is built); then
unfreeze, recompile with a low learning rate and train again."""
import contextlib
import io
import re

import numpy as np

import neuralkit as keras


def summary_text(model):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        model.summary()
    return buffer.getvalue()


def summary_counts(model):
    text = summary_text(model)

    def count(label):
        match = re.search(rf"(?m)^\s*{label} params: ([\d,]+)", text)
        assert match, (label, text)
        return int(match.group(1).replace(",", ""))

    return count("Trainable"), count("Non-trainable")


rng = np.random.default_rng(15)
x = rng.normal(size=(300, 5))
y = (x[:, 0] * x[:, 1] > 0).astype("float32")
model = keras.Sequential([
    keras.Input(shape=(5,)),
    keras.layers.Dense(16, activation="relu", name="base"),   # 5*16 + 16 = 96
    keras.layers.Dense(8, activation="relu", name="middle"),  # 16*8 + 8 = 136
    keras.layers.Dense(1, activation="sigmoid", name="head"), # 8 + 1 = 9
])
assert summary_counts(model) == (241, 0)
assert re.search(r"Total params: 241\b", summary_text(model))  # before compile: no optimizer params
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=3, verbose=0)

base = model.get_layer("base")
assert base.trainable is True
base.trainable = False
assert base.trainable is False
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
frozen_before = [w.copy() for w in base.get_weights()]
others_before = [w.copy() for layer in model.layers[1:] for w in layer.get_weights()]
model.fit(x, y, epochs=3, batch_size=32, verbose=0)
assert all(np.array_equal(a, b) for a, b in zip(frozen_before, base.get_weights(), strict=True))
others_after = [w for layer in model.layers[1:] for w in layer.get_weights()]
assert all(not np.array_equal(a, b) for a, b in zip(others_before, others_after, strict=True))
assert summary_counts(model) == (145, 96)
assert model.count_params() == 241

base.trainable = True
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-5), loss="binary_crossentropy",
              metrics=["accuracy"])
model.fit(x, y, epochs=1, verbose=0)
assert not np.array_equal(frozen_before[0], base.get_weights()[0])
assert summary_counts(model) == (241, 0)
