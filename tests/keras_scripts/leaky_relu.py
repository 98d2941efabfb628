"""LeakyReLU the Keras 3 way: activation="leaky_relu" has slope 0.2 (keras.activations.leaky_relu),
the layer keras.layers.LeakyReLU has negative_slope=0.3 by default and takes negative_slope."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(4)
x = rng.normal(size=(40, 3))
linear = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4)])
z = linear.predict(x, verbose=0)
assert (z < 0).any()

by_name = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="leaky_relu")])
by_name.set_weights(linear.get_weights())
assert np.allclose(by_name.predict(x, verbose=0), np.where(z > 0, z, 0.2 * z), atol=1e-6)

default_layer = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4),
                                  keras.layers.LeakyReLU()])
default_layer.set_weights(linear.get_weights())
assert np.allclose(default_layer.predict(x, verbose=0), np.where(z > 0, z, 0.3 * z), atol=1e-6)

sloped = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4),
                           keras.layers.LeakyReLU(negative_slope=0.1)])
sloped.set_weights(linear.get_weights())
assert np.allclose(sloped.predict(x, verbose=0), np.where(z > 0, z, 0.1 * z), atol=1e-6)
