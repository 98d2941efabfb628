"""neuralkit.course: the course's procedural API computed by neuralkit's layers.

Oracles: the independent procedural implementation of the week-4 formulas in
tests/course_oracle.py (column layout, the course's dAL start of backpropagation, no clipping),
the assignment's published initialization values, finite differences, and Sequential itself
(agreement to 1e-12).
"""

import numpy as np
import pytest

from neuralkit import Sequential, course, gradcheck
from neuralkit.layers import Dense, ReLU, Sigmoid, Tanh
from neuralkit.optimizers import SGD
from tests import course_oracle as oracle


# ---------------------------------------------------------------------- helpers
def _problem(dims=(4, 5, 3, 1), m=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    params = course.initialize_parameters_deep(list(dims), seed=1, scale="fan_in")
    for l in range(1, len(dims)):  # non-zero biases, so that db and b matter
        params[f"b{l}"] = rng.standard_normal((dims[l], 1)) * 0.1
    return X, Y, params


def _close(a, b, rtol=1e-12):
    assert a.shape == b.shape
    assert np.allclose(a, b, rtol=rtol, atol=rtol * max(1.0, np.abs(b).max()))


# ---------------------------------------------------------------------- tests
def test_initialize_parameters_deep_matches_the_assignment():
    # The "Building your deep neural network: step by step" assignment's expected output for
    # initialize_parameters_deep([5, 4, 3]) with np.random.seed(3).
    params = course.initialize_parameters_deep([5, 4, 3])
    assert sorted(params) == ["W1", "W2", "b1", "b2"]
    assert params["W1"].shape == (4, 5) and params["b1"].shape == (4, 1)
    assert params["W2"].shape == (3, 4) and not params["b2"].any()
    assert np.allclose(params["W1"][0], [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388],
                       atol=5e-9)


def test_initialize_parameters_deep_leaves_the_global_generator_alone():
    np.random.seed(0)
    expected = np.random.random()
    np.random.seed(0)
    course.initialize_parameters_deep([3, 2, 1], seed=7)
    assert np.random.random() == expected
    fan_in = course.initialize_parameters_deep([100, 50, 1], seed=1, scale="fan_in")
    assert abs(fan_in["W1"].std() * np.sqrt(100) - 1) < 0.05  # randn / sqrt(n[l-1])


def test_forward_cost_backward_match_the_procedural_course():
    X, Y, params = _problem()
    AL, caches = course.L_model_forward(X, params)
    AL_ref, caches_ref = oracle.L_model_forward(X, params)
    _close(AL, AL_ref)
    assert len(caches) == 3
    for ((A_prev, W, b), Z), ((A_prev_ref, W_ref, _), Z_ref), l in zip(caches, caches_ref, (1, 2, 3),
                                                                      strict=True):
        _close(A_prev, A_prev_ref)
        _close(Z, Z_ref)
        assert np.array_equal(W, W_ref) and np.array_equal(b, params[f"b{l}"])
    assert course.compute_cost(AL, Y) == pytest.approx(oracle.compute_cost(AL_ref, Y), rel=1e-12)
    grads = course.L_model_backward(AL, Y, caches)
    grads_ref = oracle.L_model_backward(AL_ref, Y, caches_ref)
    assert sorted(grads) == sorted(grads_ref) == sorted(
        ["dA0", "dA1", "dA2", "dW1", "dW2", "dW3", "db1", "db2", "db3"])
    for key in grads_ref:
        _close(grads[key], grads_ref[key], rtol=1e-10)


def test_backward_is_the_gradient_of_the_cost():
    X, Y, params = _problem(dims=(3, 4, 1), m=8, seed=2)

    def cost():
        return course.compute_cost(course.L_model_forward(X, params)[0], Y)

    AL, caches = course.L_model_forward(X, params)
    grads = course.L_model_backward(AL, Y, caches)
    for key in ("W1", "b1", "W2", "b2"):
        approx = gradcheck.numerical_gradient(cost, params[key])
        assert gradcheck.relative_error(grads[f"d{key}"], approx) < 1e-7


def test_update_parameters_is_gradient_descent_and_copies():
    X, Y, params = _problem()
    AL, caches = course.L_model_forward(X, params)
    grads = course.L_model_backward(AL, Y, caches)
    before = {k: v.copy() for k, v in params.items()}
    new = course.update_parameters(params, grads, 0.3)
    for key, value in params.items():
        assert np.array_equal(value, before[key])  # the input dict is untouched
        assert np.allclose(new[key], before[key] - 0.3 * grads[f"d{key}"], rtol=0, atol=1e-15)


def test_bridge_and_sequential_agree_over_training():
    X, Y, params = _problem(dims=(4, 6, 3, 1), m=25, seed=3)
    model = course.to_sequential(params)
    assert [type(layer) for layer in model.layers] == [Dense, ReLU, Dense, ReLU, Dense, Sigmoid]
    model.compile(loss="binary_crossentropy", optimizer=SGD(0.2))
    _close(model.predict(X.T).T, course.L_model_forward(X, params)[0])
    costs = []
    for _ in range(30):
        AL, caches = course.L_model_forward(X, params)
        costs.append(course.compute_cost(AL, Y))
        params = course.update_parameters(params, course.L_model_backward(AL, Y, caches), 0.2)
    history = model.fit(X.T, Y.T, epochs=30, batch_size=X.shape[1], shuffle=False, verbose=0)
    assert np.allclose(history.history["loss"], costs, rtol=1e-12, atol=0)
    trained = model.get_parameters()
    for key in params:
        _close(trained[key], params[key])


def test_predict_prints_accuracy_like_the_course(capsys):
    X, Y, params = _problem()
    p = course.predict(X, Y, params)
    AL, _ = oracle.L_model_forward(X, params)
    assert np.array_equal(p, (AL > 0.5).astype(float))
    expected = np.mean(p == Y)
    assert capsys.readouterr().out.strip() == f"Accuracy: {expected}"
    course.predict(X, Y, params, verbose=False)
    assert capsys.readouterr().out == ""


def test_to_sequential_activations_and_round_trip():
    _, _, params = _problem(dims=(2, 3, 1))
    model = course.to_sequential(params, activations=["tanh", "sigmoid"])
    assert [type(layer) for layer in model.layers] == [Dense, Tanh, Dense, Sigmoid]
    back = model.get_parameters()
    assert all(np.array_equal(back[k], params[k]) for k in params)
    params["W1"][0, 0] += 1.0  # the model holds copies
    assert back["W1"][0, 0] != params["W1"][0, 0]
    assert isinstance(course.to_sequential(params, activations="tanh"), Sequential)


def test_saturated_output_gives_finite_cost_and_gradients():
    # The assignment's dAL = -(Y/AL - (1-Y)/(1-AL)) divides by zero here; the bridge does not.
    X = np.array([[1.0, -1.0]])
    params = {"W1": np.array([[1000.0]]), "b1": np.zeros((1, 1))}
    Y = np.array([[0.0, 1.0]])  # both wrong and fully confident
    AL, caches = course.L_model_forward(X, params)
    assert AL[0, 0] == 1.0
    cost = course.compute_cost(AL, Y)
    grads = course.L_model_backward(AL, Y, caches)
    assert np.isfinite(cost) and cost > 10
    assert all(np.isfinite(g).all() for g in grads.values())
    assert grads["dW1"][0, 0] == pytest.approx((1.0 * 1.0 + (0.0 - 1.0) * -1.0) / 2)


def test_bad_input_is_named():
    X, Y, params = _problem()
    with pytest.raises(ValueError, match=r"column layout \(n_x, m\) = \(4, m\).*pass X.T"):
        course.L_model_forward(X.T, params)
    with pytest.raises(ValueError, match="exactly W1, b1, ..., WL, bL"):
        course.L_model_forward(X, {"W1": params["W1"]})
    with pytest.raises(TypeError, match="parameters must be a dict"):
        course.L_model_forward(X, [params["W1"]])
    bad = dict(params, W2=np.zeros((3, 7)))
    with pytest.raises(ValueError, match=r"W2 has shape \(3, 7\) but layer 1 gives 5 values"):
        course.L_model_forward(X, bad)
    AL, caches = course.L_model_forward(X, params)
    with pytest.raises(ValueError, match=r"Y must have shape \(1, m\) = \(1, 20\)"):
        course.compute_cost(AL, Y[:, :5])
    with pytest.raises(ValueError, match="grads has no 'dW1'"):
        course.update_parameters(params, {}, 0.1)
    with pytest.raises(ValueError, match="layer_dims must be a list"):
        course.initialize_parameters_deep([3])
    with pytest.raises(ValueError, match="scale must be a positive number or 'fan_in'"):
        course.initialize_parameters_deep([3, 1], scale="he")
    with pytest.raises(ValueError, match="one activation per layer"):
        course.to_sequential(params, activations=["relu"])
    with pytest.raises(ValueError, match=r"activations\[0\] must be one of"):
        course.to_sequential(params, activations=["swish", "relu", "sigmoid"])
