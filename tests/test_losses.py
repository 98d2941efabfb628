"""Losses: gradients against finite differences, values against hand formulas and the course's
(tests/course_oracle.py), the fused output paths (exact dZ = (A - Y) / m, finite at logits of
+-1000) and clipping."""

import math
import warnings

import numpy as np
import pytest

from neuralkit import Sequential, gradcheck, losses
from neuralkit.layers import Dense, Linear, Sigmoid, Softmax
from neuralkit.losses import BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError
from tests import course_oracle as oracle
from tests.helpers import Spy

_sigmoid = oracle.sigmoid


def _softmax(Z):
    """The course's softmax of each row (samples as rows)."""
    return oracle.softmax(Z, axis=1)


# ---------------------------------------------------------------------- gradient checks
def test_mse_gradcheck():
    rng = np.random.default_rng(0)
    gradcheck.check_loss(MeanSquaredError(), rng.standard_normal((6, 3)), rng.standard_normal((6, 3)))


@pytest.mark.parametrize("soft", [False, True])
def test_bce_gradcheck(soft):
    rng = np.random.default_rng(1)
    A = rng.uniform(0.05, 0.95, (6, 2))
    Y = rng.uniform(0, 1, (6, 2)) if soft else (rng.uniform(size=(6, 2)) > 0.5).astype(float)
    gradcheck.check_loss(BinaryCrossEntropy(), A, Y)


@pytest.mark.parametrize("labels", [False, True])
def test_cce_gradcheck(labels):
    rng = np.random.default_rng(2)
    A = _softmax(rng.standard_normal((6, 4)))
    y = rng.integers(0, 4, 6)
    Y = y if labels else np.eye(4)[y]
    gradcheck.check_loss(CategoricalCrossEntropy(), A, Y)


@pytest.mark.parametrize("loss, link",
                         [(BinaryCrossEntropy(), _sigmoid), (CategoricalCrossEntropy(), _softmax)],
                         ids=["bce", "cce"])
def test_fused_logit_gradients_against_finite_differences(loss, link):
    rng = np.random.default_rng(3)
    Z = rng.standard_normal((5, 3)) * 2
    if isinstance(loss, BinaryCrossEntropy):
        Y = (rng.uniform(size=Z.shape) > 0.5).astype(float)
    else:
        Y = np.eye(3)[rng.integers(0, 3, 5)]
    value = loss.forward_logits(Z, Y)
    dZ = loss.backward_logits()
    approx = gradcheck.numerical_gradient(lambda: loss.forward_logits(Z, Y), Z)
    assert gradcheck.relative_error(dZ, approx) < 1e-7
    # The fused value is the unfused formula on A = link(Z).
    A = link(Z)
    if isinstance(loss, BinaryCrossEntropy):
        expected = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
        np.testing.assert_allclose(dZ, (A - Y) / Z.size, rtol=1e-12, atol=1e-17)
    else:
        expected = -np.sum(Y * np.log(A)) / Z.shape[0]
        np.testing.assert_allclose(dZ, (A - Y) / Z.shape[0], rtol=1e-12, atol=1e-17)
    assert math.isclose(value, expected, rel_tol=1e-12)


# ---------------------------------------------------------------------- values
def test_mse_is_the_seed_movie_rating_cost():
    # The seed's worked example: AL = [4.5, 3.0, 4.8], Y = [5, 3, 5].
    value = MeanSquaredError().forward(np.array([[4.5], [3.0], [4.8]]), np.array([[5.0], [3.0], [5.0]]))
    assert math.isclose(value, ((4.5 - 5) ** 2 + 0.0 + (4.8 - 5) ** 2) / 3, rel_tol=1e-14)


def test_mse_averages_over_outputs_too():
    Y_hat = np.array([[1.0, 2.0], [3.0, 4.0]])
    Y = np.array([[0.0, 0.0], [1.0, 1.0]])
    assert math.isclose(MeanSquaredError().forward(Y_hat, Y), (1 + 4 + 4 + 9) / 4, rel_tol=1e-15)
    loss = MeanSquaredError()
    loss.forward(Y_hat, Y)
    np.testing.assert_allclose(loss.backward(), 2 * (Y_hat - Y) / 4, rtol=1e-15)


