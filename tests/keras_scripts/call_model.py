"""Calling the model on a batch, `model(x)` (the Sequential guide's first example), and
converting the output with keras.ops.convert_to_numpy, the backend-independent way."""
import numpy as np

import neuralkit as keras

rng = np.random.default_rng(36)
x = rng.normal(size=(5, 3)).astype("float32")
model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="relu"),
                          keras.layers.Dense(2)])
out = keras.ops.convert_to_numpy(model(x))
assert out.shape == (5, 2)
assert np.allclose(out, model.predict(x, verbose=0), atol=1e-6)
layer_out = keras.ops.convert_to_numpy(model.layers[0](x))
assert layer_out.shape == (5, 4) and (layer_out >= 0).all()
