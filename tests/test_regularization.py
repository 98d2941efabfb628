"""Regularization: the L2 kernel penalty on Dense and the Dropout layer.

Oracles: finite differences (gradcheck), the course's regularized cost and gradients
(tests/course_oracle.py), and twin models without the regularizer.
"""

import numpy as np
import pytest

from neuralkit import Sequential, gradcheck
from neuralkit.layers import Dense, Dropout, ReLU, Sigmoid, Softmax, Tanh
from neuralkit.optimizers import SGD, Adam
from neuralkit.regularizers import L2
from tests import course_oracle as oracle
from tests.helpers import SameDraws, assert_parameters_close, binary_data


def _data(m=24, n=4, seed=0):
    return binary_data(m, n, lambda X: X[:, 0] - X[:, 1], seed)


def _twin(model_fn, params):
    model = model_fn()
    model.set_parameters(params)
    return model


# ---------------------------------------------------------------------- L2
def test_l2_penalty_value_is_l_times_sum_of_squares():
    X, y = _data()
    reg = Sequential([Dense(5, input_dim=4, l2=0.03), ReLU(), Dense(1, kernel_regularizer=L2(0.2)),
                      Sigmoid()], seed=1)
    plain = _twin(lambda: Sequential([Dense(5, input_dim=4), ReLU(), Dense(1), Sigmoid()]),
                  reg.get_parameters())
    W1, W2 = reg.get_parameters()["W1"], reg.get_parameters()["W2"]
    penalty = 0.03 * np.sum(W1 ** 2) + 0.2 * np.sum(W2 ** 2)
    expected = plain.evaluate(X, y, return_dict=True)["loss"] + penalty
    assert reg.evaluate(X, y, return_dict=True)["loss"] == pytest.approx(expected, rel=1e-12)
    assert reg.layers[0].regularization_loss() == pytest.approx(0.03 * np.sum(W1 ** 2), rel=1e-12)


@pytest.mark.parametrize("loss, head", [("binary_crossentropy", lambda: [Dense(1, l2=0.1), Sigmoid()]),
                                        ("mse", lambda: [Dense(2, l2=0.5)]),
                                        ("categorical_crossentropy",
                                         lambda: [Dense(3, kernel_regularizer="l2"), Softmax()])])
def test_l2_gradients_pass_the_finite_difference_check(loss, head):
    X, y = _data(m=10)
    if loss == "mse":
        y = np.column_stack([y, X[:, 2]])
    elif loss == "categorical_crossentropy":
        y = (np.arange(10) % 3).astype(float)
    model = Sequential([Dense(4, input_dim=4, l2=0.05), Tanh(), *head()], seed=3)
    model.compile(loss=loss)
    errors = gradcheck.check_model(model, X, y)
    assert max(errors.values()) < 1e-7 and set(errors) >= {"W1", "W2"}


def test_l2_adds_two_l_w_to_dw_and_nothing_to_db():
    X, y = _data()
    lr, l2 = 0.1, 0.25

    def build(reg):
        return Sequential([Dense(3, input_dim=4, l2=reg), Tanh(), Dense(1), Sigmoid()], seed=5)

    reg, plain = build(l2), build(None)
    start = reg.get_parameters()
    plain.set_parameters(start)
    for model in (reg, plain):
        model.compile(loss="binary_crossentropy", optimizer=SGD(lr))
        model.fit(X, y, epochs=1, batch_size=len(X), shuffle=False, verbose=0)
    # W_reg - W_plain = -lr * (dW + 2 l W) + lr * dW = -lr * 2 l W, from the same start.
    after_reg, after_plain = reg.get_parameters(), plain.get_parameters()
    assert np.allclose(after_reg["W1"] - after_plain["W1"], -lr * 2 * l2 * start["W1"],
                       rtol=1e-10, atol=1e-14)
    for key in ("b1", "W2", "b2"):
        assert np.array_equal(after_reg[key], after_plain[key])


def _course_regularized_step(X, Y, params, lambd, lr):
    """The course's 2-layer (tanh, sigmoid) regularized cost and one gradient step, columns
    (backpropagation from dZ2 = A2 - Y, as the course's week-1 assignment writes it)."""
    activations = ["tanh", "sigmoid"]
    A2, caches = oracle.L_model_forward(X, params, activations)
    cost = oracle.compute_cost(A2, Y, "binary_crossentropy", parameters=params, lambd=lambd)
    grads = oracle.L_model_backward(A2, Y, caches, activations, "binary_crossentropy",
                                    fused_output=True, lambd=lambd)
    return cost, oracle.update_parameters(params, grads, lr)


