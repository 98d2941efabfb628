"""The layout of fit(verbose=2) in Keras 3 (keras/src/callbacks/progbar_logger.py and
keras/src/utils/progbar.py): an "Epoch i/n" line of its own when there is more than one epoch,
then "steps/steps - 0s - 1ms/step - name: value ..." per epoch."""
import contextlib
import io
import re

import numpy as np

import neuralkit as keras

rng = np.random.default_rng(40)
x = rng.normal(size=(100, 3))
y = (x[:, 0] > 0).astype("float32")
model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])

STEP_LINE = r"4/4 - \d+s - \d+(us|ms|s)/step( - \w+: \d+\.\d{4}(e[+-]\d+)?)+"
buffer = io.StringIO()
with contextlib.redirect_stdout(buffer):
    model.fit(x, y, epochs=3, batch_size=20, validation_split=0.2, verbose=2)
lines = buffer.getvalue().splitlines()
assert len(lines) == 6, lines
for epoch in range(3):
    assert lines[2 * epoch] == f"Epoch {epoch + 1}/3", lines
    assert re.fullmatch(STEP_LINE, lines[2 * epoch + 1]), lines

buffer = io.StringIO()
with contextlib.redirect_stdout(buffer):
    model.fit(x, y, epochs=1, batch_size=20, validation_split=0.2, verbose=2)
lines = buffer.getvalue().splitlines()
assert len(lines) == 1 and re.fullmatch(STEP_LINE, lines[0]), lines  # one epoch: no Epoch line
