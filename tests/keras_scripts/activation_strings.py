"""Every activation string neuralkit names, given to Dense(activation=...) and to
keras.layers.Activation(...), checked against the formulas of Keras 3's keras.activations."""
import math

import numpy as np

import neuralkit as keras

erf = np.vectorize(math.erf)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


FORMULAS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "softmax": lambda z: np.exp(z - z.max(axis=1, keepdims=True))
    / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True),
    "linear": lambda z: z,
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
    "gelu": lambda z: 0.5 * z * (1.0 + erf(z / np.sqrt(2.0))),  # Keras's default: exact
    "softplus": lambda z: np.logaddexp(0.0, z),
    "swish": lambda z: z * sigmoid(z),
    "silu": lambda z: z * sigmoid(z),
}

rng = np.random.default_rng(3)
x = 2.0 * rng.normal(size=(50, 5))
pre_activation = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(6)])
z = pre_activation.predict(x, verbose=0)

for name, formula in FORMULAS.items():
    fused = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(6, activation=name)])
    separate = keras.Sequential([
        keras.Input(shape=(5,)),
        keras.layers.Dense(6),
        keras.layers.Activation(name),
    ])
    fused.set_weights(pre_activation.get_weights())
    separate.set_weights(pre_activation.get_weights())
    assert len(separate.get_weights()) == 2, name  # the Activation layer has no weights
    expected = formula(z)
    for model in (fused, separate):
        out = model.predict(x, verbose=0)
        assert out.shape == (50, 6), name
        assert np.allclose(out, expected, rtol=1e-5, atol=1e-6), name
