"""get_weights / set_weights: a list of arrays (kernel, bias per Dense), copied into a second
model of the same architecture, layer by layer or whole; wrong shapes are refused."""
import numpy as np

import neuralkit as keras


def make_model():
    return keras.Sequential([
        keras.Input(shape=(4,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(2),
    ])


rng = np.random.default_rng(16)
x = rng.normal(size=(20, 4))
source, target = make_model(), make_model()
weights = source.get_weights()
assert isinstance(weights, list) and len(weights) == 4
assert all(isinstance(w, np.ndarray) for w in weights)
kernel, bias = source.layers[0].get_weights()
# Keras keeps a kernel as (inputs, units); neuralkit documents W as (units, inputs), its transpose.
assert kernel.shape == ((8, 4) if keras.__name__ == "neuralkit" else (4, 8))
assert bias.shape == (8,) and np.all(bias == 0)  # biases start at zero
assert [w.shape for w in weights] == [w.shape for w in target.get_weights()]
assert not np.allclose(source.predict(x, verbose=0), target.predict(x, verbose=0))

target.set_weights(source.get_weights())
assert np.array_equal(source.predict(x, verbose=0), target.predict(x, verbose=0))

# Layer by layer, into a third model.
third = make_model()
for src, dst in zip(source.layers, third.layers, strict=True):
    dst.set_weights(src.get_weights())
assert np.array_equal(source.predict(x, verbose=0), third.predict(x, verbose=0))

# Shifting the output bias by one shifts the (linear) output by one.
shifted = source.get_weights()
shifted[-1] = shifted[-1] + 1.0
target.set_weights(shifted)
assert np.allclose(target.predict(x, verbose=0), source.predict(x, verbose=0) + 1.0, atol=1e-6)

try:
    target.set_weights(source.get_weights()[:2])
except ValueError:
    pass
else:
    raise AssertionError("set_weights accepted 2 arrays for 4 weights")
bad = source.get_weights()
bad[0] = np.zeros((3, 3))
try:
    target.set_weights(bad)
except ValueError:
    pass
else:
    raise AssertionError("set_weights accepted a (3, 3) kernel")
