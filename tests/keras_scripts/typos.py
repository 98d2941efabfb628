"""Misspelt names (loss, optimizer, metric, activation) raise ValueError before training; neuralkit
adds Keras-lacking "did you mean" suggestions (documented behaviour)."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(33)
x = rng.normal(size=(20, 3))
y = (x[:, 0] > 0).astype("float32")


def model():
    return keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])


def refused(make, suggestion):
    try:
        make()
    except ValueError as error:
        assert f"did you mean '{suggestion}'" in str(error), str(error)
    else:
        raise AssertionError(f"accepted a misspelling of {suggestion}")


def compile_and_fit(**kwargs):
    m = model()
    m.compile(**{"optimizer": "adam", "loss": "binary_crossentropy", **kwargs})
    m.fit(x, y, epochs=1, verbose=0)


refused(lambda: compile_and_fit(loss="binary_crossentropi"), "binary_crossentropy")
refused(lambda: compile_and_fit(optimizer="adma"), "adam")
refused(lambda: compile_and_fit(metrics=["acuracy"]), "accuracy")
refused(lambda: keras.layers.Dense(4, activation="rleu"), "relu")
refused(lambda: keras.layers.Activation("sigmiod"), "sigmoid")
