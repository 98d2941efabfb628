"""Layers: gradients against finite differences, forward values against independent formulas,
the cache error, lazy building, initializers and user-written layers."""

import math
import warnings

import numpy as np
import pytest

from neuralkit import Sequential, gradcheck
from neuralkit.layers import Dense, Layer, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from neuralkit.optimizers import SGD, Adam, RMSprop
from tests.helpers import binary_data

ALL_LAYERS = [
    lambda: Dense(4),
    lambda: Dense(3, kernel_initializer="he_normal"),
    Linear,
    ReLU,
    lambda: LeakyReLU(alpha=0.1),
    Sigmoid,
    Tanh,
    Softmax,
]


def _inputs(m=6, n=5, seed=0):
    X = np.random.default_rng(seed).standard_normal((m, n))
    # ReLU/LeakyReLU have a kink at 0: keep finite differences (eps 1e-6) away from it.
    X[np.abs(X) < 1e-3] = 0.5
    return X


# ---------------------------------------------------------------------- gradient checks
@pytest.mark.parametrize("make", ALL_LAYERS, ids=["dense", "dense_he", "linear", "relu", "leaky_relu",
                                                   "sigmoid", "tanh", "softmax"])
def test_every_layer_passes_gradcheck(make):
    layer = make()
    layer.rng = np.random.default_rng(1)
    errors = gradcheck.check_layer(layer, _inputs())
    assert "X" in errors
    if isinstance(layer, Dense):
        assert set(errors) == {"X", "W", "b"}
    assert all(e < 1e-7 for e in errors.values())


def test_gradcheck_catches_a_wrong_backward():
    class BadTanh(Tanh):
        def backward(self, dA):
            return dA * (1 - self.cache)  # forgot the square

    with pytest.raises(gradcheck.GradientCheckError, match="BadTanh"):
        gradcheck.check_layer(BadTanh(), _inputs())


def test_softmax_backward_uses_the_full_jacobian():
    # A loop over the explicit Jacobian J_ij = A_i (delta_ij - A_j), row by row.
    rng = np.random.default_rng(3)
    Z, dA = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    layer = Softmax()
    A = layer.forward(Z)
    dZ = layer.backward(dA)
    for i in range(Z.shape[0]):
        a = A[i]
        J = np.diag(a) - np.outer(a, a)
        np.testing.assert_allclose(dZ[i], J.T @ dA[i], rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------- forward values
def test_dense_forward_is_the_course_linear_step():
    rng = np.random.default_rng(0)
    layer = Dense(3, input_dim=4)
    layer._ensure_built(4)
    W, b = rng.standard_normal((3, 4)), rng.standard_normal(3)
    layer.params["W"][...] = W
    layer.params["b"][...] = b
    X = rng.standard_normal((5, 4))
    Z = layer.forward(X)
    # The course's columns layout: Z = W A_prev + b with A_prev (n_x, m).
    np.testing.assert_allclose(Z.T, W @ X.T + b[:, None], rtol=1e-13)
    # Loops for one entry, independent of any matrix product.
    assert math.isclose(Z[2, 1], sum(W[1, k] * X[2, k] for k in range(4)) + b[1], rel_tol=1e-13)


def test_dense_backward_matches_the_course_formulas():
    rng = np.random.default_rng(1)
    layer = Dense(3)
    layer._ensure_built(4)
    A_prev, dZ = rng.standard_normal((6, 4)), rng.standard_normal((6, 3))
    layer.forward(A_prev)
    dA_prev = layer.backward(dZ)
    W = layer.params["W"]
    # Course, columns layout (dZ already carries the 1/m): dW = dZ A_prev^T, db = sum dZ, dA = W^T dZ.
    np.testing.assert_allclose(layer.grads["W"], dZ.T @ A_prev, rtol=1e-13)
    np.testing.assert_allclose(layer.grads["b"], dZ.sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(dA_prev.T, W.T @ dZ.T, rtol=1e-13)


@pytest.mark.parametrize(
    "layer, formula",
    [
        (Linear(), lambda z: z),
        (ReLU(), lambda z: z if z > 0 else 0.0),
        (LeakyReLU(), lambda z: z if z > 0 else 0.01 * z),
        (LeakyReLU(alpha=0.3), lambda z: z if z > 0 else 0.3 * z),
        (Sigmoid(), lambda z: 1.0 / (1.0 + math.exp(-z))),
        (Tanh(), lambda z: (math.exp(z) - math.exp(-z)) / (math.exp(z) + math.exp(-z))),
    ],
    ids=["linear", "relu", "leaky_relu", "leaky_relu_0.3", "sigmoid", "tanh"],
)
def test_elementwise_activation_values(layer, formula):
    Z = np.random.default_rng(2).standard_normal((4, 3)) * 3
    A = layer.forward(Z)
    expected = np.array([[formula(float(z)) for z in row] for row in Z])
    np.testing.assert_allclose(A, expected, rtol=1e-13, atol=1e-15)


def test_softmax_values():
    Z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 5.0, 2.0]])
    A = Softmax().forward(Z)
    for i, row in enumerate(Z):
        e = [math.exp(z) for z in row]
        np.testing.assert_allclose(A[i], [v / sum(e) for v in e], rtol=1e-13)
    np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=1e-15)


