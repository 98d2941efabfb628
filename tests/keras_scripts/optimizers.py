"""Optimizers by name and as objects with Keras 3's arguments (SGD momentum/nesterov, RMSprop
momentum/centered, Adam amsgrad, AdamW, Adagrad): each trains a linear regression; names,
classes and default learning rates are Keras's."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(23)
x = rng.normal(size=(256, 4))
y = x @ np.array([0.5, -1.0, 2.0, 0.0]) + 0.3


def train(optimizer, epochs=10):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    history = model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
    return model, history.history["loss"]


DEFAULTS = {"sgd": ("SGD", 0.01), "rmsprop": ("RMSprop", 0.001), "adam": ("Adam", 0.001),
            "adamw": ("AdamW", 0.001), "adagrad": ("Adagrad", 0.001)}
for name, (class_name, learning_rate) in DEFAULTS.items():
    model, losses = train(name, epochs=3)
    assert type(model.optimizer).__name__ == class_name, name
    assert np.isclose(float(model.optimizer.learning_rate), learning_rate), name
    assert losses[-1] < losses[0], name

OBJECTS = [
    keras.optimizers.SGD(learning_rate=0.05),
    keras.optimizers.SGD(learning_rate=0.02, momentum=0.9),
    keras.optimizers.SGD(learning_rate=0.02, momentum=0.9, nesterov=True),
    keras.optimizers.RMSprop(learning_rate=0.05),
    keras.optimizers.RMSprop(learning_rate=0.01, momentum=0.9),
    keras.optimizers.RMSprop(learning_rate=0.05, centered=True),
    keras.optimizers.Adam(learning_rate=0.05),
    keras.optimizers.Adam(learning_rate=0.05, beta_1=0.8, beta_2=0.99, amsgrad=True),
    keras.optimizers.AdamW(learning_rate=0.05, weight_decay=1e-4),
    keras.optimizers.Adagrad(learning_rate=0.5),
]
for optimizer in OBJECTS:
    model, losses = train(optimizer)
    assert model.optimizer is optimizer
    assert losses[-1] < 0.05 * losses[0], (optimizer, losses)
    assert model.evaluate(x, y, verbose=0) < 0.05 * losses[0], optimizer
    assert int(model.optimizer.iterations) == 10 * 8
