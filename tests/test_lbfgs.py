"""LBFGS: the flat-vector objective against finite differences, and fit against exact optima."""

import numpy as np
import pytest
from scipy.optimize import minimize

from neuralkit import Sequential
from neuralkit.callbacks import Callback
from neuralkit.gradcheck import numerical_gradient, relative_error
from neuralkit.layers import Dense, LeakyReLU, Sigmoid, Softmax, Tanh
from neuralkit.optimizers import LBFGS
from neuralkit.training.step import GradientStep
from tests import course_oracle as oracle


def _flat(model, X, Y):
    """The objective exactly as fit(optimizer=LBFGS) builds it."""
    loss = model._resolved_loss()
    X, Y = model._check_xy(X, Y, loss)
    model._build_layers(X.shape[1:])
    step = GradientStep(model.layers, loss)
    layers = [layer for layer in model.layers if layer.params]
    return LBFGS.flat_objective(layers, lambda: step.gradients(X, Y)[0])


@pytest.mark.parametrize("layers, loss, n_out", [
    (lambda: [Dense(5), Tanh(), Dense(3), LeakyReLU(0.1), Dense(1), Sigmoid()], "binary_crossentropy", 1),
    (lambda: [Dense(4), Tanh(), Dense(3), Softmax()], "categorical_crossentropy", 3),
    (lambda: [Dense(4), Sigmoid(), Dense(2)], "mse", 2),
])
def test_flat_gradient_matches_central_differences(layers, loss, n_out):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((7, 3))
    Y = rng.integers(0, 2, (7, 1)) if n_out == 1 else (
        np.eye(3)[rng.integers(0, 3, 7)] if loss == "categorical_crossentropy" else
        rng.standard_normal((7, 2)))
    model = Sequential(layers(), seed=1)
    model.compile(loss=loss)
    theta0, fun = _flat(model, X, Y)
    assert theta0.shape == (model.count_params(),)
    theta = theta0 + 0.1 * rng.standard_normal(theta0.shape)   # away from the initial point
    _, analytic = fun(theta)
    analytic = analytic.copy()
    approx = numerical_gradient(lambda: fun(theta)[0], theta)
    assert relative_error(analytic, approx) < 1e-7


def test_flat_vector_lays_parameters_end_to_end_in_model_order():
    model = Sequential([Dense(3, input_dim=2), Tanh(), Dense(1)], seed=0)
    theta0, fun = _flat(model, np.zeros((2, 2)), np.zeros((2, 1)))
    p = model.get_parameters()
    expected = np.concatenate([p["W1"].ravel(), p["b1"].ravel(), p["W2"].ravel(), p["b2"].ravel()])
    np.testing.assert_array_equal(theta0, expected)
    fun(np.arange(theta0.size, dtype=float))                    # writes theta into the layers
    np.testing.assert_array_equal(model.get_parameters()["W1"], np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(model.get_parameters()["b2"], [[12.0]])


def test_least_squares_reaches_the_normal_equations_solution():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.3 + 0.1 * rng.standard_normal(50)
    model = Sequential([Dense(1)], seed=0)
    model.compile(loss="mse", optimizer=LBFGS(tol=1e-12))
    model.fit(X, y, verbose=0)
    coef, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(50)]), y, rcond=None)
    p = model.get_parameters()
    np.testing.assert_allclose(np.r_[p["W1"].ravel(), p["b1"].ravel()], coef, atol=1e-6)


def test_logistic_regression_matches_scipy_on_a_procedural_loss():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((80, 2))
    y = (X[:, 0] - X[:, 1] + rng.standard_normal(80) > 0).astype(float)   # not separable

    def cost(w):  # the course's J = -1/m sum(y log a + (1 - y) log(1 - a)) and its gradient
        params = {"W1": w[None, :2], "b1": w[2:]}
        a, caches = oracle.L_model_forward(X, params, ["sigmoid"], layout="rows")
        J = oracle.compute_cost(a, y[:, None], layout="rows")
        grads = oracle.L_model_backward(a, y[:, None], caches, ["sigmoid"], fused_output=True,
                                        layout="rows")
        return J, np.r_[grads["dW1"].ravel(), grads["db1"]]

    ref = minimize(cost, np.zeros(3), jac=True, method="BFGS", options={"gtol": 1e-10})
    model = Sequential([Dense(1), Sigmoid()], seed=0)
    model.compile(optimizer="lbfgs")
    history = model.fit(X, y, verbose=0)
    p = model.get_parameters()
    np.testing.assert_allclose(np.r_[p["W1"].ravel(), p["b1"].ravel()], ref.x, atol=1e-4)
    assert history.history["loss"][-1] == pytest.approx(ref.fun, abs=1e-9)


