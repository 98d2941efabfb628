"""Dense's Keras arguments: use_bias=False (one weight array), bias_initializer="ones",
kernel_initializer strings ("zeros", "he_normal", "glorot_uniform"), name; count_params."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(39)
x = rng.normal(size=(30, 4))

model = keras.Sequential([
    keras.Input(shape=(4,)),
    keras.layers.Dense(6, activation="relu", use_bias=False, kernel_initializer="he_normal"),
    keras.layers.Dense(2, bias_initializer="ones", kernel_initializer="glorot_uniform"),
])
assert len(model.layers[0].get_weights()) == 1
assert len(model.get_weights()) == 3
assert np.array_equal(model.layers[1].get_weights()[1], np.ones(2))
assert model.count_params() == 4 * 6 + 6 * 2 + 2
# No bias in the first layer: the zero input maps to relu(0) = 0, so the output is the bias.
assert np.allclose(model.predict(np.zeros((3, 4)), verbose=0), 1.0)

constant = keras.Sequential([
    keras.Input(shape=(4,)),
    keras.layers.Dense(3, kernel_initializer="zeros", bias_initializer="zeros"),
])
assert np.array_equal(constant.predict(x, verbose=0), np.zeros((30, 3)))
