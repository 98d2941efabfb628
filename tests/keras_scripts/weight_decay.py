"""weight_decay on SGD and AdamW: with a zero gradient (targets = the model's own predictions)
one step multiplies every weight, biases too, by (1 - learning_rate * weight_decay)."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(25)
x = rng.normal(size=(32, 3))

assert np.isclose(keras.optimizers.AdamW().weight_decay, 0.004)  # Keras 3's default
for optimizer in (keras.optimizers.SGD(learning_rate=0.1, weight_decay=0.5),
                  keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)):
    model = keras.Sequential([
        keras.Input(shape=(3,)),
        keras.layers.Dense(4, activation="tanh", bias_initializer="ones"),
        keras.layers.Dense(2, bias_initializer="ones"),
    ])
    model.compile(optimizer=optimizer, loss="mse")
    targets = model.predict(x, verbose=0)
    before = model.get_weights()
    model.fit(x, targets, batch_size=32, epochs=1, verbose=0)
    for start, after in zip(before, model.get_weights(), strict=True):
        assert np.allclose(after, start * (1 - 0.1 * 0.5), rtol=1e-6, atol=1e-7), optimizer
