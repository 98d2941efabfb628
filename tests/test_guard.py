"""UpdateGuard on its own: every path of the all-or-nothing optimizer step."""

import numpy as np
import pytest

from neuralkit import DivergenceError, Sequential, gradcheck
from neuralkit._parameters import parameter_slots
from neuralkit.layers import Dense, Layer, Tanh
from neuralkit.optimizers import SGD, Adam, Optimizer
from neuralkit.training.guard import _GATHER_LIMIT, UpdateGuard
from tests.helpers import assert_same_state as _assert_state_equal
from tests.helpers import copy_state as _copy_state


class Holder(Layer):
    """A bare layer holding given parameter arrays (any dtype or memory layout)."""

    def __init__(self, **params):
        super().__init__()
        self.params = params
        self.grads = {k: np.ones_like(v) for k, v in params.items()}

    def forward(self, Z, training=True):
        return Z

    def backward(self, dA):
        return dA


def _refs(layer):
    return parameter_slots([layer])


class FailingAt(Optimizer):
    """Rebinds its state arrays and a scalar slot each step; raises half-way through step n."""

    def __init__(self, fail_at):
        super().__init__(0.1)
        self.fail_at = fail_at

    def init_state(self, param):
        return {"v": np.zeros_like(param), "count": 0}

    def step(self, params):
        self.iterations += 1
        for i, (key, param, grad) in enumerate(params):
            slots = self.state.setdefault(key, self.init_state(param))
            self.update(param, grad, slots)
            if self.iterations == self.fail_at and i == 1:
                raise RuntimeError("optimizer bug")

    def update(self, param, grad, state):
        state["v"] = state["v"] * 0.5 - grad  # a new array every step
        state["count"] += 1
        param += self.learning_rate * state["v"]


@pytest.mark.parametrize("layout", ["contiguous", "mixed-dtype", "fortran-order"])
def test_an_exception_mid_step_restores_parameters_and_rebound_state(layout):
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(4.0)
    if layout == "mixed-dtype":
        b = b.astype(np.float32)
    if layout == "fortran-order":
        a = np.asfortranarray(a)
    layer = Holder(a=a, b=b, c=np.ones(3))
    guard, optimizer = UpdateGuard(_refs(layer)), FailingAt(fail_at=3)
    guard.apply(optimizer, 0, 0, 1.0)
    guard.apply(optimizer, 0, 1, 1.0)
    before = {k: v.copy() for k, v in layer.params.items()}
    objects = dict(layer.params)
    state = _copy_state(optimizer)
    with pytest.raises(RuntimeError, match="optimizer bug"):
        guard.apply(optimizer, 0, 2, 1.0)
    for name, value in before.items():
        assert np.array_equal(layer.params[name], value)
        assert layer.params[name] is objects[name]  # restored in place
    _assert_state_equal(optimizer.state, state)
    assert optimizer.iterations == 2
    optimizer.fail_at = -1
    guard.apply(optimizer, 0, 2, 1.0)  # and the guard keeps working afterwards
    assert optimizer.state["holder/a"]["count"] == 3


def test_the_first_step_is_undone_completely_state_keys_included():
    layer = Holder(a=np.ones(3), b=np.ones(2))
    optimizer = FailingAt(fail_at=1)
    with pytest.raises(RuntimeError):
        UpdateGuard(_refs(layer)).apply(optimizer, 0, 0, 1.0)
    assert optimizer.state == {} and optimizer.iterations == 0
    assert np.array_equal(layer.params["a"], np.ones(3))


def test_a_large_model_is_checked_array_by_array_and_rolled_back():
    n = int(np.sqrt(_GATHER_LIMIT)) + 8  # more parameters than the gather limit
    model = Sequential([Dense(n, input_dim=n), Tanh(), Dense(1)], seed=0, dtype="float32")
    assert model.count_params() > _GATHER_LIMIT
    model.compile("mse", Adam(0.01))
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((16, n)), rng.standard_normal(16) * 1e4
    model.fit(X, y, epochs=1, batch_size=8, verbose=0)
    before = [p.copy() for layer in model.layers for p in layer.params.values()]
    state = _copy_state(model.optimizer)
    model.compile("mse", SGD(1e39))  # a fresh SGD whose next update overflows float32
    with pytest.raises(DivergenceError, match="made parameter"):
        model.fit(X, y, epochs=1, batch_size=16, verbose=0)
    after = [p for layer in model.layers for p in layer.params.values()]
    assert all(np.array_equal(x, y) for x, y in zip(before, after, strict=True))
    assert model.optimizer.state == {} and model.optimizer.iterations == 0
    assert state  # the Adam state of the first fit was real


def test_gradcheck_of_a_model_still_leaves_its_parameters_alone():
    model = Sequential([Dense(3, input_dim=2), Tanh(), Dense(1)], seed=0)
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((5, 2)), rng.standard_normal(5)
    before = model.get_parameters()
    errors = gradcheck.check_model(model, X, y)
    assert max(errors.values()) < gradcheck.TOLERANCE
    assert all(np.array_equal(before[k], v) for k, v in model.get_parameters().items())


def test_a_second_ctrl_c_during_the_restore_waits_until_the_restore_is_complete(monkeypatch):
    import os
    import signal

    layer = Holder(a=np.ones(3), b=np.ones(2))
    guard, optimizer = UpdateGuard(_refs(layer)), FailingAt(fail_at=2)
    guard.apply(optimizer, 0, 0, 1.0)
    before = {k: v.copy() for k, v in layer.params.items()}
    state = _copy_state(optimizer)
    real = UpdateGuard._put_back

    def interrupted_put_back(self, *args):
        os.kill(os.getpid(), signal.SIGINT)  # arrives while restoring
        real(self, *args)

    monkeypatch.setattr(UpdateGuard, "_put_back", interrupted_put_back)
    with pytest.raises(KeyboardInterrupt) as info:
        guard.apply(optimizer, 0, 1, 1.0)
    assert isinstance(info.value.__context__, RuntimeError)  # the first failure is kept
    for name, value in before.items():
        assert np.array_equal(layer.params[name], value)
    _assert_state_equal(optimizer.state, state)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
