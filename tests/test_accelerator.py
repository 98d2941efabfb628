"""The compiled accelerator (neuralkit/_accelerator.c): the NumPy code's numbers, bit for bit.

The oracle is the reference: each optimizer's NumPy ``step`` (neuralkit/optimizers/), itself
checked against the papers' formulas and PyTorch elsewhere. Every comparison here is of the
bytes of parameters and optimizer state, so a kernel that rounds once differently, or folds a
multiply and an add into one FMA, fails.

These tests need the accelerator built (``pip install -e .`` with a C compiler). ``.ci/run``
sets NEURALKIT_REQUIRE_ACCELERATOR=1, so there a missing build fails instead of skipping.
"""

import os
import signal
import threading

import numpy as np
import pytest

import neuralkit
from neuralkit import DivergenceError, Sequential, config
from neuralkit.layers import Dense, Dropout
from neuralkit.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop
from neuralkit.optimizers.schedules import ExponentialDecay, PiecewiseConstantDecay
from neuralkit.training import accelerator
from neuralkit.training.accelerator import FusedStep, NonFiniteUpdateError
from tests.helpers import ROOT, binary_data, copy_state, python_env, require_accelerator, run_python

require_accelerator()

OPTIMIZERS = {
    "sgd": lambda: SGD(0.1),
    "sgd momentum": lambda: SGD(0.05, momentum=0.9),
    "sgd nesterov": lambda: SGD(0.05, momentum=0.9, nesterov=True),
    "sgd decay clipnorm": lambda: SGD(0.1, weight_decay=0.01, clipnorm=0.5),
    "sgd clipvalue": lambda: SGD(0.1, momentum=0.5, clipvalue=0.3),
    "sgd global_clipnorm": lambda: SGD(0.1, global_clipnorm=0.7),
    "sgd schedule": lambda: SGD(PiecewiseConstantDecay([2], [0.2, 0.05]), momentum=0.9),
    "adam": lambda: Adam(0.01),
    "adam amsgrad": lambda: Adam(0.01, amsgrad=True),
    "adam clip decay": lambda: Adam(0.01, beta_1=0.8, epsilon=1e-6, weight_decay=0.1,
                                    clipnorm=0.2),
    "adam schedule": lambda: Adam(ExponentialDecay(0.01, 2, 0.5), global_clipnorm=1.0),
    "adamw": lambda: AdamW(0.01),
    "adamw amsgrad clipvalue": lambda: AdamW(0.01, weight_decay=0.05, amsgrad=True,
                                             clipvalue=0.1),
    "rmsprop": lambda: RMSprop(0.01),
    "rmsprop centered": lambda: RMSprop(0.01, centered=True),
    "rmsprop momentum": lambda: RMSprop(0.01, rho=0.8, momentum=0.9, weight_decay=0.02),
    "rmsprop centered momentum clip": lambda: RMSprop(0.01, momentum=0.5, centered=True,
                                                      global_clipnorm=0.5),
    "adagrad": lambda: Adagrad(0.1),
    "adagrad decay clipvalue": lambda: Adagrad(0.1, initial_accumulator_value=0.0,
                                               weight_decay=0.01, clipvalue=0.2),
    # A step bound of lr / epsilon = 1e38 overflows float32: the kernels' cheap first pass
    # (a bound without roots and divisions) fails, and their exact check decides.
    "adam bound fails": lambda: Adam(10.0, epsilon=1e-37),
    "rmsprop bound fails": lambda: RMSprop(10.0, epsilon=1e-37, momentum=0.5),
    "adagrad bound fails": lambda: Adagrad(10.0, epsilon=1e-37),
}
SHAPES = [(7, 5), (7,), (3, 3, 2, 4), (1,)]


def _bits(arrays):
    return [(a.dtype.str, a.shape, a.tobytes()) for a in arrays]


def _state_bits(optimizer):
    return {key: {name: _bits([value]) for name, value in slots.items()}
            for key, slots in optimizer.state.items()}


def _problem(dtype, seed=0):
    """Parameters, and five steps' gradients: of several scales (some get clipped), with zeros."""
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]
    steps = []
    for _ in range(5):
        grads = [(rng.standard_normal(p.shape) * 10.0 ** rng.integers(-3, 2)).astype(dtype)
                 for p in params]
        grads[0].reshape(-1)[::3] = 0.0
        steps.append(grads)
    return params, steps


