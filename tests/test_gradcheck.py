"""The gradient checker itself: it passes correct gradients, catches wrong ones, and leaves
the model as it found it."""

import math

import numpy as np
import pytest

from neuralkit import Sequential, gradcheck
from neuralkit.layers import Dense, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from neuralkit.losses import MeanSquaredError


def test_relative_error_is_the_course_formula():
    g, h = np.array([3.0, 4.0]), np.array([3.0, 4.5])
    assert math.isclose(gradcheck.relative_error(g, h), 0.5 / (5.0 + math.hypot(3.0, 4.5)), rel_tol=1e-15)
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradcheck.TOLERANCE == 1e-7


def test_numerical_gradient_of_a_known_function():
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    approx = gradcheck.numerical_gradient(lambda: float(np.sum(np.sin(x) * x)), x)
    np.testing.assert_allclose(approx, np.cos(x) * x + np.sin(x), rtol=1e-8)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_whole_models_pass_and_are_left_unchanged(dtype):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 4))
    for layers, Y in [
        ([Dense(5, input_dim=4), ReLU(), Dense(3), Tanh(), Dense(1), Sigmoid()],
         (rng.uniform(size=6) > 0.5).astype(float)),
        ([Dense(5, input_dim=4), LeakyReLU(0.1), Dense(3), Softmax()], rng.integers(0, 3, 6)),
        ([Dense(2, input_dim=4), Sigmoid()], rng.uniform(size=(6, 2))),  # unfused: compiled MSE below
    ]:
        model = Sequential(layers, seed=1, dtype=dtype)
        if Y.ndim == 2:
            model.compile(loss=MeanSquaredError())
        before = model.get_parameters()
        errors = gradcheck.check_model(model, X, Y)
        assert set(errors) == set(before)
        for key, value in model.get_parameters().items():
            assert value.dtype == np.dtype(dtype)
            np.testing.assert_array_equal(value, before[key])
        assert all(layer.params[name].dtype == np.dtype(dtype)
                   for layer in model.layers for name in layer.params)


def test_check_model_catches_a_wrong_gradient():
    class HalfGradDense(Dense):
        def backward(self, dZ):
            dA = super().backward(dZ)
            self.grads["W"] *= 0.5
            return dA

    rng = np.random.default_rng(1)
    model = Sequential([HalfGradDense(3, input_dim=2), Tanh(), Dense(1)], seed=0)
    with pytest.raises(gradcheck.GradientCheckError, match="W1"):
        gradcheck.check_model(model, rng.standard_normal((5, 2)), rng.standard_normal(5))
    errors = gradcheck.check_model(model, rng.standard_normal((5, 2)), rng.standard_normal(5),
                                   raise_on_failure=False)
    assert errors["W1"] > 0.1 and errors["W2"] < 1e-7


def test_check_loss_catches_a_wrong_gradient():
    class SummedMSE(MeanSquaredError):  # noqa: N818 - a loss, not an exception
        def backward(self):
            return super().backward() * self._Y_hat.shape[0]  # forgot the 1/m

    rng = np.random.default_rng(2)
    with pytest.raises(gradcheck.GradientCheckError, match="SummedMSE"):
        gradcheck.check_loss(SummedMSE(), rng.standard_normal((4, 1)), rng.standard_normal((4, 1)))


def test_check_layer_rejects_1d_input():
    with pytest.raises(ValueError, match="2-D"):
        gradcheck.check_layer(ReLU(), np.ones(3))


@pytest.mark.parametrize("last, loss", [(Softmax, "mse"), (Sigmoid, "categorical_crossentropy"),
                                        (Softmax, "binary_crossentropy")])
def test_unfused_pairings_pass(last, loss):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 4))
    Y = np.eye(3)[rng.integers(0, 3, 6)]
    model = Sequential([Dense(5, input_dim=4), Tanh(), Dense(3), last()], seed=0)
    model.compile(loss=loss)
    assert not model.loss.fuses_with(model.layers[-1])
    errors = gradcheck.check_model(model, X, Y)
    assert set(errors) == {"W1", "b1", "W2", "b2"}
