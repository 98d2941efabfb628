"""Known-answer tests from the course material.

Each test trains a neuralkit model and, alongside it, the procedural NumPy implementation of the
seed's formulas in tests/course_oracle.py (columns layout: X (n_x, m), W (n[l], n[l-1]),
b (n[l], 1)), from the same starting parameters, with batch gradient descent. Per-iteration
costs and the final parameters must agree to 1e-10 relative (for parameters: relative to each
array's largest entry).

(1) 001_e7e3bef5ee3028ed.txt: a [3, 4, 4, 1] network, ReLU / ReLU / sigmoid, binary
    cross-entropy, initialized with randn * 0.01 and zero biases, X = randn(3, 5),
    Y = [[1, 0, 1, 0, 1]], learning rate 0.01, 10000 iterations.
(2) 000_3c3d57af59360c54.txt: the movie-rating network initialize_parameters(5, 2, 1), ReLU hidden
    layer, linear output, cost (1/m) * sum((AL - Y)**2).
"""

import numpy as np
import pytest

from neuralkit import Sequential
from neuralkit.layers import Dense, Linear, ReLU, Sigmoid
from neuralkit.optimizers import SGD
from tests import course_oracle as oracle

RTOL = 1e-10


# ---------------------------------------------------------------------- the seeds' formulas
def _procedural_model(X, Y, parameters, learning_rate, num_iterations, output):
    """Batch gradient descent in the course's oracle: ReLU hidden layers, then 'sigmoid' with
    binary cross-entropy or 'linear' with (1/m) sum((AL - Y)^2); backpropagation from the
    course's dAL."""
    L = len(parameters) // 2
    loss = "binary_crossentropy" if output == "sigmoid" else "mse"
    return oracle.L_layer_model(X, Y, parameters, learning_rate, num_iterations,
                                activations=["relu"] * (L - 1) + [output], loss=loss)


def _assert_same_run(history, params, ref_costs, ref_params):
    costs = np.array(history.history["loss"])
    assert costs.shape == (len(ref_costs),)
    np.testing.assert_allclose(costs, ref_costs, rtol=RTOL, atol=0)
    assert params.keys() == ref_params.keys()
    for key, value in ref_params.items():
        assert params[key].shape == value.shape
        # Relative to the array's scale: an entry that ends at ~1e-16 by cancellation (a bias
        # whose updates sum to nearly zero) has no meaningful relative error of its own.
        np.testing.assert_allclose(params[key], value, rtol=RTOL, atol=RTOL * np.abs(value).max(),
                                   err_msg=key)


# ---------------------------------------------------------------------- (1) the [3, 4, 4, 1] classifier
@pytest.mark.parametrize(
    "scale, m, learning_rate, iterations, final_fraction",
    [(0.01, 5, 0.01, 10000, 0.98),  # the seed's program as written (small weights learn slowly)
     (0.5, 40, 0.05, 1500, 0.5)],   # larger weights and more examples: every ReLU path moves
    ids=["seed-program", "larger-init"],
)
def test_seed_001_classifier(scale, m, learning_rate, iterations, final_fraction):
    rng = np.random.default_rng(1)
    layers_dims = [3, 4, 4, 1]
    parameters = oracle.initialize_parameters_deep(layers_dims, rng, scale)
    X = rng.standard_normal((3, m))  # the course's layout: (n_x, m)
    if m == 5:
        Y = np.array([[1, 0, 1, 0, 1]], dtype=float)
    else:
        Y = (X[0:1] * X[1:2] + 0.3 * X[2:3] > 0).astype(float)

    ref_params, ref_costs = _procedural_model(X, Y, parameters, learning_rate, iterations, "sigmoid")

    model = Sequential([Dense(4, input_dim=3, kernel_initializer="small_random"), ReLU(),
                        Dense(4, kernel_initializer="small_random"), ReLU(),
                        Dense(1, kernel_initializer="small_random"), Sigmoid()])
    model.set_parameters(parameters)
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=learning_rate))
    history = model.fit(X.T, Y.T, epochs=iterations, batch_size=m, verbose=0)

    _assert_same_run(history, model.get_parameters(), ref_costs, ref_params)
    # The run is not trivial: the cost really went down.
    assert ref_costs[-1] < final_fraction * ref_costs[0]