class _Spy:
    """Counts the calls into the compiled module, and what they returned."""

    def __init__(self, module):
        self.module, self.calls = module, []

    def step(self, *args):
        try:
            result = self.module.step(*args)
        except Exception as exc:
            self.calls.append(type(exc).__name__)
            raise
        self.calls.append(result)
        return result


@pytest.fixture
def spy(monkeypatch):
    spy = _Spy(accelerator._accelerator)
    monkeypatch.setattr(accelerator, "_accelerator", spy)
    return spy


# ---------------------------------------------------------------------- one step at a time
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_fused_step_equals_the_numpy_step_bit_for_bit(name, dtype, spy):
    params, steps = _problem(dtype)
    numpy_params = [p.copy() for p in params]
    fused, reference = OPTIMIZERS[name](), OPTIMIZERS[name]()
    fuse = FusedStep()
    for t, grads in enumerate(steps):
        keys = [f"layer_{i}/W" for i in range(len(params))]
        assert fuse(fused, list(zip(keys, params, grads, strict=True))) is True
        reference.step(list(zip(keys, numpy_params, grads, strict=True)))
        assert _bits(params) == _bits(numpy_params), f"step {t + 1}"
        assert _state_bits(fused) == _state_bits(reference), f"step {t + 1}"
        assert fused.iterations == reference.iterations == t + 1
    assert spy.calls == [-1] * len(steps)  # every step went through the kernels
    assert not any(np.array_equal(p, q) for p, q in zip(params, _problem(dtype)[0], strict=True))


def test_the_kernels_round_in_the_arrays_type_as_numpy_does():
    # float32 with a learning rate that is not a float32: NumPy rounds the scalar to float32
    # once (NEP 50) and computes in float32; so does the kernel (a float64 computation rounded
    # at the end would differ in some of these 4000 elements).
    rng = np.random.default_rng(3)
    W = rng.standard_normal(4000).astype(np.float32)
    G = rng.standard_normal(4000).astype(np.float32)
    W_ref = W.copy()
    FusedStep()(SGD(0.1 + 1e-9, momentum=0.3), [("W", W, G)])
    SGD(0.1 + 1e-9, momentum=0.3).step([("W", W_ref, G)])
    assert W.tobytes() == W_ref.tobytes()
    widened = (W_ref.astype(np.float64) - (0.1 + 1e-9) * G.astype(np.float64)).astype(np.float32)
    assert widened.tobytes() != W.tobytes()  # the check above could tell the two apart


# ---------------------------------------------------------------------- all or nothing
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_step_that_would_make_a_parameter_inf_changes_nothing(dtype):
    params, steps = _problem(dtype)
    opt = Adam(0.01)
    fuse = FusedStep()
    keys = ["a/W", "a/b", "c/W", "c/b"]
    fuse(opt, list(zip(keys, params, steps[0], strict=True)))
    before, state, = [p.copy() for p in params], copy_state(opt)
    grads = [g.copy() for g in steps[1]]
    grads[2].reshape(-1)[5] = np.inf  # the third parameter would become NaN
    grads[3][0] = np.nan
    with pytest.raises(NonFiniteUpdateError) as info:
        fuse(opt, list(zip(keys, params, grads, strict=True)))
    assert info.value.key == "c/W"  # the first one, in the order of the step
    assert _bits(params) == _bits(before)
    assert {k: _bits(v.values()) for k, v in opt.state.items()} == \
        {k: _bits(v.values()) for k, v in state.items()}
    assert opt.iterations == 1


def test_the_bounds_overflow_float32_in_the_bound_failing_cases():
    assert 10.0 / np.float32(1e-37) > np.finfo(np.float32).max / 4


@pytest.mark.parametrize("optimizer", [Adam(0.01), RMSprop(0.01), Adagrad(0.01)])
def test_a_negative_state_under_a_root_is_caught_by_the_exact_check(optimizer):
    # A state loaded from a file may hold anything: sqrt of a negative number is NaN.
    W, G = np.ones(4), np.full(4, 0.5)
    slots = optimizer.init_state(W)
    name = {"Adam": "v", "RMSprop": "s", "Adagrad": "accumulator"}[type(optimizer).__name__]
    slots[name][2] = -1.0
    optimizer.state["W"] = slots
    before = {k: v.copy() for k, v in slots.items()}
    with pytest.raises(NonFiniteUpdateError):
        FusedStep()(optimizer, [("W", W, G)])
    assert (W == 1).all() and optimizer.iterations == 0
    assert all(np.array_equal(slots[k], before[k]) for k in before)


