"""Optimizers against procedural reference implementations of their update rules, over several
steps with changing gradients; construction checks; a user's optimizer; the course's batch
gradient descent number for number."""

import math

import numpy as np
import pytest

from neuralkit import Sequential, optimizers
from neuralkit.layers import Dense, Linear
from neuralkit.optimizers import SGD, Adam, Optimizer, RMSprop
from tests import course_oracle as oracle
from tests.helpers import assert_parameters_close

STEPS = 7


def _gradient_sequence(shapes, seed=0):
    """STEPS lists of gradients, one per parameter, different at every step (some signs flip)."""
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s) * (1 + t) * (-1) ** t for s in shapes] for t in range(STEPS)]


def _run(optimizer, params, grads_per_step):
    """Step the optimizer over two parameters; return their values after every step."""
    params = [p.copy() for p in params]
    trace = []
    for grads in grads_per_step:
        optimizer.step((f"p{i}", p, g) for i, (p, g) in enumerate(zip(params, grads, strict=True)))
        trace.append([p.copy() for p in params])
    return trace


def _reference(update, init_state, params, grads_per_step):
    """A procedural loop: per parameter, state starts fresh, t counts steps from 1."""
    params = [p.copy() for p in params]
    states = [init_state(p) for p in params]
    trace = []
    for t, grads in enumerate(grads_per_step, start=1):
        for i, g in enumerate(grads):
            params[i] = update(params[i], g, states[i], t)
        trace.append([p.copy() for p in params])
    return trace


def _compare(trace, ref, rtol=1e-13):
    assert len(trace) == len(ref) == STEPS
    for got_step, ref_step in zip(trace, ref, strict=True):
        for got, want in zip(got_step, ref_step, strict=True):
            np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-15)


SHAPES = [(3, 4), (3,)]


def _params():
    rng = np.random.default_rng(42)
    return [rng.standard_normal(s) for s in SHAPES]


# ---------------------------------------------------------------------- reference comparisons
def test_plain_sgd():
    lr = 0.05

    def update(w, g, state, t):
        return w - lr * g

    grads = _gradient_sequence(SHAPES)
    _compare(_run(SGD(lr), _params(), grads), _reference(update, lambda p: {}, _params(), grads), rtol=1e-15)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(nesterov):
    lr, mu = 0.05, 0.9

    def update(w, g, state, t):
        # SGD's docstring: v := mu v - lr dW;  W := W + v  (nesterov: W := W + mu v - lr dW)
        state["v"] = mu * state["v"] - lr * g
        return w + mu * state["v"] - lr * g if nesterov else w + state["v"]

    grads = _gradient_sequence(SHAPES, seed=1)
    _compare(_run(SGD(lr, momentum=mu, nesterov=nesterov), _params(), grads),
             _reference(update, lambda p: {"v": np.zeros_like(p)}, _params(), grads))


def test_sgd_momentum_equals_pytorch_form_for_fixed_lr():
    # PyTorch: b := mu b + g;  W := W - lr b  (nesterov: W := W - lr (g + mu b)).
    lr, mu = 0.03, 0.8
    for nesterov in (False, True):
        def update(w, g, state, t, nesterov=nesterov):
            state["b"] = mu * state["b"] + g if t > 1 else g.copy()
            step = g + mu * state["b"] if nesterov else state["b"]
            return w - lr * step

        grads = _gradient_sequence(SHAPES, seed=2)
        _compare(_run(SGD(lr, momentum=mu, nesterov=nesterov), _params(), grads),
                 _reference(update, lambda p: {"b": np.zeros_like(p)}, _params(), grads), rtol=1e-12)


def test_rmsprop():
    lr, rho, eps = 0.01, 0.9, 1e-7

    def update(w, g, state, t):
        # PyTorch's RMSprop: s := rho s + (1 - rho) g^2;  W := W - lr g / (sqrt(s) + eps)
        state["s"] = rho * state["s"] + (1 - rho) * g * g
        return w - lr * g / (np.sqrt(state["s"]) + eps)

    grads = _gradient_sequence(SHAPES, seed=3)
    _compare(_run(RMSprop(lr, rho=rho, epsilon=eps), _params(), grads),
             _reference(update, lambda p: {"s": np.zeros_like(p)}, _params(), grads), rtol=1e-12)


@pytest.mark.parametrize("eps", [1e-8, 0.5])
def test_adam(eps):
    lr, b1, b2 = 0.01, 0.9, 0.999

    def update(w, g, state, t):
        # Kingma & Ba, Algorithm 1, epsilon added to sqrt(v_hat) (PyTorch's Adam).
        state["m"] = b1 * state["m"] + (1 - b1) * g
        state["v"] = b2 * state["v"] + (1 - b2) * g**2
        m_hat = state["m"] / (1 - b1**t)
        v_hat = state["v"] / (1 - b2**t)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps)

    grads = _gradient_sequence(SHAPES, seed=4)
    init = lambda p: {"m": np.zeros_like(p), "v": np.zeros_like(p)}  # noqa: E731
    _compare(_run(Adam(lr, epsilon=eps), _params(), grads), _reference(update, init, _params(), grads),
             rtol=1e-12)


