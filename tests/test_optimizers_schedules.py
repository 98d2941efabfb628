"""Learning-rate schedules (neuralkit.optimizers.schedules): Keras 3's formulas, written out
procedurally from keras/src/optimizers/schedules/learning_rate_schedule.py, step by step; an
optimizer evaluates its schedule at the steps already taken (0 first), in fit and in both
training paths; setting the rate; saving and loading; the LearningRateScheduler callback."""

import math

import numpy as np
import pytest

from neuralkit import Sequential, config, load_model
from neuralkit.callbacks import LearningRateScheduler
from neuralkit.layers import Dense, Linear, ReLU, Softmax
from neuralkit.optimizers import SGD, Adam, RMSprop
from neuralkit.optimizers.schedules import (
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
)
from neuralkit.training import fast_paths
from tests import course_oracle as oracle

STEPS = range(0, 60)


# ---------------------------------------------------------------------- Keras's formulas
def keras_exponential(step, initial, decay_steps, decay_rate, staircase):
    p = step / decay_steps
    if staircase:
        p = math.floor(p)
    return initial * math.pow(decay_rate, p)


def keras_inverse_time(step, initial, decay_steps, decay_rate, staircase):
    p = step / decay_steps
    if staircase:
        p = math.floor(p)
    return initial / (1 + decay_rate * p)


def keras_piecewise(step, boundaries, values):
    # Keras's sum of indicators times values.
    result = float(step <= boundaries[0]) * values[0] + float(step > boundaries[-1]) * values[-1]
    for low, high, value in zip(boundaries[:-1], boundaries[1:], values[1:-1], strict=True):
        result += float(low < step <= high) * value
    return result


def keras_cosine(step, initial, decay_steps, alpha, warmup_target, warmup_steps):
    def decay(s, start):
        fraction = s / decay_steps
        cosine = 0.5 * (1.0 + math.cos(math.pi * fraction))
        return start * ((1 - alpha) * cosine + alpha)

    if warmup_target is None:
        return decay(min(step, decay_steps), initial)
    s = min(step, decay_steps + warmup_steps)
    if s < warmup_steps:
        return (warmup_target - initial) * (s / warmup_steps) + initial
    return decay(s - warmup_steps, warmup_target)


CASES = [
    (ExponentialDecay(0.1, 10, 0.5), lambda t: keras_exponential(t, 0.1, 10, 0.5, False)),
    (ExponentialDecay(0.1, 7, 0.9, staircase=True),
     lambda t: keras_exponential(t, 0.1, 7, 0.9, True)),
    (InverseTimeDecay(0.5, 1.0, 0.5), lambda t: keras_inverse_time(t, 0.5, 1.0, 0.5, False)),
    (InverseTimeDecay(0.5, 4, 2.0, staircase=True),
     lambda t: keras_inverse_time(t, 0.5, 4, 2.0, True)),
    (PiecewiseConstantDecay([5, 20], [1.0, 0.5, 0.1]),
     lambda t: keras_piecewise(t, [5, 20], [1.0, 0.5, 0.1])),
    (PiecewiseConstantDecay([10], [0.3, 0.03]), lambda t: keras_piecewise(t, [10], [0.3, 0.03])),
    (CosineDecay(0.2, 40), lambda t: keras_cosine(t, 0.2, 40, 0.0, None, 0)),
    (CosineDecay(0.2, 25, alpha=0.1), lambda t: keras_cosine(t, 0.2, 25, 0.1, None, 0)),
    (CosineDecay(0.0, 30, warmup_target=0.1, warmup_steps=10),
     lambda t: keras_cosine(t, 0.0, 30, 0.0, 0.1, 10)),
    (CosineDecay(0.01, 20, alpha=0.2, warmup_target=0.1, warmup_steps=5),
     lambda t: keras_cosine(t, 0.01, 20, 0.2, 0.1, 5)),
    (CosineDecay(0.05, 20, warmup_target=0.1, warmup_steps=0),
     lambda t: keras_cosine(t, 0.05, 20, 0.0, 0.1, 0)),
]


@pytest.mark.parametrize("schedule, formula", CASES, ids=[repr(c[0]) for c in CASES])
def test_schedules_follow_keras_formulas_step_by_step(schedule, formula):
    for step in STEPS:
        got = schedule(step)
        assert isinstance(got, float)
        assert math.isclose(got, formula(step), rel_tol=1e-15, abs_tol=1e-18), step


