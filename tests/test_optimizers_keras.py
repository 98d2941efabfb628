"""Keras 3's optimizer options and optimizers, against procedural implementations of the
published rules, step by step with changing gradients (as tests/test_optimizers.py does):
clipnorm, clipvalue, global_clipnorm and decoupled weight decay on every optimizer, and that
the training step's fast path declines them; RMSprop's momentum and centered, Adam's amsgrad;
AdamW and Adagrad. PyTorch's implementations are the second oracle:
tests/test_optimizers_torch.py."""

import numpy as np
import pytest

from neuralkit import Sequential, config, load_model, optimizers
from neuralkit.layers import Dense, ReLU, Softmax
from neuralkit.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop, clipping
from neuralkit.optimizers.schedules import PiecewiseConstantDecay
from neuralkit.training import fast_paths

STEPS = 7
SHAPES = [(4, 3), (4,), (2, 4)]


def _params(seed=42):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in SHAPES]


def _gradients(seed=0):
    """STEPS lists of gradients, changing every step: norms from ~0.3 to ~20, signs flipping."""
    rng = np.random.default_rng(seed)
    scales = [0.1, 1.0, 5.0, 0.5, 3.0, 0.2, 8.0]
    return [[rng.standard_normal(s) * scales[(t + i) % STEPS] * (-1) ** t
             for i, s in enumerate(SHAPES)] for t in range(STEPS)]


def _run(optimizer, params, grads_per_step):
    """Step the optimizer; the parameters after every step, and the gradients as they were
    after the step (to check that the optimizer left them alone)."""
    params = [p.copy() for p in params]
    trace, seen = [], []
    for grads in grads_per_step:
        optimizer.step([(f"p{i}", p, g) for i, (p, g) in enumerate(zip(params, grads, strict=True))])
        trace.append([p.copy() for p in params])
        seen.append([g.copy() for g in grads])
    return trace, seen


def _compare(trace, ref, rtol=1e-13):
    assert len(trace) == len(ref) == STEPS
    for t, (got_step, ref_step) in enumerate(zip(trace, ref, strict=True)):
        for got, want in zip(got_step, ref_step, strict=True):
            np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-15, err_msg=f"step {t}")


# ---------------------------------------------------------------------- procedural oracles
def keras_clip(grads, clipnorm=None, clipvalue=None, global_clipnorm=None):
    """Keras 3's BaseOptimizer._clip_gradients, written out."""
    if clipnorm is not None:
        return [g * clipnorm / max(np.sqrt(np.sum(g * g)), clipnorm) for g in grads]
    if global_clipnorm is not None:
        norm = np.sqrt(sum(np.sum(g * g) for g in grads))
        return [g * (global_clipnorm * min(1 / norm, 1 / global_clipnorm)) for g in grads]
    if clipvalue is not None:
        return [np.minimum(np.maximum(g, -clipvalue), clipvalue) for g in grads]
    return grads


def sgd_rule(lr, mu=0.0, nesterov=False):
    def update(w, g, state, t):
        if mu == 0.0:
            return w - lr(t) * g
        state["v"] = mu * state.get("v", 0.0) - lr(t) * g
        return w + mu * state["v"] - lr(t) * g if nesterov else w + state["v"]
    return update


def rmsprop_rule(lr, rho=0.9, eps=1e-7):
    def update(w, g, state, t):
        state["s"] = rho * state.get("s", 0.0) + (1 - rho) * g * g
        return w - lr(t) * g / (np.sqrt(state["s"]) + eps)
    return update


def adam_rule(lr, b1=0.9, b2=0.999, eps=1e-8):
    def update(w, g, state, t):
        state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
        state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g
        m_hat, v_hat = state["m"] / (1 - b1**t), state["v"] / (1 - b2**t)
        return w - lr(t) * m_hat / (np.sqrt(v_hat) + eps)
    return update