def test_bce_value_by_hand():
    a = [0.9, 0.2, 0.6, 0.35]
    y = [1, 0, 0, 1]
    expected = -sum(yi * math.log(ai) + (1 - yi) * math.log(1 - ai) for ai, yi in zip(a, y, strict=True)) / 4
    value = BinaryCrossEntropy().forward(np.array(a)[:, None], np.array(y, float)[:, None])
    assert math.isclose(value, expected, rel_tol=1e-14)


def test_cce_value_by_hand_and_integer_labels():
    A = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.25, 0.5, 0.25]])
    y = np.array([0, 2, 1])
    expected = -(math.log(0.7) + math.log(0.6) + math.log(0.5)) / 3
    assert math.isclose(CategoricalCrossEntropy().forward(A, np.eye(3)[y]), expected, rel_tol=1e-14)
    loss = CategoricalCrossEntropy()
    assert math.isclose(loss.forward(A, y), expected, rel_tol=1e-14)
    np.testing.assert_allclose(loss.backward(), -np.eye(3)[y] / (A * 3), rtol=1e-15)
    Z = np.log(A)  # softmax(log A) = A: the fused path accepts labels too
    assert math.isclose(CategoricalCrossEntropy().forward_logits(Z, y), expected, rel_tol=1e-12)


def test_backward_before_forward():
    for loss in (MeanSquaredError(), BinaryCrossEntropy(), CategoricalCrossEntropy()):
        with pytest.raises(RuntimeError, match=type(loss).__name__):
            loss.backward()


def test_losses_by_name():
    assert isinstance(losses.get("mse"), MeanSquaredError)
    assert isinstance(losses.get("binary_crossentropy"), BinaryCrossEntropy)
    assert isinstance(losses.get("categorical_crossentropy"), CategoricalCrossEntropy)
    with pytest.raises(ValueError, match="loss must be"):
        losses.get("hinge")


# ---------------------------------------------------------------------- fused paths in a model
def _model_with_spy(units, activation, loss, seed=0):
    model = Sequential([Dense(units, input_dim=3), Spy(), activation], seed=seed)
    model.compile(loss=loss, optimizer="sgd")
    return model