def test_course_lambda_is_l2_of_lambda_over_2m():
    X, y = _data(m=30)
    m, lambd, lr = len(X), 0.7, 0.5
    l2 = lambd / (2 * m)
    model = Sequential([Dense(4, input_dim=4, l2=l2), Tanh(), Dense(1, l2=l2), Sigmoid()], seed=2)
    model.compile(loss="binary_crossentropy", optimizer=SGD(lr))
    params = model.get_parameters()
    course_cost, course_new = _course_regularized_step(X.T, y.reshape(1, -1), params, lambd, lr)
    history = model.fit(X, y, epochs=1, batch_size=m, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(course_cost, rel=1e-12)
    assert_parameters_close(model, course_new, rtol=1e-12, atol=1e-15)


def test_l2_shrinks_the_weights():
    X, y = _data(m=60)

    def trained_norm(l2):
        model = Sequential([Dense(8, input_dim=4, l2=l2), Tanh(), Dense(1, l2=l2), Sigmoid()], seed=0)
        model.compile(loss="binary_crossentropy", optimizer=Adam(0.05))
        model.fit(X, y, epochs=100, batch_size=20, verbose=0)
        return sum(np.sum(W ** 2) for k, W in model.get_parameters().items() if k[0] == "W")

    assert trained_norm(0.05) < 0.5 * trained_norm(None)


def test_without_regularizer_dense_is_unchanged():
    dense = Dense(3, input_dim=2)
    assert dense.kernel_regularizer is None and dense.regularization_loss() == 0.0
    assert "kernel_regularizer" not in dense.get_config()
    assert Dense(3, l2=0.0).regularization_loss() == 0.0  # unbuilt: no W yet


def test_l2_config_round_trip_and_bad_arguments():
    dense = Dense(3, input_dim=2, l2=0.125)
    config = dense.get_config()
    assert config["kernel_regularizer"] == {"name": "l2", "l2": 0.125}
    clone = Dense.from_config(config)
    assert isinstance(clone.kernel_regularizer, L2) and clone.kernel_regularizer.l2 == 0.125
    with pytest.raises(ValueError, match="either kernel_regularizer or l2, not both"):
        Dense(3, kernel_regularizer=L2(0.1), l2=0.1)
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0; got -0.1"):
        Dense(3, l2=-0.1)
    with pytest.raises(TypeError, match="l2 must be a number"):
        L2("big")
    with pytest.raises(ValueError, match="kernel_regularizer must be None, a Regularizer"):
        Dense(3, kernel_regularizer="l3")


# ---------------------------------------------------------------------- Dropout
def test_dropout_is_the_identity_outside_training():
    A = np.random.default_rng(0).standard_normal((5, 4))
    layer = Dropout(0.5)
    assert np.array_equal(layer.forward(A, training=False), A)
    assert np.array_equal(layer.backward(A), A)
    assert np.array_equal(Dropout(0.0).forward(A, training=True), A)


def test_dropout_mask_statistics_and_inverted_scaling():
    layer = Dropout(0.3)
    layer.rng = np.random.default_rng(1)
    A = np.full((400, 250), 2.0)
    out = layer.forward(A, training=True)
    dropped = np.mean(out == 0)
    assert abs(dropped - 0.3) < 0.01  # 100,000 draws: the standard deviation is 0.0015
    assert np.allclose(out[out != 0], 2.0 / 0.7)  # kept units scaled by 1 / keep_prob
    assert abs(out.mean() - 2.0) < 0.05  # the expectation is preserved


def test_dropout_backward_uses_the_forward_mask():
    layer = Dropout(0.5)
    layer.rng = np.random.default_rng(2)
    ones = np.ones((6, 7))
    D = layer.forward(ones, training=True)  # the mask itself
    dA = np.random.default_rng(3).standard_normal((6, 7))
    assert np.array_equal(layer.backward(dA), dA * D)
    assert set(np.unique(D)) == {0.0, 2.0}


def test_dropout_gradient_checks_alone_and_in_a_model():
    layer = Dropout(0.4)
    layer.rng = SameDraws(0)
    errors = gradcheck.check_layer(layer, np.random.default_rng(0).standard_normal((6, 5)))
    assert errors["X"] < 1e-7
    X, y = _data(m=12)
    model = Sequential([Dense(6, input_dim=4, l2=0.01), ReLU(), Dropout(0.5), Dense(1), Sigmoid()],
                       seed=4)
    model.layers[2].rng = SameDraws(1)
    errors = gradcheck.check_model(model, X, y)
    assert max(errors.values()) < 1e-7


def test_dropout_is_seeded_by_the_model():
    X, y = _data(m=40)

    def train(seed):
        model = Sequential([Dense(8, input_dim=4), ReLU(), Dropout(0.5), Dense(1), Sigmoid()],
                           seed=seed)
        model.fit(X, y, epochs=3, batch_size=8, verbose=0)
        return model.get_parameters()

    a, b, c = train(0), train(0), train(1)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not all(np.array_equal(a[k], c[k]) for k in a)


def test_dropout_is_off_in_predict_and_evaluate():
    X, y = _data()
    with_dropout = Sequential([Dense(5, input_dim=4), ReLU(), Dropout(0.9), Dense(1), Sigmoid()],
                              seed=0)
    without = _twin(lambda: Sequential([Dense(5, input_dim=4), ReLU(), Dense(1), Sigmoid()]),
                    with_dropout.get_parameters())
    assert np.array_equal(with_dropout.predict(X), without.predict(X))
    assert with_dropout.evaluate(X, y, return_dict=True) == without.evaluate(X, y, return_dict=True)


def test_dropout_keeps_float32():
    layer = Dropout(0.5)
    layer.rng = np.random.default_rng(0)
    A = np.ones((3, 4), dtype=np.float32)
    assert layer.forward(A, training=True).dtype == np.float32
    assert layer.backward(A).dtype == np.float32


@pytest.mark.parametrize("rate, error", [(1.0, ValueError), (-0.1, ValueError), ("half", TypeError),
                                         (True, TypeError)])
def test_dropout_bad_rate(rate, error):
    with pytest.raises(error, match="rate must be"):
        Dropout(rate)


def test_dropout_config():
    layer = Dropout(0.25, name="drop")
    assert layer.get_config() == {"name": "drop", "rate": 0.25}
    assert Dropout.from_config(layer.get_config()).rate == 0.25