def test_schedules_known_values():
    assert ExponentialDecay(0.1, 10, 0.5)(20) == pytest.approx(0.025, rel=1e-15)
    assert ExponentialDecay(0.1, 10, 0.5, staircase=True)(19) == 0.05
    assert InverseTimeDecay(0.5, 1.0, 0.5)(2) == 0.25
    piecewise = PiecewiseConstantDecay([3, 6], [1.0, 0.5, 0.1])
    assert [piecewise(t) for t in range(9)] == [1.0] * 4 + [0.5] * 3 + [0.1] * 2
    cosine = CosineDecay(0.2, 10, alpha=0.25)
    assert cosine(0) == 0.2 and cosine(10) == pytest.approx(0.05) and cosine(99) == cosine(10)
    assert cosine(5) == pytest.approx(0.2 * (0.75 * 0.5 + 0.25), rel=1e-15)
    warm = CosineDecay(0.0, 10, warmup_target=0.1, warmup_steps=4)
    assert [warm(t) for t in range(5)] == pytest.approx([0.0, 0.025, 0.05, 0.075, 0.1], rel=1e-15)
    assert warm(14) == 0.0 and warm(100) == 0.0


def test_schedule_arguments_are_checked_by_name():
    with pytest.raises(ValueError, match=r"decay_steps must be a finite number > 0; got 0"):
        ExponentialDecay(0.1, 0, 0.9)
    with pytest.raises(ValueError, match=r"decay_rate must be a finite number > 0; got -0.5"):
        ExponentialDecay(0.1, 10, -0.5)
    with pytest.raises(ValueError, match=r"initial_learning_rate must be a finite number >= 0"):
        InverseTimeDecay(-1.0, 10, 0.5)
    with pytest.raises(TypeError, match=r"decay_steps must be a number; got '10'"):
        CosineDecay(0.1, "10")
    with pytest.raises(ValueError, match=r"alpha must be a finite number >= 0 and <= 1; got 1.5"):
        CosineDecay(0.1, 10, alpha=1.5)
    with pytest.raises(ValueError, match=r"warmup_steps must be a finite number >= 0; got -1"):
        CosineDecay(0.0, 10, warmup_target=0.1, warmup_steps=-1)
    with pytest.raises(ValueError, match=r"one more entry than boundaries; got 2 boundaries"):
        PiecewiseConstantDecay([10, 20], [0.1, 0.01])
    with pytest.raises(ValueError, match=r"strictly increasing; got \[20, 10\]"):
        PiecewiseConstantDecay([20, 10], [0.1, 0.01, 0.001])
    with pytest.raises(ValueError, match=r"values\[1\] must be a finite number >= 0"):
        PiecewiseConstantDecay([10], [0.1, float("nan")])


def test_schedules_rebuild_from_their_config():
    for schedule, _ in CASES:
        twin = type(schedule).from_config(schedule.get_config())
        assert twin.get_config() == schedule.get_config()
        assert [twin(t) for t in STEPS] == [schedule(t) for t in STEPS]


# ---------------------------------------------------------------------- in an optimizer
def _gradients(steps, shape=(3, 2), seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) * (-1) ** t for t in range(steps)]


def test_sgd_takes_the_scheduled_rate_of_the_steps_already_taken():
    schedule = PiecewiseConstantDecay([1, 3], [0.3, 0.2, 0.1])
    opt = SGD(schedule)
    w = np.ones((3, 2))
    expected = w.copy()
    rates = []
    for t, g in enumerate(_gradients(6)):
        rates.append(opt.learning_rate)
        assert opt.learning_rate == schedule(t) == schedule(opt.iterations)
        opt.step([("w", w, g)])
        expected = expected - schedule(t) * g
        assert np.array_equal(w, expected)
    assert rates == [0.3, 0.3, 0.2, 0.2, 0.1, 0.1]


