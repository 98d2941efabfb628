"""BatchNormalization, the layer alone: its formulas written out, PyTorch's batch_norm in
training and eval mode, the looped twin, finite differences, dtypes, edge cases and argument
checks. Fit, saving, L-BFGS and ONNX are in tests/test_batchnorm_training.py."""

import ast
import inspect
import textwrap

import numpy as np
import pytest
import torch

from neuralkit import Sequential, gradcheck
from neuralkit.layers import BatchNormalization, Dense, ReLU
from neuralkit.reference import LoopBatchNormalization
from neuralkit.reference import normalization as looped

RTOL = 1e-12


def _built(shape, cls=BatchNormalization, seed=0, dtype="float64", **kwargs):
    """A layer built for examples of ``shape`` with random gamma, beta and moving statistics."""
    layer = cls(**kwargs)
    layer.dtype = np.dtype(dtype)
    layer._ensure_built(shape)
    rng = np.random.default_rng(seed)
    channels = layer.state["moving_mean"].shape[0]
    values = {"gamma": rng.uniform(0.5, 2.0, channels), "beta": rng.standard_normal(channels),
              "moving_mean": rng.standard_normal(channels),
              "moving_variance": rng.uniform(0.2, 3.0, channels)}
    layer.set_weights([values[k] for k in (*layer.params, *layer.state)])
    return layer


def _build(layer):
    layer._ensure_built(layer.input_shape)  # a model builds its first layer; alone, this does
    return layer


def _close(actual, expected, rtol=RTOL):
    """Relative agreement, measured against the largest magnitude of ``expected``."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    scale = max(float(np.max(np.abs(expected))), 1e-300)
    assert float(np.max(np.abs(actual - expected))) <= rtol * scale


def _keras_formula(x, gamma, beta, moving_mean, moving_variance, momentum, epsilon):
    """Keras 3's training step, procedurally, channels last: output and new moving statistics."""
    axes = tuple(range(x.ndim - 1))
    mean = x.mean(axis=axes)
    var = ((x - mean) ** 2).mean(axis=axes)
    y = gamma * (x - mean) / np.sqrt(var + epsilon) + beta
    return (y, moving_mean * momentum + mean * (1 - momentum),
            moving_variance * momentum + var * (1 - momentum))


SHAPES = [(7, 3), (4, 5, 6, 3)]  # a Dense output (m, C), images (m, H, W, C)


# ---------------------------------------------------------------- the formulas
@pytest.mark.parametrize("shape", SHAPES)
def test_training_forward_and_moving_statistics_follow_keras(shape):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape) * 3 + 2
    layer = _built(shape[1:], momentum=0.9, epsilon=1e-3)
    gamma, beta, mm, mv = layer.get_weights()
    y = layer.forward(x, training=True)
    expected, new_mean, new_var = _keras_formula(x, gamma, beta, mm, mv, 0.9, 1e-3)
    _close(y, expected)
    assert np.array_equal(layer.state["moving_mean"], mm)  # not before after_update
    layer.after_update()
    _close(layer.state["moving_mean"], new_mean)
    _close(layer.state["moving_variance"], new_var)
    before = layer.get_weights()
    layer.after_update()  # no second move without a new training pass
    assert all(np.array_equal(a, b) for a, b in zip(before, layer.get_weights(), strict=True))


@pytest.mark.parametrize("shape", SHAPES)
def test_inference_uses_the_moving_statistics_and_moves_nothing(shape):
    x = np.random.default_rng(2).standard_normal(shape)
    layer = _built(shape[1:])
    gamma, beta, mm, mv = layer.get_weights()
    _close(layer.forward(x, training=False), gamma * (x - mm) / np.sqrt(mv + 1e-3) + beta)
    layer.after_update()
    assert np.array_equal(layer.state["moving_mean"], mm)