@pytest.mark.parametrize("K", [2, 10, 64, 65, 300])
def test_softmax_of_narrow_and_wide_rows_matches_the_formula(K):
    # The row max is taken two ways (narrow rows through a transposed copy); both must give
    # each row's own max, or large logits overflow.
    Z = np.random.default_rng(K).standard_normal((9, K)) * 50
    Z[3, K - 1] = 5000.0  # any shift but its own row max overflows or underflows here
    A = Softmax().forward(Z)
    for i, row in enumerate(Z):
        e = [math.exp(z - max(row)) for z in row]
        np.testing.assert_allclose(A[i], [v / math.fsum(e) for v in e], rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("make", [Sigmoid, Softmax, Tanh])
def test_saturating_activations_at_extreme_logits(make):
    Z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    layer = make()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = layer.forward(Z)
        dZ = layer.backward(np.ones_like(Z))
    assert np.isfinite(A).all() and np.isfinite(dZ).all()
    if make is Sigmoid:
        np.testing.assert_array_equal(A, [[1.0, 0.0, 0.5], [0.0, 1.0, 1.0]])
    if make is Softmax:
        np.testing.assert_allclose(A[0], [1.0, 0.0, 0.0])
        np.testing.assert_allclose(A[1], [0.0, 1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1))], rtol=1e-12)


# ---------------------------------------------------------------------- backward before forward
@pytest.mark.parametrize("make", ALL_LAYERS, ids=["dense", "dense_he", "linear", "relu", "leaky_relu",
                                                   "sigmoid", "tanh", "softmax"])
def test_backward_before_forward_names_the_layer(make):
    layer = make()
    layer._ensure_built(3)
    with pytest.raises(RuntimeError, match=rf"{type(layer).__name__} layer '{layer.name}'.*before forward"):
        layer.backward(np.ones((2, layer.output_dim)))


def test_backward_before_forward_in_a_model_names_the_model_layer():
    model = Sequential([Dense(2, input_dim=3), ReLU(), Dense(1, name="head")])
    with pytest.raises(RuntimeError, match="'head'"):
        model.layers[2].backward(np.ones((1, 1)))


def test_clear_cache_makes_backward_fail_again():
    layer = ReLU()
    layer.forward(np.ones((2, 2)))
    layer.backward(np.ones((2, 2)))
    layer.clear_cache()
    with pytest.raises(RuntimeError, match="before"):
        layer.backward(np.ones((2, 2)))


# ---------------------------------------------------------------------- building
def test_lazy_build_on_first_fit():
    model = Sequential([Dense(4), ReLU(), Dense(1)], seed=0)
    assert not model.built
    assert model.layers[0].params == {}
    with pytest.raises(ValueError, match="not built"):
        model.get_parameters()
    rng = np.random.default_rng(0)
    model.fit(rng.standard_normal((8, 3)), rng.standard_normal(8), epochs=1, verbose=0)
    assert model.built
    assert model.layers[0].params["W"].shape == (4, 3)
    assert model.layers[2].params["W"].shape == (1, 4)


def test_input_dim_on_first_layer_builds_the_whole_model_at_construction():
    model = Sequential([Dense(4, input_dim=3), ReLU(), Dense(2), Sigmoid()])
    assert model.built and all(layer.built for layer in model.layers)
    params = model.get_parameters()
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (4, 3), "b1": (4, 1), "W2": (2, 4), "b2": (2, 1)}


def test_input_dim_builds_when_layers_are_added_one_by_one():
    model = Sequential(seed=0)
    model.add(Dense(5, input_dim=2))
    model.add(ReLU())
    model.add(Dense(1))
    assert model.built
    assert model.get_parameters()["W2"].shape == (1, 5)


def test_layer_input_dim_mismatch_on_add():
    model = Sequential([Dense(4, input_dim=3)])
    with pytest.raises(ValueError, match=r"input_dim=5.*outputs 4"):
        model.add(Dense(2, input_dim=5))


def test_dense_rejects_bad_units():
    with pytest.raises(ValueError, match="units"):
        Dense(0)
    with pytest.raises(TypeError, match="units"):
        Dense(2.5)


# ---------------------------------------------------------------------- initializers
def test_small_random_is_randn_times_001_from_the_model_rng():
    model = Sequential([Dense(4, kernel_initializer="small_random", input_dim=3),
                        Dense(2, kernel_initializer="small_random")], seed=7)
    rng = np.random.default_rng(7)  # the model's generator, drawn layer after layer
    np.testing.assert_array_equal(model.layers[0].params["W"], rng.standard_normal((4, 3)) * 0.01)
    np.testing.assert_array_equal(model.layers[1].params["W"], rng.standard_normal((2, 4)) * 0.01)
    for layer in model.layers:
        np.testing.assert_array_equal(layer.params["b"], 0.0)