def reference(update, params, grads_per_step, weight_decay=None, lr=None, **clip):
    """Per step: Keras's clipping over the step's gradients, then for each parameter the
    decoupled decay W := W - W * wd * lr_t and the update rule (t counts steps from 1)."""
    params = [p.copy() for p in params]
    states = [{} for _ in params]
    trace = []
    for t, grads in enumerate(grads_per_step, start=1):
        for i, g in enumerate(keras_clip(grads, **clip)):
            if weight_decay is not None:
                params[i] = params[i] - params[i] * weight_decay * lr(t)
            params[i] = update(params[i], g, states[i], t)
        trace.append([p.copy() for p in params])
    return trace


def constant(rate):
    return lambda t: rate


CLIPS = [{"clipnorm": 1.5}, {"clipnorm": 0.05}, {"clipvalue": 0.7}, {"global_clipnorm": 4.0},
         {"global_clipnorm": 100.0}]
OPTIMIZERS = {
    "sgd": (lambda **kw: SGD(0.05, **kw), sgd_rule(constant(0.05))),
    "sgd-momentum": (lambda **kw: SGD(0.05, momentum=0.9, **kw), sgd_rule(constant(0.05), 0.9)),
    "sgd-nesterov": (lambda **kw: SGD(0.05, momentum=0.8, nesterov=True, **kw),
                     sgd_rule(constant(0.05), 0.8, True)),
    "rmsprop": (lambda **kw: RMSprop(0.01, rho=0.8, **kw), rmsprop_rule(constant(0.01), 0.8)),
    "adam": (lambda **kw: Adam(0.02, **kw), adam_rule(constant(0.02))),
}


