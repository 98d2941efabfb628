"""The course oracle (tests/course_oracle.py) on its own: many tests take their expected numbers
from it, so it is checked here without neuralkit: its gradients against central differences of
its own cost, its two layouts against each other, the fused start of backpropagation against
the course's, and the assignment's published initialization."""

import ast

import numpy as np
import pytest

from tests import course_oracle as oracle
from tests.helpers import ROOT

NETWORKS = {
    "relu-sigmoid-bce": (["relu", "relu", "sigmoid"], "binary_crossentropy", 1),
    "tanh-softmax-cce": (["tanh", "tanh", "softmax"], "categorical_crossentropy", 3),
    "leaky-linear-mse": ([("leaky_relu", 0.1), "sigmoid", "linear"], "mse", 2),
    "tanh-relu-sigmoid-bce-2": (["tanh", "relu", "sigmoid"], "binary_crossentropy", 2),
    "relu-softmax-mse": (["relu", "leaky_relu", "softmax"], "mse", 3),
}


def _problem(n_out, loss, seed=0, m=7, dims=(4, 5, 3)):
    rng = np.random.default_rng(seed)
    params = oracle.initialize_parameters_deep([*dims, n_out], rng, scale=0.8)
    for key in params:
        if key.startswith("b"):
            params[key] = rng.standard_normal(params[key].shape) * 0.3
    X = rng.standard_normal((dims[0], m))
    if loss == "categorical_crossentropy":
        Y = np.eye(n_out)[rng.integers(0, n_out, m)].T
    elif loss == "binary_crossentropy":
        Y = (rng.random((n_out, m)) > 0.5).astype(float)
    else:
        Y = rng.standard_normal((n_out, m))
    return X, Y, params


def test_the_oracle_imports_nothing_of_neuralkit():
    tree = ast.parse((ROOT / "tests" / "course_oracle.py").read_text())
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules == {"__future__", "numpy"}


@pytest.mark.parametrize("name", sorted(NETWORKS))
@pytest.mark.parametrize("lambd", [0.0, 0.7])
def test_backward_is_the_gradient_of_the_cost(name, lambd):
    activations, loss, n_out = NETWORKS[name]
    X, Y, params = _problem(n_out, loss)

    def cost(p):
        AL, _ = oracle.L_model_forward(X, p, activations)
        return oracle.compute_cost(AL, Y, loss, parameters=p, lambd=lambd)

    AL, caches = oracle.L_model_forward(X, params, activations)
    grads = oracle.L_model_backward(AL, Y, caches, activations, loss, lambd=lambd)
    eps = 1e-6
    for key, value in params.items():
        approx = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus, minus = dict(params), dict(params)
            plus[key], minus[key] = value.copy(), value.copy()
            plus[key][index] += eps
            minus[key][index] -= eps
            approx[index] = (cost(plus) - cost(minus)) / (2 * eps)
        grad = grads[f"d{key}"]
        assert grad.shape == value.shape
        error = np.linalg.norm(grad - approx) / (np.linalg.norm(grad) + np.linalg.norm(approx))
        assert error < 1e-7, (key, error)


@pytest.mark.parametrize("name", ["relu-sigmoid-bce", "tanh-softmax-cce", "tanh-relu-sigmoid-bce-2"])
def test_the_fused_start_gives_the_courses_gradients(name):
    activations, loss, n_out = NETWORKS[name]
    X, Y, params = _problem(n_out, loss, seed=1)
    AL, caches = oracle.L_model_forward(X, params, activations)
    course = oracle.L_model_backward(AL, Y, caches, activations, loss)
    fused = oracle.L_model_backward(AL, Y, caches, activations, loss, fused_output=True)
    assert sorted(fused) == sorted(course)
    for key in course:
        np.testing.assert_allclose(fused[key], course[key], rtol=1e-9, atol=1e-12, err_msg=key)
    with pytest.raises(ValueError, match="fused_output needs"):
        oracle.L_model_backward(AL, Y, caches, activations, "mse", fused_output=True)


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_rows_layout_is_the_columns_layout_transposed(name):
    activations, loss, n_out = NETWORKS[name]
    X, Y, params = _problem(n_out, loss, seed=2)
    AL, caches = oracle.L_model_forward(X, params, activations)
    AL_rows, caches_rows = oracle.L_model_forward(X.T, params, activations, layout="rows")
    np.testing.assert_allclose(AL_rows, AL.T, rtol=1e-14)
    assert oracle.compute_cost(AL_rows, Y.T, loss, layout="rows") == pytest.approx(
        oracle.compute_cost(AL, Y, loss), rel=1e-14)
    grads = oracle.L_model_backward(AL, Y, caches, activations, loss)
    grads_rows = oracle.L_model_backward(AL_rows, Y.T, caches_rows, activations, loss, layout="rows")
    for key, value in grads.items():
        expected = value.T if key.startswith("dA") else value
        np.testing.assert_allclose(grads_rows[key], expected, rtol=1e-12, atol=1e-15, err_msg=key)


def test_biases_of_shape_n_and_scalar_biases_keep_their_shape():
    rng = np.random.default_rng(3)
    X, Y = rng.standard_normal((3, 6)), (rng.random((1, 6)) > 0.5).astype(float)
    W = rng.standard_normal((1, 3))
    for b in (np.array([0.2]), np.array([[0.2]]), 0.2):
        AL, caches = oracle.L_model_forward(X, {"W1": W, "b1": b}, ["sigmoid"])
        grads = oracle.L_model_backward(AL, Y, caches, ["sigmoid"])
        assert np.shape(grads["db1"]) == np.shape(b)
        np.testing.assert_allclose(np.ravel(grads["db1"]), np.sum(AL - Y) / 6, rtol=1e-12)


def test_initialize_parameters_deep_is_the_assignments():
    # "Building your deep neural network: step by step": initialize_parameters_deep([5, 4, 3])
    # with np.random.seed(3) gives this first row of W1.
    params = oracle.initialize_parameters_deep([5, 4, 3])
    assert {k: v.shape for k, v in params.items()} == {"W1": (4, 5), "b1": (4, 1), "W2": (3, 4),
                                                       "b2": (3, 1)}
    np.testing.assert_allclose(params["W1"][0], [0.01788628, 0.0043651, 0.00096497, -0.01863493,
                                                 -0.00277388], atol=5e-9)
    assert not params["b1"].any() and not params["b2"].any()


def test_clipping_is_off_unless_asked_and_update_leaves_its_input_alone():
    AL, Y = np.array([[1.0, 0.5]]), np.array([[0.0, 1.0]])
    with np.errstate(divide="ignore"):
        assert oracle.compute_cost(AL, Y) == np.inf  # the course's formula: log(1 - 1)
    clipped = oracle.compute_cost(AL, Y, epsilon=1e-7)
    assert clipped == pytest.approx(-(np.log(1e-7) + np.log(0.5)) / 2, rel=1e-9)
    params = {"W1": np.ones((1, 2)), "b1": np.zeros((1, 1))}
    new = oracle.update_parameters(params, {"dW1": np.ones((1, 2)), "db1": np.ones((1, 1))}, 0.1)
    assert np.array_equal(params["W1"], np.ones((1, 2))) and np.allclose(new["W1"], 0.9)