def test_small_random_statistics():
    model = Sequential([Dense(300, kernel_initializer="small_random", input_dim=400)], seed=1)
    W = model.layers[0].params["W"]
    # 120000 draws: the sample std of N(0, 0.01^2) is within 1% of 0.01 with overwhelming probability.
    assert abs(W.std() - 0.01) < 1e-4
    assert abs(W.mean()) < 1e-4


def test_glorot_uniform_bounds():
    fan_in, fan_out = 300, 200
    model = Sequential([Dense(fan_out, input_dim=fan_in)], seed=2)  # the documented default
    W = model.layers[0].params["W"]
    limit = math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(W).max() <= limit
    assert np.abs(W).max() > 0.99 * limit  # fills the interval
    assert abs(W.var() - limit**2 / 3) < 0.02 * limit**2 / 3  # var of U(-l, l)
    np.testing.assert_array_equal(model.layers[0].params["b"], 0.0)


def test_he_normal_std():
    fan_in = 250
    model = Sequential([Dense(400, kernel_initializer="he_normal", input_dim=fan_in)], seed=3)
    W = model.layers[0].params["W"]
    assert abs(W.std() - math.sqrt(2 / fan_in)) < 0.01 * math.sqrt(2 / fan_in)
    np.testing.assert_array_equal(model.layers[0].params["b"], 0.0)


def test_callable_initializer_and_bad_initializer():
    model = Sequential([Dense(2, kernel_initializer=lambda shape, rng: np.full(shape, 0.5), input_dim=3)])
    np.testing.assert_array_equal(model.layers[0].params["W"], 0.5)
    with pytest.raises(ValueError, match="kernel_initializer"):
        Dense(2, kernel_initializer="zeros_please")


# ---------------------------------------------------------------------- a user's layer
class Scale(Layer):
    """A user's parametric layer: A = Z * s + c, s and c of shape (n,)."""

    def build(self, input_dim):
        self.params = {"s": self.rng.uniform(0.5, 1.5, input_dim).astype(self.dtype),
                       "c": np.zeros(input_dim, dtype=self.dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        super().build(input_dim)

    def forward(self, Z, training=True):
        self.cache = Z
        return Z * self.params["s"] + self.params["c"]

    def backward(self, dA):
        Z = self.cache
        self.grads["s"][...] = np.sum(dA * Z, axis=0)
        self.grads["c"][...] = np.sum(dA, axis=0)
        return dA * self.params["s"]


def _xor_like(m=40, seed=0):
    return binary_data(m, 2, lambda X: X[:, 0] * X[:, 1], seed)


def test_user_layer_passes_gradcheck_alone_and_in_a_model():
    errors = gradcheck.check_layer(Scale(), _inputs())
    assert set(errors) == {"X", "s", "c"}
    X, y = _xor_like(10)
    model = Sequential([Dense(3, input_dim=2), Scale(), Tanh(), Dense(1), Sigmoid()], seed=0)
    errors = gradcheck.check_model(model, X, y)
    assert set(errors) == {"W1", "b1", "scale/s", "scale/c", "W2", "b2"}


@pytest.mark.parametrize("optimizer", [lambda: SGD(0.1), lambda: SGD(0.1, momentum=0.9, nesterov=True),
                                       lambda: RMSprop(0.01), lambda: Adam(0.01)],
                         ids=["sgd", "nesterov", "rmsprop", "adam"])
def test_user_layer_trains_with_every_optimizer(optimizer):
    X, y = _xor_like()
    model = Sequential([Dense(3, input_dim=2), Scale(), Tanh(), Dense(1), Sigmoid()], seed=0)
    model.compile(optimizer=optimizer())
    before = model.get_parameters()
    history = model.fit(X, y, epochs=20, batch_size=8, verbose=0)
    after = model.get_parameters()
    assert not np.array_equal(before["scale/s"], after["scale/s"])
    assert not np.array_equal(before["scale/c"], after["scale/c"])
    assert history.history["loss"][-1] < history.history["loss"][0]
    # The optimizer keeps state for the user's parameters under the layer's name.
    assert {"scale/s", "scale/c"} <= set(model.optimizer.state)


def test_user_layer_in_summary_and_parameters():
    model = Sequential([Dense(3, input_dim=2), Scale(), Dense(1)], seed=0)
    rows = model.summary(print_fn=lambda text: None)["layers"]
    assert rows[1]["type"] == "Scale"
    assert rows[1]["param_shapes"] == {"s": (3,), "c": (3,)}
    assert rows[1]["params"] == 6
    params = model.get_parameters()
    assert params["scale/s"].shape == (3, 1)
    new = {k: v + 1.0 for k, v in params.items()}
    model.set_parameters(new)
    for key, value in model.get_parameters().items():
        np.testing.assert_array_equal(value, new[key])
    np.testing.assert_array_equal(model.layers[1].params["s"], new["scale/s"].ravel())


def test_user_layer_without_build_gets_dims():
    class Double(Layer):
        def forward(self, Z, training=True):
            self.cache = None
            return 2 * Z

        def backward(self, dA):
            return 2 * dA

    model = Sequential([Dense(3, input_dim=2), Double(), Dense(1)])
    assert model.layers[1].output_dim == 3
    assert model.predict(np.ones((2, 2))).shape == (2, 1)