def test_state_created_by_a_failed_or_declined_step_is_removed():
    W = np.ones(3)
    opt = SGD(1e308, momentum=0.5)
    with pytest.raises(NonFiniteUpdateError):
        FusedStep()(opt, [("W", W, np.full(3, 1e10))])
    assert opt.state == {} and opt.iterations == 0 and (W == 1).all()
    strided = np.ones(6)[::2]  # not contiguous: declined
    assert FusedStep()(opt, [("W", W, strided)]) is False
    assert opt.state == {} and opt.iterations == 0 and (W == 1).all()


@pytest.mark.parametrize("case", ["subclass", "float16", "mixed dtypes", "read-only",
                                  "numpy scalar", "state of another dtype", "transposed grad"])
def test_what_the_kernels_do_not_take_is_declined_untouched(case, spy):
    W, G = np.ones((2, 3)), np.full((2, 3), 0.5)
    opt = Adam(0.1)
    if case == "subclass":
        class MyAdam(Adam):
            pass
        opt = MyAdam(0.1)
    elif case == "float16":
        W, G = W.astype(np.float16), G.astype(np.float16)
    elif case == "mixed dtypes":
        G = G.astype(np.float32)
    elif case == "read-only":
        W.flags.writeable = False
    elif case == "transposed grad":  # as many elements, another shape: NumPy's step raises
        G = np.ascontiguousarray(G.T)
    elif case == "numpy scalar":
        opt.beta_1 = np.float64(0.9)  # NumPy would compute with a float64 scalar here
    else:
        opt.state["W"] = {"m": np.zeros((2, 3), np.float32), "v": np.zeros((2, 3), np.float32)}
    state = copy_state(opt)
    assert FusedStep()(opt, [("W", W, G)]) is False
    assert (W == 1).all() and opt.iterations == 0
    assert sorted(opt.state) == sorted(state)
    # The kernels refuse the arrays (and write nothing), or are never called.
    refused = case not in ("subclass", "numpy scalar")
    assert len(spy.calls) == int(refused) and all(isinstance(c, str) for c in spy.calls)


# ---------------------------------------------------------------------- through fit
def _fit(optimizer, dtype, accelerated, epochs=3, **kwargs):
    config.set_accelerator(accelerated)
    X, y = binary_data(200, 6, lambda X: X[:, 0] - X[:, 1] * X[:, 2])
    model = Sequential([Dense(16, activation="relu", input_dim=6), Dropout(0.1),
                        Dense(8, activation="tanh"), Dense(1, activation="sigmoid")],
                       seed=0, dtype=dtype)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=epochs, batch_size=32, verbose=0, validation_split=0.2,
                        **kwargs)
    return model, history


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["sgd momentum", "adam", "adamw amsgrad clipvalue",
                                  "rmsprop centered momentum clip", "adagrad"])
def test_fit_with_the_accelerator_equals_fit_without_it(name, dtype, spy):
    fused, h_fused = _fit(OPTIMIZERS[name](), dtype, True)
    steps = len(spy.calls)
    numpy, h_numpy = _fit(OPTIMIZERS[name](), dtype, False)
    assert steps == 3 * 5 and len(spy.calls) == steps  # 5 batches an epoch; none when off
    assert h_fused.history == h_numpy.history
    assert _bits(fused.get_weights()) == _bits(numpy.get_weights())
    assert _state_bits(fused.optimizer) == _state_bits(numpy.optimizer)


def test_a_divergence_in_fit_is_reported_and_undone_as_on_the_numpy_path():
    results = []
    for accelerated in (True, False):
        config.set_accelerator(accelerated)
        X, y = binary_data(64, 4, lambda X: X[:, 0])
        model = Sequential([Dense(4, input_dim=4), Dense(1, activation="sigmoid")], seed=0,
                           dtype="float32")
        model.compile(optimizer=SGD(1e37), loss="binary_crossentropy")
        with pytest.raises(DivergenceError) as info:
            model.fit(X * 1e3, y, epochs=2, batch_size=16, verbose=0)
        results.append((str(info.value), _bits(model.get_weights()), model.optimizer.iterations))
    assert "made parameter" in results[0][0]
    assert results[0] == results[1]