@pytest.mark.parametrize("clip", CLIPS, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_clipping_before_the_update_as_keras(name, clip):
    make, rule = OPTIMIZERS[name]
    grads = _gradients(seed=3)
    before = [[g.copy() for g in step] for step in grads]
    trace, seen = _run(make(**clip), _params(), grads)
    _compare(trace, reference(rule, _params(), grads, **clip))
    # The gradients (the layers' arrays) are never written.
    for t in range(STEPS):
        for got, want in zip(seen[t], before[t], strict=True):
            assert np.array_equal(got, want)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("clip", [{}, {"clipnorm": 1.0}], ids=["no-clip", "clipnorm"])
def test_decoupled_weight_decay_before_the_update_as_keras(name, clip):
    make, rule = OPTIMIZERS[name]
    lr = {"sgd": 0.05, "rmsprop": 0.01, "adam": 0.02}[name.split("-")[0]]
    grads = _gradients(seed=4)
    trace, _ = _run(make(weight_decay=0.3, **clip), _params(), grads)
    _compare(trace, reference(rule, _params(), grads, weight_decay=0.3, lr=constant(lr), **clip))


def test_weight_decay_takes_the_rate_of_each_step_of_a_schedule():
    schedule = PiecewiseConstantDecay([1, 3], [0.2, 0.1, 0.05])
    rate = lambda t: schedule(t - 1)  # noqa: E731  (t counts from 1; the schedule from 0)
    grads = _gradients(seed=5)
    for optimizer, rule, clip in [(SGD(schedule, weight_decay=0.5), sgd_rule(rate), {}),
                                  (Adam(schedule, weight_decay=0.5, global_clipnorm=2.0),
                                   adam_rule(rate), {"global_clipnorm": 2.0})]:
        trace, _ = _run(optimizer, _params(), grads)
        _compare(trace, reference(rule, _params(), grads, weight_decay=0.5, lr=rate, **clip))


def test_clipnorm_is_per_parameter_global_clipnorm_is_joint():
    small, big = np.array([0.3, 0.4]), np.array([30.0, 40.0])  # norms 0.5 and 50
    w1, w2 = np.zeros(2), np.zeros(2)
    SGD(1.0, clipnorm=1.0).step([("a", w1, small), ("b", w2, big)])
    np.testing.assert_array_equal(w1, -small)  # under the norm: untouched
    np.testing.assert_allclose(w2, -big / 50, rtol=1e-15)
    w1, w2 = np.zeros(2), np.zeros(2)
    SGD(1.0, global_clipnorm=1.0).step([("a", w1, small), ("b", w2, big)])
    joint = np.sqrt(0.25 + 2500)
    np.testing.assert_allclose(w1, -small / joint, rtol=1e-15)
    np.testing.assert_allclose(w2, -big / joint, rtol=1e-15)
    w = np.zeros(3)
    SGD(1.0, clipvalue=0.5).step([("c", w, np.array([-2.0, 0.25, 9.0]))])
    np.testing.assert_array_equal(w, [0.5, -0.25, -0.5])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clipping_is_finite_and_quiet_for_zero_and_huge_gradients(dtype):
    huge = np.finfo(dtype).max / 4
    with np.errstate(all="raise"):
        for option in ({"clipnorm": 1.0}, {"global_clipnorm": 1.0}):
            w = np.zeros(3, dtype=dtype)
            zero = np.zeros(3, dtype=dtype)
            SGD(0.1, **option).step([("w", w, zero)])
            assert np.array_equal(w, zero)
            w = np.zeros(3, dtype=dtype)
            grad = np.array([huge, -huge, huge / 2], dtype=dtype)
            SGD(1.0, **option).step([("w", w, grad)])  # ||grad|| overflows a plain sum of squares
            assert np.isfinite(w).all()
            np.testing.assert_allclose(np.linalg.norm(w.astype(np.float64)), 1.0, rtol=1e-6)
        assert clipping.l2_norm([np.array([np.inf, 1.0], dtype=dtype)]) != 1.0  # NaN: not clipped


def test_clipping_and_decay_options_are_checked_by_name():
    with pytest.raises(ValueError, match=r"only one of clipnorm, clipvalue and global_clipnorm "
                                         r"can be set.*got clipnorm=1.0, clipvalue=0.5"):
        Adam(clipnorm=1.0, clipvalue=0.5)
    with pytest.raises(ValueError, match=r"got clipnorm=1.0, global_clipnorm=2.0"):
        SGD(clipnorm=1.0, global_clipnorm=2.0)
    for name in ("clipnorm", "clipvalue", "global_clipnorm"):
        with pytest.raises(ValueError, match=rf"{name} must be a finite number > 0; got 0"):
            RMSprop(**{name: 0})
        with pytest.raises(TypeError, match=rf"{name} must be a number; got '1'"):
            SGD(**{name: "1"})
    with pytest.raises(ValueError, match=r"weight_decay must be a finite number >= 0; got -0.1"):
        SGD(weight_decay=-0.1)
    with pytest.raises(TypeError, match=r"takes from 1 to 4 positional arguments"):
        SGD(0.1, 0.0, False, 0.01)  # the shared options are keyword-only


def test_the_options_are_in_the_config_only_when_set_and_round_trip(tmp_path):
    assert SGD().get_config() == {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}
    assert repr(SGD()) == "SGD(learning_rate=0.01, momentum=0.0, nesterov=False)"
    opt = Adam(0.01, weight_decay=0.1, global_clipnorm=2.0)
    assert opt.get_config() == {"learning_rate": 0.01, "weight_decay": 0.1,
                                "global_clipnorm": 2.0, "beta_1": 0.9, "beta_2": 0.999,
                                "epsilon": 1e-8, "amsgrad": False}
    model = Sequential([Dense(3, input_dim=4), Softmax()], seed=0)
    model.compile("categorical_crossentropy", opt)
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 4)), rng.integers(0, 3, 20)
    model.fit(X, y, epochs=2, batch_size=5, verbose=0)
    loaded = load_model(model.save(tmp_path / "m.npz"))
    assert loaded.optimizer.get_config() == opt.get_config()
    loaded.fit(X, y, epochs=1, batch_size=5, verbose=0)
    model.fit(X, y, epochs=1, batch_size=5, verbose=0)
    for name, value in model.get_parameters().items():
        assert np.array_equal(loaded.get_parameters()[name], value), name