def test_sigmoid_bce_hands_exact_dz_to_the_layer_before():
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((8, 3)), (rng.uniform(size=8) > 0.5).astype(float)
    model = _model_with_spy(1, Sigmoid(), "binary_crossentropy")
    model.fit(X, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    spy = model.layers[1]
    Z = spy.seen_forward
    np.testing.assert_allclose(spy.seen_backward, (_sigmoid(Z) - y[:, None]) / 8, rtol=1e-14, atol=1e-17)


def test_softmax_cce_hands_exact_dz_to_the_layer_before():
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((8, 3)), rng.integers(0, 4, 8)
    model = _model_with_spy(4, Softmax(), "categorical_crossentropy")
    model.fit(X, np.eye(4)[y], epochs=1, batch_size=8, shuffle=False, verbose=0)
    spy = model.layers[1]
    Z = spy.seen_forward
    np.testing.assert_allclose(spy.seen_backward, (_softmax(Z) - np.eye(4)[y]) / 8, rtol=1e-14, atol=1e-17)


def _saturating_model(units, activation, loss):
    # W puts logits at exactly +-1000 for the inputs below.
    model = _model_with_spy(units, activation, loss)
    W = np.zeros((units, 3))
    W[:, 0] = 1000.0 * np.array([1.0, -1.0, 0.5, -0.5][:units])
    model.set_parameters({"W1": W, "b1": np.zeros(units)})
    return model


def test_sigmoid_bce_at_logits_pm_1000():
    X = np.array([[1.0, 0, 0], [-1.0, 0, 0], [1.0, 0, 0], [-1.0, 0, 0]])
    y = np.array([1.0, 1.0, 0.0, 0.0])
    model = _saturating_model(1, Sigmoid(), "binary_crossentropy")
    Z = np.array([1000.0, -1000.0, 1000.0, -1000.0])
    # log(1 + exp(Z)) - y Z by hand: 0, 1000, 1000, 0 (exp(-1000) is below double precision).
    expected = (0 + 1000 + 1000 + 0) / 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.evaluate(X, y, return_dict=True)["loss"] == expected
        history = model.fit(X, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    assert history.history["loss"] == [expected]
    dZ = model.layers[1].seen_backward
    np.testing.assert_array_equal(dZ[:, 0], (np.array([1.0, 0.0, 1.0, 0.0]) - y) / 4)
    assert np.isfinite(model.layers[0].params["W"]).all()
    np.testing.assert_array_equal(model.layers[1].seen_forward[:, 0], Z)


def test_softmax_cce_at_logits_pm_1000():
    X = np.array([[1.0, 0, 0], [-1.0, 0, 0]])
    y = np.array([1, 1])  # integer labels: the first row is wrong by 2000, the second right
    model = _saturating_model(2, Softmax(), "categorical_crossentropy")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = model.evaluate(X, y, return_dict=True)
        history = model.fit(X, y, epochs=1, batch_size=2, shuffle=False, verbose=0)
    # logsumexp(1000, -1000) - Z_label: 2000 for row 0, 0 for row 1.
    assert result["loss"] == 1000.0
    assert history.history["loss"] == [1000.0]
    np.testing.assert_array_equal(model.layers[1].seen_backward, [[0.5, -0.5], [0.0, 0.0]])


def test_epsilon_is_documented_and_used_unfused():
    assert losses.EPSILON == 1e-7
    assert "1e-7" in (losses.__doc__ or "") + (BinaryCrossEntropy.__doc__ or "") or "EPSILON" in (
        BinaryCrossEntropy.__doc__ or "")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bce = BinaryCrossEntropy()
        value = bce.forward(np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]]))
        assert math.isclose(value, -math.log(1e-7), rel_tol=1e-9)
        assert np.isfinite(bce.backward()).all()
        cce = CategoricalCrossEntropy()
        value = cce.forward(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))
        assert math.isclose(value, -math.log(1e-7), rel_tol=1e-12)
        assert np.isfinite(cce.backward()).all()


def test_unfused_pairing_in_a_model_clips():
    # Softmax followed by binary cross-entropy is not fused: probabilities of exactly 0 and 1
    # are clipped to [EPSILON, 1 - EPSILON].
    model = _saturating_model(2, Softmax(), "binary_crossentropy")
    X = np.array([[1.0, 0, 0]])  # A = [1, 0]
    Y = np.array([[0.0, 1.0]])
    a = np.clip(np.array([1.0, 0.0]), 1e-7, 1 - 1e-7)
    expected = -np.mean(Y[0] * np.log(a) + (1 - Y[0]) * np.log(1 - a))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isclose(model.evaluate(X, Y, return_dict=True)["loss"], expected, rel_tol=1e-9)
        history = model.fit(X, Y, epochs=1, batch_size=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert np.isfinite(model.layers[0].params["W"]).all()


def test_unfused_mse_after_sigmoid_uses_the_activation_backward():
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((8, 3)), rng.uniform(size=8)
    model = _model_with_spy(1, Sigmoid(), "mse")
    model.fit(X, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    spy = model.layers[1]
    A = _sigmoid(spy.seen_forward)
    np.testing.assert_allclose(spy.seen_backward, 2 * (A - y[:, None]) / 8 * A * (1 - A), rtol=1e-12)


def test_linear_output_with_mse_passes_model_gradcheck():
    rng = np.random.default_rng(7)
    model = Sequential([Dense(3, input_dim=2), Sigmoid(), Dense(2), Linear()], seed=0)
    model.compile(loss="mse")
    errors = gradcheck.check_model(model, rng.standard_normal((5, 2)), rng.standard_normal((5, 2)))
    assert set(errors) == {"W1", "b1", "W2", "b2"}