# ---------------------------------------------------------------------- (2) the [5, 2, 1] movie ratings
def test_seed_000_movie_rating_regression():
    rng = np.random.default_rng(0)
    m = 12
    parameters = oracle.initialize_parameters_deep([5, 2, 1], rng, scale=0.5)
    assert {k: v.shape for k, v in parameters.items()} == {
        "W1": (2, 5), "b1": (2, 1), "W2": (1, 2), "b2": (1, 1)}
    # Five preferences per user (genre, director, actor, average past rating, duration), scaled.
    X = rng.standard_normal((5, m))
    Y = np.clip(np.round(3 + X[0:1] - 0.5 * X[3:4] + 0.3 * rng.standard_normal((1, m))), 1, 5)
    learning_rate, iterations = 0.01, 3000

    ref_params, ref_costs = _procedural_model(X, Y, parameters, learning_rate, iterations, "linear")

    model = Sequential([Dense(2, input_dim=5), ReLU(), Dense(1), Linear()])
    model.set_parameters(parameters)
    model.compile(loss="mse", optimizer=SGD(learning_rate=learning_rate))
    history = model.fit(X.T, Y.T, epochs=iterations, batch_size=m, verbose=0)

    _assert_same_run(history, model.get_parameters(), ref_costs, ref_params)
    assert ref_costs[-1] < 0.2 * ref_costs[0]


def test_seed_000_first_update_by_hand():
    """One step of the movie network written out scalar by scalar (no matrix products)."""
    rng = np.random.default_rng(2)
    params = oracle.initialize_parameters_deep([5, 2, 1], rng, scale=0.5)
    X, Y = rng.standard_normal((5, 3)), np.array([[4.5, 3.0, 4.8]])
    lr, m = 0.01, 3
    z1 = [[sum(params["W1"][j, k] * X[k, i] for k in range(5)) + params["b1"][j, 0] for i in range(m)]
          for j in range(2)]
    a1 = [[max(0.0, z) for z in row] for row in z1]
    al = [sum(params["W2"][0, j] * a1[j][i] for j in range(2)) + params["b2"][0, 0] for i in range(m)]
    cost = sum((al[i] - Y[0, i]) ** 2 for i in range(m)) / m
    dz2 = [2 * (al[i] - Y[0, i]) for i in range(m)]
    dW2 = [sum(dz2[i] * a1[j][i] for i in range(m)) / m for j in range(2)]
    db2 = sum(dz2) / m
    dz1 = [[params["W2"][0, j] * dz2[i] * (1.0 if z1[j][i] > 0 else 0.0) for i in range(m)] for j in range(2)]
    dW1 = [[sum(dz1[j][i] * X[k, i] for i in range(m)) / m for k in range(5)] for j in range(2)]

    model = Sequential([Dense(2, input_dim=5), ReLU(), Dense(1), Linear()])
    model.set_parameters(params)
    model.compile(loss="mse", optimizer=SGD(learning_rate=lr))
    history = model.fit(X.T, Y.T, epochs=1, batch_size=m, verbose=0)
    got = model.get_parameters()
    assert history.history["loss"][0] == pytest.approx(cost, rel=1e-12)
    np.testing.assert_allclose(got["W2"][0], params["W2"][0] - lr * np.array(dW2), rtol=1e-12)
    np.testing.assert_allclose(got["b2"][0, 0], params["b2"][0, 0] - lr * db2, rtol=1e-12)
    np.testing.assert_allclose(got["W1"], params["W1"] - lr * np.array(dW1), rtol=1e-12)
