"""model.input_shape and model.output_shape, as Keras 3 gives them: with the batch dimension
(None, ...), as summary() prints them."""
import numpy as np

import neuralkit as keras

model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(3, activation="softmax")])
assert model.input_shape == (None, 4), model.input_shape
assert model.output_shape == (None, 3), model.output_shape
assert model.predict(np.zeros((2, 4)), verbose=0).shape == (2,) + model.output_shape[1:]
