"""Keras 3 activation strings that dense networks use besides the common ones: selu (self-
normalizing networks), softsign, relu6, hard_sigmoid, mish, exponential."""
import numpy as np

import neuralkit as keras

ALPHA, SCALE = 1.67326324, 1.05070098
FORMULAS = {
    "selu": lambda z: SCALE * np.where(z > 0, z, ALPHA * np.expm1(np.minimum(z, 0.0))),
    "softsign": lambda z: z / (1.0 + np.abs(z)),
    "relu6": lambda z: np.clip(z, 0.0, 6.0),
    "hard_sigmoid": lambda z: np.clip(z / 6.0 + 0.5, 0.0, 1.0),
    "mish": lambda z: z * np.tanh(np.logaddexp(0.0, z)),
    "exponential": np.exp,
}

rng = np.random.default_rng(5)
x = 3.0 * rng.normal(size=(40, 4))
linear = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(5)])
z = linear.predict(x, verbose=0)
missing = []
for name, formula in FORMULAS.items():
    try:
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(5, activation=name)])
    except ValueError:
        missing.append(name)
        continue
    model.set_weights(linear.get_weights())
    assert np.allclose(model.predict(x, verbose=0), formula(z), rtol=1e-5, atol=1e-6), name
assert not missing, f"unknown activations: {missing}"