def test_adam_with_a_schedule_equals_a_procedural_adam_with_that_rate_per_step():
    schedule = ExponentialDecay(0.05, 3, 0.7)
    b1, b2, eps = 0.9, 0.999, 1e-8
    opt = Adam(schedule)
    w = np.linspace(-1, 1, 6).reshape(3, 2)
    ref, m, v = w.copy(), np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(_gradients(8, seed=1), start=1):
        opt.step([("w", w, g)])
        # Kingma & Ba's Algorithm 1 (epsilon outside the root), alpha_t = schedule(t - 1).
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        ref = ref - schedule(t - 1) * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        np.testing.assert_allclose(w, ref, rtol=1e-13, atol=1e-15)


def test_fit_with_a_schedule_is_the_course_gradient_descent_with_that_rate_per_step():
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((12, 3)), rng.standard_normal((12, 2))
    schedule = CosineDecay(0.0, 6, warmup_target=0.2, warmup_steps=2)
    model = Sequential([Dense(2, input_dim=3), Linear()], seed=0)
    model.compile(loss="mse", optimizer=SGD(schedule))
    params = model.get_parameters()
    for t in range(8):
        params, _ = oracle.L_layer_model(X.T, Y.T, params, schedule(t), 1, ["linear"], "mse")
    model.fit(X, Y, epochs=8, batch_size=12, verbose=0)
    for key, value in model.get_parameters().items():
        np.testing.assert_allclose(value, params[key], rtol=1e-13, atol=1e-15, err_msg=key)
    assert model.optimizer.iterations == 8 and model.optimizer.learning_rate == schedule(8)


def test_a_float_rate_cannot_replace_a_schedule_as_in_keras_but_a_schedule_can():
    opt = RMSprop(ExponentialDecay(0.01, 10, 0.5))
    with pytest.raises(TypeError, match=r"created with a learning-rate schedule.*cannot be set"):
        opt.learning_rate = 0.1
    other = InverseTimeDecay(0.02, 1, 1.0)
    opt.learning_rate = other
    assert opt.learning_rate_schedule is other and opt.learning_rate == 0.02
    plain = SGD(0.1)
    assert plain.learning_rate_schedule is None
    plain.learning_rate = 0.05
    assert plain.learning_rate == 0.05
    plain.learning_rate = other
    assert plain.learning_rate_schedule is other
    with pytest.raises(TypeError, match=r"number or a LearningRateSchedule.*Subclass"):
        SGD(lambda: 0.1)


class _Halving(LearningRateSchedule):
    def __init__(self, start):
        self.start = start

    def __call__(self, step):
        return self.start * 0.5 ** step if step < 3 else -1.0

    def get_config(self):
        return {"start": self.start}


def test_a_user_schedule_is_checked_at_every_step():
    opt = SGD(_Halving(0.4))
    w, g = np.ones(2), np.ones(2)
    for _ in range(3):
        opt.step([("w", w, g)])
    np.testing.assert_allclose(w, 1 - 0.4 - 0.2 - 0.1)
    with pytest.raises(ValueError, match=r"learning_rate must be a finite number >= 0; got -1.0"
                                         r"\. It came from _Halving\(start=0.4\) at step 3"):
        opt.step([("w", w, g)])
    assert opt.iterations == 3 and opt.learning_rate_schedule is not None
    with pytest.raises(NotImplementedError, match="must override __call__"):
        LearningRateSchedule()(0)


# ---------------------------------------------------------------------- saving and loading
def _classifier(optimizer):
    model = Sequential([Dense(6, input_dim=4), ReLU(), Dense(3), Softmax()], seed=3)
    model.compile("categorical_crossentropy", optimizer, ["accuracy"])
    return model


def _classes(m=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 4))
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)


@pytest.mark.parametrize("schedule", [ExponentialDecay(0.05, 4, 0.8, staircase=True),
                                      PiecewiseConstantDecay([5, 9], [0.1, 0.05, 0.01]),
                                      InverseTimeDecay(0.1, 2, 0.3),
                                      CosineDecay(0.0, 12, alpha=0.1, warmup_target=0.1,
                                                  warmup_steps=3)],
                         ids=lambda s: type(s).__name__)