def test_history_has_one_entry_per_iteration_with_metrics_and_validation():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((60, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    model = Sequential([Dense(8), Tanh(), Dense(1), Sigmoid()], seed=0)
    optimizer = LBFGS(max_iter=15)
    model.compile(optimizer=optimizer, metrics=["accuracy"])
    history = model.fit(X[:40], y[:40], validation_data=(X[40:], y[40:]), verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["loss"]) == optimizer.result_.nit <= 15
    assert history.history["loss"][-1] < history.history["loss"][0]
    # the reported accuracy is that of the parameters left in the model
    final = np.mean((model.predict(X[:40])[:, 0] > 0.5) == y[:40])
    assert history.history["accuracy"][-1] == pytest.approx(final)


def test_a_callback_can_stop_lbfgs():
    class StopAt3(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                self.model.stop_training = True

    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((30, 2)), rng.standard_normal(30)
    model = Sequential([Dense(4), Tanh(), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer=LBFGS(max_iter=100))
    history = model.fit(X, y, verbose=0, callbacks=[StopAt3()])
    assert len(history.history["loss"]) == 3


def test_lbfgs_beats_plain_sgd_at_equal_gradient_evaluations():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (200, 1))
    y = np.sin(2 * X[:, 0])
    losses = {}
    for name, optimizer, epochs in (("lbfgs", LBFGS(max_iter=150), 1), ("sgd", "sgd", 150)):
        model = Sequential([Dense(16), Tanh(), Dense(1)], seed=0)
        model.compile(loss="mse", optimizer=optimizer)
        model.fit(X, y, epochs=epochs, batch_size=200, verbose=0)
        losses[name] = model.evaluate(X, y, return_dict=True)["loss"]
    assert losses["lbfgs"] < 0.1 * losses["sgd"]


def test_bad_settings_and_per_batch_use_are_refused():
    with pytest.raises(ValueError, match="max_iter must be an integer >= 1; got 0"):
        LBFGS(max_iter=0)
    with pytest.raises(ValueError, match="tol must be a finite number >= 0"):
        LBFGS(tol=-1.0)
    with pytest.raises(TypeError, match="does not take per-batch steps"):
        LBFGS().step([("w", np.zeros(2), np.ones(2))])


def test_sklearn_estimator_with_lbfgs_has_no_partial_fit():
    from neuralkit.sklearn import NeuralKitClassifier

    rng = np.random.default_rng(4)
    X = rng.standard_normal((100, 2))
    y = np.where(X[:, 0] + X[:, 1] > 0, "pos", "neg")
    clf = NeuralKitClassifier(hidden_layer_sizes=(8,), optimizer="lbfgs", epochs=100,
                              random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95 and 0 < clf.n_iter_ <= 100
    assert not hasattr(clf, "partial_fit")


def test_the_example_shows_lbfgs_ahead_of_sgd_and_adam(run_example):
    import re

    out = run_example("lbfgs_vs_sgd.py", warnings_as_errors=True)
    train = {name: float(mse) for name, mse in
             re.findall(r"^(L-BFGS|SGD|Adam)\S*\s+(?:lr=\S+\s+)?(\d+\.\d+)", out, flags=re.M)}
    assert set(train) == {"L-BFGS", "SGD", "Adam"}, out
    assert train["L-BFGS"] < train["Adam"] < train["SGD"]
    assert train["L-BFGS"] < 0.003                  # at the noise floor (variance 0.0025)