# ---------------------------------------------------------------------- the fast path
def _triples():
    rng = np.random.default_rng(5)
    return [("d/W", rng.standard_normal((4, 3)), rng.standard_normal((4, 3)))]


@pytest.mark.parametrize("option", [{"clipnorm": 1.0}, {"clipvalue": 0.1},
                                    {"global_clipnorm": 1.0}, {"weight_decay": 0.01},
                                    {"weight_decay": 0.0}])
def test_the_bounded_sgd_step_declines_clipping_and_weight_decay(option):
    assert fast_paths.bounded_sgd_step(SGD(0.1), _triples()) is not None
    assert fast_paths.bounded_sgd_step(SGD(0.1, **option), _triples()) is None


def _fit_both_paths(make_optimizer, monkeypatch):
    """The same fit of a model over fast_paths.SMALL_MODEL_PARAMS parameters with the fast
    paths on, then off: the models, and how many updates the bounded SGD step wrote in each."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((64, 230))
    y = rng.integers(0, 3, 64)
    real, bounded = fast_paths._subtract_step, []
    monkeypatch.setattr(fast_paths, "_subtract_step",
                        lambda param, step: (bounded.append(1), real(param, step)))
    models, counts = [], []
    for enabled in (True, False):
        previous = config.set_fast_paths(enabled)
        try:
            model = Sequential([Dense(300, input_dim=230), ReLU(), Dense(3), Softmax()], seed=1)
            model.compile("categorical_crossentropy", make_optimizer())
            assert model.count_params() > fast_paths.SMALL_MODEL_PARAMS
            model.fit(X, y, epochs=2, batch_size=16, verbose=0)
        finally:
            config.set_fast_paths(previous)
        models.append(model)
        counts.append(len(bounded))
        bounded.clear()
    return models, counts


@pytest.mark.parametrize("option", [{"clipnorm": 0.05}, {"weight_decay": 0.5},
                                    {"global_clipnorm": 0.1}, {"clipvalue": 1e-3}])
def test_plain_sgd_with_clipping_or_decay_on_a_large_model_equals_the_plain_path(
        option, monkeypatch, numpy_steps):
    (fast, plain), counts = _fit_both_paths(lambda: SGD(0.1, **option), monkeypatch)
    assert counts == [0, 0]  # declined: the guard's path ran optimizer.step
    for name, value in plain.get_parameters().items():
        assert np.array_equal(fast.get_parameters()[name], value), name
    # ... and the option was applied: plain SGD gives other numbers.
    (unclipped, _), counts = _fit_both_paths(lambda: SGD(0.1), monkeypatch)
    assert counts[0] > 0
    assert not np.array_equal(unclipped.get_parameters()["W1"], fast.get_parameters()["W1"])


# ---------------------------------------------------------------------- RMSprop, Adam: new options
def rmsprop_full_rule(lr, rho=0.9, mu=0.0, eps=1e-7, centered=False):
    """Hinton's RMSprop; centered: Graves (2013), dividing by sqrt(E[g^2] - E[g]^2); momentum in
    Keras 3's form, the learning rate inside the velocity; epsilon outside the root."""
    def update(w, g, state, t):
        state["s"] = rho * state.get("s", 0.0) + (1 - rho) * g * g
        if centered:
            state["a"] = rho * state.get("a", 0.0) + (1 - rho) * g
            denom = np.sqrt(state["s"] - state["a"] ** 2) + eps
        else:
            denom = np.sqrt(state["s"]) + eps
        increment = lr(t) * g / denom
        if mu == 0.0:
            return w - increment
        state["v"] = mu * state.get("v", 0.0) + increment
        return w - state["v"]
    return update


