"""``neuralkit.activations`` and ``neuralkit.ops``: Keras's functions, checked against their formulas."""

import numpy as np
import pytest
from scipy.special import erf, expit, softmax

import neuralkit as nk
from neuralkit import activations

X = np.linspace(-4, 4, 17).reshape(1, -1)

FORMULAS = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": expit,
    "tanh": np.tanh,
    "linear": lambda x: x,
    "softmax": lambda x: softmax(x, axis=-1),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "gelu": lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "swish": lambda x: x * expit(x),
    "silu": lambda x: x * expit(x),
    # Keras 3's formulas (keras/src/activations/activations.py), SELU's constants its backends'.
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "relu6": lambda x: np.clip(x, 0, 6),
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "exponential": np.exp,
}


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_function_matches_its_formula(name):
    np.testing.assert_allclose(getattr(activations, name)(X), FORMULAS[name](X), rtol=1e-12, atol=1e-15)
    assert activations.get(name) is getattr(activations, name)


def test_functions_are_stable_at_saturation():
    x = np.array([[-1000.0, 1000.0]])
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(activations.sigmoid(x), [[0.0, 1.0]])
        np.testing.assert_allclose(activations.softplus(x), [[0.0, 1000.0]])
        np.testing.assert_allclose(activations.mish(x), [[0.0, 1000.0]], atol=1e-300)
        np.testing.assert_array_equal(activations.hard_sigmoid(x), [[0.0, 1.0]])
        np.testing.assert_array_equal(activations.softsign(np.array([[-1e300, 1e300]])),
                                      [[-1.0, 1.0]])


def test_a_function_as_dense_activation_is_its_layer_and_survives_saving(tmp_path):
    model = nk.Sequential([nk.layers.Dense(4, activation=activations.tanh, input_shape=(3,)),
                           nk.layers.Dense(1, activation=activations.sigmoid)])
    assert isinstance(model.layers[0].activation, nk.layers.Tanh)
    X_in = np.random.default_rng(0).normal(size=(5, 3))
    model.save(tmp_path / "m.npz")
    np.testing.assert_array_equal(nk.load_model(tmp_path / "m.npz").predict(X_in, verbose=0),
                                  model.predict(X_in, verbose=0))


def test_unknown_name_suggests():
    with pytest.raises(ValueError, match="relu"):
        activations.get("rleu")


def test_ops_give_numpy_arrays():
    assert isinstance(nk.ops.convert_to_numpy([1, 2]), np.ndarray)
    assert nk.ops.convert_to_tensor([1, 2], dtype="float32").dtype == np.float32


def _data(seed=0, m=6, n=3):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(m, n))
    P = softmax(logits, axis=1)
    Y = np.eye(n)[rng.integers(0, n, m)]
    return rng, P, Y


def test_loss_functions_are_the_per_example_formulas():
    rng, P, Y = _data()
    T, U = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    B = rng.uniform(0.05, 0.95, size=(6, 1))
    L = rng.integers(0, 2, size=(6, 1)).astype(float)
    np.testing.assert_allclose(nk.losses.mean_squared_error(T, U), np.mean((T - U) ** 2, axis=1))
    np.testing.assert_allclose(nk.losses.mean_absolute_error(T, U), np.mean(np.abs(T - U), axis=1))
    np.testing.assert_allclose(nk.losses.binary_crossentropy(L, B),
                               -(L * np.log(B) + (1 - L) * np.log(1 - B))[:, 0])
    np.testing.assert_allclose(nk.losses.categorical_crossentropy(Y, P), -np.sum(Y * np.log(P), axis=1))
    np.testing.assert_allclose(nk.losses.sparse_categorical_crossentropy(Y.argmax(1), P),
                               -np.log(P[np.arange(6), Y.argmax(1)]))
    d = T - U
    huber = np.where(np.abs(d) <= 1, 0.5 * d ** 2, np.abs(d) - 0.5).mean(axis=1)
    np.testing.assert_allclose(nk.losses.huber(T, U), huber)


def test_loss_function_in_compile_trains_as_its_name():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    runs = []
    for loss in ("mse", nk.losses.mean_squared_error):
        model = nk.Sequential([nk.layers.Dense(4, activation="relu", input_shape=(3,)),
                               nk.layers.Dense(1)], seed=1)
        model.compile(optimizer="adam", loss=loss)
        runs.append(model.fit(X, y, epochs=3, batch_size=8, verbose=0).history["loss"])
    assert runs[0] == runs[1]


def test_loss_function_rejects_mismatched_examples():
    with pytest.raises(ValueError, match="one row per example"):
        nk.losses.mean_squared_error(np.zeros((3, 1)), np.zeros((4, 1)))