def test_statistics_are_per_channel_over_every_other_axis():
    x = np.random.default_rng(3).standard_normal((5, 4, 4, 2)) * [1.0, 10.0] + [0.0, 50.0]
    y = _build(BatchNormalization(epsilon=1e-9, input_shape=(4, 4, 2))).forward(x, True)
    assert np.allclose(y.mean(axis=(0, 1, 2)), 0, atol=1e-14)
    assert np.allclose(y.var(axis=(0, 1, 2)), 1, atol=1e-8)


# ---------------------------------------------------------------- PyTorch
def _torch_layout(a):
    return torch.tensor(np.ascontiguousarray(np.moveaxis(a, -1, 1)))


@pytest.mark.parametrize("shape", SHAPES)
def test_training_mode_matches_torch_batch_norm(shape):
    """Output, dx, dgamma, dbeta and the moving mean against F.batch_norm (PyTorch's momentum
    is 1 - Keras's); its running variance takes the unbiased var N / (N - 1), so the moving
    variance is checked against Keras's formula with the biased var recovered from it."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape) * 2 - 1
    G = rng.standard_normal(shape)
    layer = _built(shape[1:], momentum=0.8, epsilon=1e-3)
    gamma, beta, mm, mv = layer.get_weights()
    y = layer.forward(x, True)
    dx = layer.backward(G)
    layer.after_update()

    xt = _torch_layout(x).requires_grad_()
    weight, bias = torch.tensor(gamma, requires_grad=True), torch.tensor(beta, requires_grad=True)
    running_mean, running_var = torch.tensor(mm), torch.tensor(mv)
    yt = torch.nn.functional.batch_norm(xt, running_mean, running_var, weight, bias,
                                        training=True, momentum=1 - 0.8, eps=1e-3)
    yt.backward(_torch_layout(G))
    _close(y, np.moveaxis(yt.detach().numpy(), 1, -1))
    _close(dx, np.moveaxis(xt.grad.numpy(), 1, -1))
    _close(layer.grads["gamma"], weight.grad.numpy())
    _close(layer.grads["beta"], bias.grad.numpy())
    _close(layer.state["moving_mean"], running_mean.numpy())
    N = x.size // shape[-1]
    unbiased = (running_var.numpy() - 0.8 * mv) / 0.2
    _close(layer.state["moving_variance"], mv * 0.8 + unbiased * (N - 1) / N * 0.2)
    assert not np.allclose(layer.state["moving_variance"], running_var.numpy(), rtol=1e-6)


@pytest.mark.parametrize("shape", SHAPES)
def test_inference_mode_matches_torch_batch_norm_eval(shape):
    rng = np.random.default_rng(5)
    x, G = rng.standard_normal(shape), rng.standard_normal(shape)
    layer = _built(shape[1:], trainable=False)  # frozen: inference mode even in training
    gamma, beta, mm, mv = layer.get_weights()
    y = layer.forward(x, True)
    dx = layer.backward(G)
    xt = _torch_layout(x).requires_grad_()
    weight, bias = torch.tensor(gamma, requires_grad=True), torch.tensor(beta, requires_grad=True)
    yt = torch.nn.functional.batch_norm(xt, torch.tensor(mm), torch.tensor(mv), weight, bias,
                                        training=False, eps=1e-3)
    yt.backward(_torch_layout(G))
    _close(y, np.moveaxis(yt.detach().numpy(), 1, -1))
    _close(dx, np.moveaxis(xt.grad.numpy(), 1, -1))
    _close(layer.grads["gamma"], weight.grad.numpy())
    _close(layer.grads["beta"], bias.grad.numpy())


def test_torch_modules_agree_over_several_steps():
    """nn.BatchNorm2d in train mode, four batches, then eval: PyTorch's moving mean is Keras's."""
    rng = np.random.default_rng(6)
    layer = _build(BatchNormalization(momentum=0.9, input_shape=(3, 3, 2)))
    module = torch.nn.BatchNorm2d(2, momentum=0.1, eps=1e-3).double()
    for _ in range(4):
        x = rng.standard_normal((5, 3, 3, 2)) + 3
        layer.forward(x, True)
        layer.after_update()
        module.train()(_torch_layout(x))
    _close(layer.state["moving_mean"], module.running_mean.numpy())
    module.running_var.copy_(torch.tensor(layer.state["moving_variance"]))
    x = rng.standard_normal((2, 3, 3, 2))
    _close(layer.forward(x, False), np.moveaxis(module.eval()(_torch_layout(x)).detach().numpy(), 1, -1))


# ---------------------------------------------------------------- the looped twin
@pytest.mark.parametrize("shape, axis", [((7, 3), -1), ((4, 5, 6, 3), -1), ((4, 3, 5, 6), 1),
                                         ((6, 2), 1)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("center, scale", [(True, True), (False, True), (True, False)])
def test_looped_twin_agrees_to_1e_12(shape, axis, training, center, scale):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape) * 2 + 0.5
    G = rng.standard_normal(shape)
    kwargs = {"axis": axis, "momentum": 0.7, "center": center, "scale": scale}
    fast = _built(shape[1:], **kwargs)
    loop = _built(shape[1:], LoopBatchNormalization, **kwargs)
    _close(loop.forward(x, training), fast.forward(x, training))
    _close(loop.backward(G), fast.backward(G))
    for name in fast.grads:
        _close(loop.grads[name], fast.grads[name])
    fast.after_update()
    loop.after_update()
    for name in fast.state:
        _close(loop.state[name], fast.state[name])
    assert {**loop.get_config(), "name": None} == {**fast.get_config(), "name": None}


@pytest.mark.parametrize("func", [looped._entries, LoopBatchNormalization.forward,
                                  LoopBatchNormalization.backward,
                                  LoopBatchNormalization.after_update], ids=lambda f: f.__name__)
def test_looped_twin_really_loops(func):
    # NumPy allocates, indexes and rounds to the array's dtype; every sum and product is a loop.
    allowed = {"empty", "empty_like", "ndindex", "asarray", "ndarray"}
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)), "uses @"
        if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "np":
            assert node.attr in allowed, f"uses np.{node.attr}"
    assert any(isinstance(node, ast.For) for node in ast.walk(tree)), "no for-loop"


def test_looped_twin_trains_like_the_layer():
    rng = np.random.default_rng(8)
    X, y = rng.standard_normal((24, 3)), rng.standard_normal(24)

    def fit(cls):
        # No bias before the layer: its gradient is rounding noise, which Adam would amplify.
        model = Sequential([Dense(4, input_dim=3, use_bias=False), cls(momentum=0.5), ReLU(),
                            Dense(1)], seed=1)
        model.compile(loss="mse", optimizer="adam")
        model.fit(X, y, epochs=3, batch_size=8, verbose=0, shuffle=False)
        return model

    fast, loop = fit(BatchNormalization), fit(LoopBatchNormalization)
    for a, b in zip(fast.get_weights(), loop.get_weights(), strict=True):
        _close(b, a, rtol=1e-10)


# ---------------------------------------------------------------- finite differences
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5, 2), (5, 2, 3)])
@pytest.mark.parametrize("center, scale", [(True, True), (False, False)])
def test_gradient_check_in_training_mode(shape, center, scale):
    """check_layer perturbs one entry and reruns forward(training=True) on the whole batch, so
    dx is checked through the batch mean and variance."""
    layer = _built(shape[1:], center=center, scale=scale)
    X = np.random.default_rng(9).standard_normal(shape) * 2 + 1
    errors = gradcheck.check_layer(layer, X)
    assert set(errors) == {"X", *layer.params}


def test_gradient_check_catches_a_backward_without_the_batch_statistics_terms():
    class Naive(BatchNormalization):
        def backward(self, dA):
            x_hat, inv_std, _ = self.cache
            return dA * inv_std * self.params["gamma"]  # forgets d(mu)/dx and d(var)/dx

    errors = gradcheck.check_layer(_built((3,), Naive), np.random.default_rng(10).standard_normal((6, 3)),
                                   raise_on_failure=False)
    assert errors["X"] > 0.1


def test_gradient_check_of_a_frozen_layer_is_the_inference_gradient():
    layer = _built((4,), trainable=False)
    assert gradcheck.check_layer(layer, np.random.default_rng(11).standard_normal((5, 4)))["X"] < 1e-7


def test_gradient_check_of_a_model_and_the_bias_it_makes_redundant():
    rng = np.random.default_rng(12)
    X, y = rng.standard_normal((10, 3)), rng.standard_normal(10)
    model = Sequential([Dense(5, input_dim=3, use_bias=False), BatchNormalization(), ReLU(),
                        Dense(1)], seed=0)
    errors = gradcheck.check_model(model, X, y)
    assert "batch_normalization/gamma" in errors and max(errors.values()) < 1e-7
    assert np.array_equal(model.layers[1].state["moving_mean"], np.zeros(5))  # no update
    # A bias before the layer is subtracted again with the batch mean: its gradient is 0.
    with_bias = Sequential([Dense(5, input_dim=3), BatchNormalization(), ReLU(), Dense(1)], seed=0)
    errors = gradcheck.check_model(with_bias, X, y, raise_on_failure=False)
    assert np.max(np.abs(with_bias.layers[0].grads["b"])) < 1e-12
    assert all(v < 1e-7 for k, v in errors.items() if k != "b1")


# ---------------------------------------------------------------- numerics and dtypes
def test_float32_stays_float32_with_accurate_statistics():
    rng = np.random.default_rng(13)
    x64 = rng.standard_normal((64, 16, 16, 4)) * 0.01 + 100.0  # N = 16384 entries per channel
    x = x64.astype(np.float32)
    layer = _built((16, 16, 4), dtype="float32", momentum=0.0)
    y = layer.forward(x, True)
    dx = layer.backward(np.ones_like(y))
    layer.after_update()  # momentum 0: the moving statistics are the batch's
    assert {a.dtype for a in (y, dx, *layer.params.values(), *layer.grads.values(),
                              *layer.state.values())} == {np.dtype(np.float32)}
    x32 = x.astype(np.float64)
    _close(layer.state["moving_mean"], x32.mean(axis=(0, 1, 2)), rtol=2 ** -24)
    _close(layer.state["moving_variance"], x32.var(axis=(0, 1, 2)), rtol=1e-6)


def test_quiet_under_seterr_raise_on_hard_channels():
    # A constant channel (var 0), a large mean with a small spread (where E[x^2] - mu^2
    # cancels), tiny values whose squares underflow, and a batch of one example.
    x = np.stack([np.full(6, 3.0), 1e8 + np.arange(6.0), 1e-200 * np.arange(6.0)], axis=1)
    layer = _build(BatchNormalization(epsilon=1e-3, input_dim=3))
    with np.errstate(all="raise"):
        y = layer.forward(x, True)
        dx = layer.backward(np.ones_like(y))
        layer.after_update()
        one = layer.forward(x[:1], True)
        layer.backward(one)
        layer.forward(x, False)
    assert np.array_equal(y[:, 0], np.zeros(6)) and np.array_equal(one, np.zeros((1, 3)))
    spread = np.arange(6.0) - 2.5
    _close(y[:, 1], spread / np.sqrt(np.mean(spread ** 2) + 1e-3))
    assert np.isfinite(dx).all() and np.abs(dx).max() < 1e-10
    assert layer.state["moving_variance"][1] == pytest.approx(0.99 + 0.01 * np.mean(spread ** 2))


def test_the_first_layer_skips_dx():
    layer = _built((3,))
    layer.needs_input_grad = False
    layer.forward(np.random.default_rng(14).standard_normal((4, 3)), True)
    assert layer.backward(np.ones((4, 3))) is None and np.any(layer.grads["gamma"] != 0)


# ---------------------------------------------------------------- weights, config, arguments
@pytest.mark.parametrize("center, scale, names", [
    (True, True, ["gamma", "beta", "moving_mean", "moving_variance"]),
    (False, True, ["gamma", "moving_mean", "moving_variance"]),
    (True, False, ["beta", "moving_mean", "moving_variance"]),
])
def test_weights_in_keras_order(center, scale, names):
    layer = _build(BatchNormalization(center=center, scale=scale, input_shape=(4, 4, 3)))
    assert [*layer.params, *layer.state] == names
    defaults = {"gamma": 1.0, "beta": 0.0, "moving_mean": 0.0, "moving_variance": 1.0}
    for array, name in zip(layer.get_weights(), names, strict=True):
        assert array.shape == (3,) and np.all(array == defaults[name])
    new = [np.full(3, float(i + 2)) for i in range(len(names))]
    layer.set_weights(new)
    assert all(np.array_equal(a, b) for a, b in zip(layer.get_weights(), new, strict=True))
    with pytest.raises(ValueError, match=f"has {len(names)} weight arrays"):
        layer.set_weights(new[:-1])


def test_summary_counts_like_keras():
    model = Sequential([Dense(8, input_dim=3), BatchNormalization(), Dense(1)])
    info = model.summary(print_fn=lambda text: None)
    assert info["layers"][1]["params"] == 32
    assert info["trainable_params"] == 32 + 16 + 9 and info["non_trainable_params"] == 16
    assert len(model.get_weights()) == 2 + 4 + 2


def test_config_round_trip_and_initializers():
    def half(shape, rng):
        return np.full(shape, 0.5)

    layer = _build(BatchNormalization(axis=1, momentum=0.5, epsilon=0.01, center=False,
                                      gamma_initializer=half, moving_variance_initializer="zeros",
                                      name="bn", input_shape=(2, 5)))
    config = layer.get_config()
    assert config == {"name": "bn", "input_shape": (2, 5), "axis": 1, "momentum": 0.5,
                      "epsilon": 0.01, "center": False, "scale": True, "beta_initializer": "zeros",
                      "gamma_initializer": half, "moving_mean_initializer": "zeros",
                      "moving_variance_initializer": "zeros"}
    twin = _build(BatchNormalization.from_config(config))
    assert twin.get_config() == config
    assert np.array_equal(twin.params["gamma"], np.full(2, 0.5))
    assert np.array_equal(twin.state["moving_variance"], np.zeros(2))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"momentum": 1.5}, ValueError, "momentum must be a finite number >= 0 and <= 1"),
    ({"momentum": "high"}, TypeError, "momentum must be a number"),
    ({"epsilon": 0.0}, ValueError, "epsilon must be a finite number > 0"),
    ({"axis": 0}, ValueError, "samples axis"),
    ({"axis": True}, TypeError, "axis must be an integer"),
    ({"center": 1}, TypeError, "center must be True or False"),
    ({"gamma_initializer": "nope"}, ValueError, "gamma_initializer must be one of"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        BatchNormalization(**kwargs)


def test_bad_shapes_name_the_axis():
    with pytest.raises(ValueError, match="axis=3 is not a channel axis of inputs with 3 axes"):
        _build(BatchNormalization(axis=3, input_shape=(4, 2)))
    layer = _build(BatchNormalization(input_dim=3))
    with pytest.raises(ValueError, match="built for 3 channels"):
        layer.forward(np.ones((2, 4)), True)
    layer = BatchNormalization(epsilon=1e-50)
    layer.dtype = np.dtype(np.float32)
    with pytest.raises(ValueError, match="rounds to 0 in float32"):
        layer._ensure_built((3,))