def amsgrad_rule(lr, b1=0.9, b2=0.999, eps=1e-8):
    """Adam with AMSGrad's maximum of the raw second moments (Reddi et al., as Keras 3 and
    PyTorch apply it: the maximum is bias-corrected like v)."""
    def update(w, g, state, t):
        state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
        state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g
        state["v_max"] = np.maximum(state.get("v_max", 0.0), state["v"])
        m_hat, v_hat = state["m"] / (1 - b1**t), state["v_max"] / (1 - b2**t)
        return w - lr(t) * m_hat / (np.sqrt(v_hat) + eps)
    return update


RMSPROP_CASES = [dict(momentum=0.9), dict(centered=True), dict(momentum=0.5, centered=True),
                 dict(momentum=0.0, centered=False)]


@pytest.mark.parametrize("options", RMSPROP_CASES, ids=lambda o: str(o))
@pytest.mark.parametrize("scheduled", [False, True], ids=["fixed-lr", "schedule"])
def test_rmsprop_momentum_and_centered(options, scheduled):
    schedule = PiecewiseConstantDecay([2, 4], [0.02, 0.01, 0.002])
    lr = (lambda t: schedule(t - 1)) if scheduled else constant(0.01)
    optimizer = RMSprop(schedule if scheduled else 0.01, rho=0.8, epsilon=1e-6, **options)
    rule = rmsprop_full_rule(lr, rho=0.8, mu=options.get("momentum", 0.0), eps=1e-6,
                             centered=options.get("centered", False))
    grads = _gradients(seed=7)
    trace, _ = _run(optimizer, _params(), grads)
    _compare(trace, reference(rule, _params(), grads), rtol=1e-12)
    slots = {"s"} | ({"g_avg"} if optimizer.centered else set()) | (
        {"velocity"} if optimizer.momentum else set())
    assert set(optimizer.state["p0"]) == slots


def test_rmsprop_keeps_kerass_argument_order_and_checks_its_options():
    r = RMSprop(0.01, 0.8, 0.5, 1e-6, True)
    assert (r.learning_rate, r.rho, r.momentum, r.epsilon, r.centered) == (0.01, 0.8, 0.5, 1e-6, True)
    assert RMSprop().get_config() == {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0,
                                      "epsilon": 1e-7, "centered": False}
    with pytest.raises(ValueError, match=r"momentum must be a finite number >= 0 and < 1; got 1.0"):
        RMSprop(momentum=1.0)


def test_centered_rmsprop_is_finite_and_quiet_under_a_constant_gradient():
    # s - g_avg**2 is 0 in exact arithmetic once rho**t vanishes: rounding must not make a NaN.
    w, g = np.ones(5), np.full(5, 0.37)
    opt = RMSprop(0.001, rho=0.5, centered=True, momentum=0.9)
    with np.errstate(all="raise"):
        for _ in range(200):
            opt.step([("w", w, g)])
    assert np.isfinite(w).all()


def test_adam_amsgrad():
    grads = _gradients(seed=8)
    trace, _ = _run(Adam(0.02, beta_2=0.9, amsgrad=True), _params(), grads)
    _compare(trace, reference(amsgrad_rule(constant(0.02), b2=0.9), _params(), grads))
    plain, _ = _run(Adam(0.02, beta_2=0.9), _params(), grads)
    assert not np.allclose(plain[-1][0], trace[-1][0])  # the maximum mattered
    opt = Adam(amsgrad=True)
    opt.step([("w", np.zeros(2), np.ones(2))])
    assert set(opt.state["w"]) == {"m", "v", "v_max"}
    assert Adam(0.1, 0.9, 0.99, 1e-7, True).amsgrad is True