def test_adam_first_step_is_lr_times_sign():
    # With bias correction, step 1 moves every weight by lr * g / (|g| + eps) ~ lr * sign(g).
    w = np.array([1.0, 1.0, 1.0])
    g = np.array([3.0, -0.5, 1e-3])
    Adam(0.1, epsilon=1e-8).step([("w", w, g)])
    np.testing.assert_allclose(w, 1.0 - 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-13)


def test_state_is_per_parameter_and_iterations_count():
    opt = Adam()
    a, b = np.zeros(2), np.zeros(3)
    for _ in range(3):
        opt.step([("a", a, np.ones(2)), ("b", b, np.ones(3))])
    assert opt.iterations == 3
    assert set(opt.state) == {"a", "b"}
    assert opt.state["a"]["m"].shape == (2,) and opt.state["b"]["v"].shape == (3,)


# ---------------------------------------------------------------------- construction
@pytest.mark.parametrize("cls", [SGD, RMSprop, Adam])
@pytest.mark.parametrize("lr", [0.0, -0.01, float("nan"), float("inf")])
def test_learning_rate_must_be_positive(cls, lr):
    with pytest.raises(ValueError, match=r"learning_rate must be a finite number > 0; got"):
        cls(learning_rate=lr)


@pytest.mark.parametrize("cls", [SGD, RMSprop, Adam])
def test_learning_rate_must_be_a_number(cls):
    with pytest.raises(TypeError, match="learning_rate must be a number"):
        cls(learning_rate="0.01")


def test_other_hyperparameters_are_checked():
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=1.5)
    with pytest.raises(ValueError, match="nesterov"):
        SGD(nesterov=True)
    with pytest.raises(ValueError, match="beta_1"):
        Adam(beta_1=1.0)
    with pytest.raises(ValueError, match="rho"):
        RMSprop(rho=-0.1)
    with pytest.raises(ValueError, match="epsilon"):
        Adam(epsilon=0.0)


def test_defaults_and_names():
    assert (SGD().learning_rate, SGD().momentum, SGD().nesterov) == (0.01, 0.0, False)
    r = RMSprop()
    assert (r.learning_rate, r.rho, r.epsilon) == (0.001, 0.9, 1e-7)
    a = Adam()
    assert (a.learning_rate, a.beta_1, a.beta_2, a.epsilon) == (0.001, 0.9, 0.999, 1e-8)
    for name, cls in [("sgd", SGD), ("rmsprop", RMSprop), ("adam", Adam)]:
        assert type(optimizers.get(name)) is cls
    with pytest.raises(ValueError, match=r"optimizer must be.*did you mean 'adagrad'"):
        optimizers.get("adagard")


def test_docstrings_state_the_update_rule():
    assert "W := W - learning_rate * dW" in SGD.__doc__
    assert "sqrt(s) + epsilon" in RMSprop.__doc__
    assert "sqrt(v_hat) + epsilon" in Adam.__doc__


# ---------------------------------------------------------------------- a user's optimizer
class SignSGD(Optimizer):
    """W := W - learning_rate * sign(dW)."""

    def update(self, param, grad, state):
        state["count"] = state.get("count", 0) + 1
        param -= self.learning_rate * np.sign(grad)


def test_user_optimizer_in_fit():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((6, 2)), rng.standard_normal((6, 1))
    model = Sequential([Dense(1, input_dim=2), Linear()], seed=0)
    model.compile(loss="mse", optimizer=SignSGD(0.1))
    start = model.get_parameters()
    model.fit(X, Y, epochs=1, batch_size=6, verbose=0)
    # One step of batch sign-descent on MSE: the course's gradient, in its columns layout.
    AL, caches = oracle.L_model_forward(X.T, start, ["linear"])
    grads = oracle.L_model_backward(AL, Y.T, caches, ["linear"], "mse")
    params = model.get_parameters()
    np.testing.assert_allclose(params["W1"], start["W1"] - 0.1 * np.sign(grads["dW1"]), rtol=1e-15)
    np.testing.assert_allclose(params["b1"], start["b1"] - 0.1 * np.sign(grads["db1"]), rtol=1e-15)
    assert model.optimizer.iterations == 1
    assert all(s["count"] == 1 for s in model.optimizer.state.values())


# ---------------------------------------------------------------------- the course's batch GD
def test_seed_worked_example():
    W, b = np.array([0.5]), np.array([0.1])
    SGD(learning_rate=0.01).step([("W", W, np.array([-0.2])), ("b", b, np.array([0.05]))])
    assert math.isclose(W[0], 0.502, rel_tol=1e-15)
    assert math.isclose(b[0], 0.0995, rel_tol=1e-15)


@pytest.mark.parametrize("batch_size", [10, 32])
def test_plain_sgd_with_full_batch_is_course_batch_gradient_descent(batch_size):
    rng = np.random.default_rng(5)
    X, Y = rng.standard_normal((10, 3)), rng.standard_normal((10, 2))
    model = Sequential([Dense(2, input_dim=3), Linear()], seed=0)
    model.compile(loss="mse", optimizer=SGD(learning_rate=0.1))
    # The course's batch gradient descent, columns layout: A_prev (n_x, m); cost
    # (1/(m n_y)) sum((Z - Y)^2).
    p, _ = oracle.L_layer_model(X.T, Y.T, model.get_parameters(), 0.1, 5, ["linear"], "mse")
    model.fit(X, Y, epochs=5, batch_size=batch_size, verbose=0)
    assert_parameters_close(model.get_parameters(), p, rtol=1e-13)