def test_a_ctrl_c_during_a_fused_step_waits_for_it_then_stops(monkeypatch, spy):
    # The kernels hold the GIL, so a Ctrl-C can only land in the Python around them (here: in
    # init_state, which the first step calls): it is held until the step is complete.
    if threading.current_thread() is not threading.main_thread():
        pytest.fail("signal tests must run in the main thread")
    opt = Adam(0.01)
    real = opt.init_state
    calls = []

    def init_state(param):
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)
        return real(param)

    monkeypatch.setattr(opt, "init_state", init_state)
    config.set_accelerator(True)
    X, y = binary_data(64, 4, lambda X: X[:, 0])
    model = Sequential([Dense(4, input_dim=4), Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer=opt, loss="binary_crossentropy")
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, epochs=1, batch_size=16, verbose=0)
    assert spy.calls == [-1] and opt.iterations == 1  # the first step was taken whole
    assert sorted(opt.state) == ["dense/W", "dense/b", "dense_1/W", "dense_1/b"]


def test_a_fit_in_another_thread_takes_the_fused_steps(spy):
    out = {}
    thread = threading.Thread(target=lambda: out.update(run=_fit(Adam(0.01), "float64", True)))
    thread.start()
    thread.join()
    fused = out["run"][0]
    numpy, _ = _fit(Adam(0.01), "float64", False)
    assert len(spy.calls) == 15
    assert _bits(fused.get_weights()) == _bits(numpy.get_weights())


def test_the_fast_paths_switch_turns_the_accelerator_off_too(spy):
    previous = config.set_fast_paths(False)
    try:
        _fit(Adam(0.01), "float64", True, epochs=1)
    finally:
        config.set_fast_paths(previous)
    assert spy.calls == []


# ---------------------------------------------------------------------- switches and reports
def test_show_config_says_which_path_runs(capsys):
    config.set_accelerator(True)
    info = neuralkit.show_config()
    out = capsys.readouterr().out
    assert info["accelerator"] == "on" and "accelerator: on" in out
    assert f"neuralkit {neuralkit.__version__}" in out and f"NumPy {np.__version__}" in out
    config.set_accelerator(False)
    assert neuralkit.show_config()["accelerator"] == "off"
    with pytest.raises(TypeError, match="set_accelerator expects True or False; got 'no'"):
        config.set_accelerator("no")


def test_the_environment_variable_turns_it_off(tmp_path):
    code = ("import neuralkit, numpy as np\n"
            "from neuralkit.training import accelerator\n"
            "calls = []\n"
            "real = accelerator._accelerator\n"
            "class Spy:\n"
            "    def step(self, *a):\n"
            "        calls.append(1)\n"
            "        return real.step(*a)\n"
            "accelerator._accelerator = Spy()\n"
            "m = neuralkit.Sequential([neuralkit.layers.Dense(1, input_dim=2)], seed=0)\n"
            "m.compile(optimizer='adam', loss='mse')\n"
            "m.fit(np.ones((8, 2)), np.ones(8), epochs=1, verbose=0)\n"
            "print(neuralkit.show_config()['accelerator'], len(calls))\n")
    on = run_python(["-c", code], cwd=tmp_path).stdout.split()[-2:]
    off = run_python(["-c", code], cwd=tmp_path,
                     env=python_env(NEURALKIT_ACCELERATOR="0")).stdout.split()[-2:]
    assert on == ["on", "1"] and off == ["off", "0"]


def test_without_a_c_compiler_the_build_goes_on_with_one_line(tmp_path):
    for name in ("setup.py", "setup.cfg", "pyproject.toml", "README.md"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    (tmp_path / "neuralkit").mkdir()
    for name in ("_accelerator.c", "_accelerator_kernels.h"):
        (tmp_path / "neuralkit" / name).write_bytes((ROOT / "neuralkit" / name).read_bytes())
    result = run_python(["setup.py", "-q", "build_ext", "--build-lib", tmp_path / "lib",
                         "--build-temp", tmp_path / "tmp"], cwd=tmp_path,
                        env={**os.environ, "CC": "/bin/false"}, timeout=300)
    lines = [line for line in result.stdout.splitlines() if line.startswith("neuralkit:")]
    assert len(lines) == 1 and "the optional accelerator was not built" in lines[0], result.stdout
    assert not list((tmp_path / "lib").rglob("*.so"))
