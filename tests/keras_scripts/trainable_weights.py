"""The guide "Transfer learning & fine-tuning": layer.weights, layer.trainable_weights and
layer.non_trainable_weights, and the model's, as trainable changes."""
import numpy as np

import neuralkit as keras

layer = keras.layers.Dense(3)
model = keras.Sequential([keras.Input(shape=(4,)), layer, keras.layers.Dense(1)])
assert len(layer.weights) == 2
assert len(layer.trainable_weights) == 2
assert len(layer.non_trainable_weights) == 0
assert len(model.trainable_weights) == 4

layer.trainable = False
assert len(layer.weights) == 2
assert len(layer.trainable_weights) == 0
assert len(layer.non_trainable_weights) == 2
assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
kernel = np.asarray(layer.kernel)
assert kernel.shape == (4, 3) and np.asarray(layer.bias).shape == (3,)