# ---------------------------------------------------------------------- AdamW, Adagrad
def adagrad_rule(lr, initial=0.1, eps=1e-7):
    """Duchi et al.'s Adagrad, the accumulator starting at ``initial``, epsilon outside the root."""
    def update(w, g, state, t):
        state["a"] = state.get("a", initial) + g * g
        return w - lr(t) * g / (np.sqrt(state["a"]) + eps)
    return update


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adamw_is_adam_after_the_decoupled_decay(amsgrad):
    # Loshchilov & Hutter's Algorithm 2 with Keras's schedule multiplier eta_t = 1: the decay
    # W := W - lr * wd * W, then Adam's step.
    grads = _gradients(seed=9)
    trace, _ = _run(AdamW(0.01, 0.2, beta_1=0.85, beta_2=0.95, amsgrad=amsgrad), _params(), grads)
    rule = (amsgrad_rule if amsgrad else adam_rule)(constant(0.01), 0.85, 0.95)
    _compare(trace, reference(rule, _params(), grads, weight_decay=0.2, lr=constant(0.01)))


def test_adamw_defaults_and_checks():
    opt = AdamW()
    assert (opt.learning_rate, opt.weight_decay, opt.beta_1, opt.beta_2, opt.epsilon,
            opt.amsgrad) == (0.001, 0.004, 0.9, 0.999, 1e-8, False)
    assert opt.get_config() == {"learning_rate": 0.001, "weight_decay": 0.004, "beta_1": 0.9,
                                "beta_2": 0.999, "epsilon": 1e-8, "amsgrad": False}
    with pytest.raises(TypeError, match=r"weight_decay must be a number; got None.*Adam has none"):
        AdamW(weight_decay=None)
    with pytest.raises(ValueError, match=r"weight_decay must be a finite number >= 0; got -1"):
        AdamW(weight_decay=-1)
    w = np.full(3, 2.0)
    AdamW(0.1, weight_decay=0.0).step([("w", w, np.zeros(3))])
    np.testing.assert_array_equal(w, 2.0)  # no decay, and a zero gradient moves nothing


@pytest.mark.parametrize("initial, eps", [(0.1, 1e-7), (0.0, 1e-10), (2.0, 0.5)])
def test_adagrad(initial, eps):
    grads = _gradients(seed=10)
    trace, _ = _run(Adagrad(0.05, initial, eps), _params(), grads)
    _compare(trace, reference(adagrad_rule(constant(0.05), initial, eps), _params(), grads))


def test_adagrad_defaults_and_checks():
    opt = Adagrad()
    assert (opt.learning_rate, opt.initial_accumulator_value, opt.epsilon) == (0.001, 0.1, 1e-7)
    with pytest.raises(ValueError, match=r"initial_accumulator_value must be a finite number >= 0"):
        Adagrad(initial_accumulator_value=-0.1)
    with pytest.raises(ValueError, match=r"epsilon must be a finite number > 0; got 0"):
        Adagrad(epsilon=0)
    opt.step([("w", np.zeros(2), np.array([3.0, 4.0]))])
    np.testing.assert_allclose(opt.state["w"]["accumulator"], [9.1, 16.1], rtol=1e-15)


def test_new_names_resolve_train_and_round_trip(tmp_path):
    assert type(optimizers.get("adamw")) is AdamW and type(optimizers.get("AdaGrad")) is Adagrad
    with pytest.raises(ValueError, match=r"one of \['adagrad', 'adam', 'adamw', 'lbfgs', "
                                         r"'rmsprop', 'sgd'\] \(did you mean 'adamw'\?\)"):
        optimizers.get("adamW2")
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((30, 4)), rng.integers(0, 3, 30)
    for name in ("adamw", "adagrad"):
        model = Sequential([Dense(5, input_dim=4), ReLU(), Dense(3), Softmax()], seed=0)
        model.compile("categorical_crossentropy", name)
        model.fit(X, y, epochs=2, batch_size=10, verbose=0)
        loaded = load_model(model.save(tmp_path / f"{name}.npz"))
        assert type(loaded.optimizer) is type(model.optimizer)
        assert loaded.optimizer.get_config() == model.optimizer.get_config()
        for m in (model, loaded):
            m.fit(X, y, epochs=1, batch_size=10, verbose=0)
        for key, value in model.get_parameters().items():
            assert np.array_equal(loaded.get_parameters()[key], value), (name, key)
