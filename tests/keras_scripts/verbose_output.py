"""What fit, evaluate and predict print for verbose=0, 2, 1 and "auto" (stdout captured): one
'Epoch i/n' per epoch, every History value of the last epoch printed whole with 4 decimals,
validation values included, nothing for verbose=0."""
import contextlib
import io

import numpy as np

import neuralkit as keras

rng = np.random.default_rng(30)
x = rng.normal(size=(200, 3))
y = (x[:, 0] > 0).astype("float32")
model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])


def captured(function, *args, **kwargs):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = function(*args, **kwargs)
    return result, buffer.getvalue()


def shown(value):
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


history, out = captured(model.fit, x, y, epochs=3, validation_split=0.2, verbose=0)
assert out == ""
_, out = captured(model.evaluate, x, y, verbose=0)
assert out == ""
_, out = captured(model.predict, x, verbose=0)
assert out == ""

for verbose in (2, 1, "auto"):
    history, out = captured(model.fit, x, y, epochs=3, validation_split=0.2, verbose=verbose)
    for epoch in (1, 2, 3):
        assert out.count(f"Epoch {epoch}/3") == 1, (verbose, out)
    for key, values in history.history.items():
        assert f"{key}: {shown(values[-1])}" in out, (verbose, key, out)
    assert "val_accuracy:" in out and "val_loss:" in out
    if verbose == 2:
        lines = [line for line in out.splitlines() if " loss:" in line]
        assert len(lines) == 3, out
        assert all("val_loss:" in line for line in lines), out  # one line per epoch, whole
    if verbose == 1:
        assert "3/3" in out or "4/4" in out or "5/5" in out, out  # the bar's steps done / steps
        assert "step" in out

(loss, acc), out = captured(model.evaluate, x, y, verbose=1)
assert f"loss: {shown(loss)}" in out and f"accuracy: {shown(acc)}" in out, out
assert "Epoch" not in out
(loss, acc), out = captured(model.evaluate, x, y, verbose=2)
assert f"loss: {shown(loss)}" in out and out.count("\n") == 1, out
_, out = captured(model.predict, x, verbose=1)
assert "step" in out and "loss" not in out, out