def test_a_model_with_a_schedule_round_trips_and_resumes_bit_for_bit(schedule, tmp_path):
    X, y = _classes()
    straight = _classifier(Adam(schedule))
    full = straight.fit(X, y, epochs=4, batch_size=8, verbose=0)
    first = _classifier(Adam(type(schedule).from_config(schedule.get_config())))
    first.fit(X, y, epochs=2, batch_size=8, verbose=0)
    resumed = load_model(first.save(tmp_path / "m.npz"))
    loaded = resumed.optimizer.learning_rate_schedule
    assert type(loaded) is type(schedule) and loaded.get_config() == schedule.get_config()
    assert resumed.optimizer.iterations == 10 and resumed.optimizer.learning_rate == schedule(10)
    rest = resumed.fit(X, y, epochs=2, batch_size=8, verbose=0)
    for name, value in straight.get_parameters().items():
        assert np.array_equal(resumed.get_parameters()[name], value), name
    assert rest.history["loss"] == full.history["loss"][2:]


def test_a_user_schedule_loads_through_custom_objects(tmp_path):
    model = _classifier(SGD(_Halving(0.1)))
    path = model.save(tmp_path / "m.npz")
    with pytest.raises(Exception, match=r"_Halving.*custom_objects"):
        load_model(path)
    loaded = load_model(path, custom_objects={"_Halving": _Halving})
    assert isinstance(loaded.optimizer.learning_rate_schedule, _Halving)
    assert loaded.optimizer.learning_rate_schedule.start == 0.1


# ---------------------------------------------------------------------- callbacks, fast path
def test_learning_rate_scheduler_refuses_an_optimizer_with_a_schedule():
    X, y = _classes()
    model = _classifier(SGD(ExponentialDecay(0.1, 10, 0.9)))
    before = model.get_parameters()
    with pytest.raises(TypeError, match=r"LearningRateScheduler sets the optimizer's learning "
                                        r"rate, but .* has learning_rate ExponentialDecay.*a "
                                        r"schedule.*drop LearningRateScheduler"):
        model.fit(X, y, epochs=2, verbose=0, callbacks=[LearningRateScheduler(lambda e: 0.1)])
    assert model.optimizer.iterations == 0
    for name, value in before.items():
        assert np.array_equal(model.get_parameters()[name], value)


def _large_model(optimizer):
    """Over fast_paths.SMALL_MODEL_PARAMS parameters: plain SGD takes the bounded step."""
    model = Sequential([Dense(300, input_dim=230), ReLU(), Dense(3), Softmax()], seed=1)
    model.compile("categorical_crossentropy", optimizer)
    assert model.count_params() > fast_paths.SMALL_MODEL_PARAMS
    return model


def _fit_both_paths(make_optimizer, monkeypatch, epochs=2):
    """The same fit with the fast paths on, then off; the models and how many parameter
    updates the bounded SGD step wrote in each."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((64, 230))
    y = rng.integers(0, 3, 64)
    real, bounded = fast_paths._subtract_step, []
    monkeypatch.setattr(fast_paths, "_subtract_step",
                        lambda param, step: (bounded.append(1), real(param, step)))
    results, counts = [], []
    for enabled in (True, False):
        previous = config.set_fast_paths(enabled)
        try:
            model = _large_model(make_optimizer())
            model.fit(X, y, epochs=epochs, batch_size=16, verbose=0)
        finally:
            config.set_fast_paths(previous)
        results.append(model)
        counts.append(len(bounded))
        bounded.clear()
    return results, counts


def test_the_bounded_sgd_step_takes_the_scheduled_rate_exactly(monkeypatch, numpy_steps):
    schedule = PiecewiseConstantDecay([2, 5], [0.2, 0.1, 0.05])
    opt = SGD(schedule)
    W = np.ones((2, 2))
    for _ in range(3):
        opt.step([("W", W, np.ones((2, 2)))])
    commit = fast_paths.bounded_sgd_step(opt, [("W", W, np.ones((2, 2)))])
    assert commit is not None
    commit()
    np.testing.assert_array_equal(W, 1 - 0.2 - 0.2 - 0.2 - 0.1)
    assert opt.iterations == 4 and opt.learning_rate == 0.1
    (fast, plain), counts = _fit_both_paths(lambda: SGD(ExponentialDecay(0.1, 3, 0.5)),
                                            monkeypatch)
    assert counts == [8 * 4, 0]  # 8 steps of 4 parameters each took the bounded step
    for name, value in plain.get_parameters().items():
        assert np.array_equal(fast.get_parameters()[name], value), name
    assert fast.optimizer.iterations == plain.optimizer.iterations == 8
