"""Faults during fit: Ctrl-C, divergence, and exceptions from a user's code."""

import math
import os
import signal
import threading

import numpy as np
import pytest

from neuralkit import DivergenceError, Sequential
from neuralkit.callbacks import Callback, TerminateOnNaN
from neuralkit.layers import Dense, Layer, ReLU, Sigmoid, Tanh
from neuralkit.optimizers import SGD, Adam
from neuralkit.training import fast_paths
from tests.helpers import assert_same_state, binary_data, copy_state, layer_params, same_arrays


def _data(m=50, seed=0):
    return binary_data(m, 3, lambda X: X[:, 0] - X[:, 1], seed)


def _model(dtype="float64", optimizer=None, seed=0):
    model = Sequential([Dense(6, input_dim=3), Tanh(), Dense(4), ReLU(), Dense(1), Sigmoid()],
                       seed=seed, dtype=dtype)
    model.compile("binary_crossentropy", optimizer or SGD(0.1, momentum=0.9), ["accuracy"])
    return model


class Recorder(Callback):
    """Keeps parameters and optimizer state after every batch, and every hook call."""

    def __init__(self):
        super().__init__()
        self.after = {}
        self.losses = {}
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")
        self.epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        self.after[(self.epoch, batch)] = (layer_params(self.model), copy_state(self.model.optimizer))
        self.losses[(self.epoch, batch)] = logs["loss"]

    def on_train_end(self, logs=None):
        self.calls.append("train_end")


class RaiseAt(Callback):
    def __init__(self, epoch, batch, exception, hook="on_batch_end"):
        super().__init__()
        self.where, self.exception, self.hook = (epoch, batch), exception, hook

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_begin(self, batch, logs=None):
        if self.hook == "on_batch_begin" and (self.epoch, batch) == self.where:
            raise self.exception

    def on_batch_end(self, batch, logs=None):
        if self.hook == "on_batch_end" and (self.epoch, batch) == self.where:
            raise self.exception


# ---------------------------------------------------------------- Ctrl-C
def test_keyboard_interrupt_mid_epoch_keeps_a_consistent_model_and_history():
    X, y = _data()
    reference = _model()
    rec_ref = Recorder()
    reference.fit(X, y, epochs=3, batch_size=8, verbose=0, callbacks=[rec_ref])

    model = _model()
    spy = Recorder()
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, epochs=3, batch_size=8, verbose=0,
                  callbacks=[spy, RaiseAt(1, 3, KeyboardInterrupt())])

    assert spy.calls == ["train_begin", "train_end"]
    # Parameters and optimizer state: exactly those after epoch 2's fourth batch.
    params, state = rec_ref.after[(1, 3)]
    assert same_arrays(layer_params(model), params)
    assert_same_state(copy_state(model.optimizer), state)
    history = model.history
    assert history.epoch == [0]
    assert history.history["loss"] == reference.history.history["loss"][:1]
    partial = history.partial_epoch
    assert partial["epoch"] == 1 and partial["batches"] == 4 and partial["steps"] == 7
    expected = sum(rec_ref.losses[(1, b)] for b in range(4)) / 4
    assert partial["loss"] == pytest.approx(expected, rel=1e-15)
    assert 0 <= partial["accuracy"] <= 1
    # The model stays usable, and picks up from where it was.
    again = model.fit(X, y, epochs=1, batch_size=8, verbose=0)
    assert math.isfinite(again.history["loss"][0]) and model.history is again
    assert again.partial_epoch is None


class InterruptingSGD(SGD):
    """Raises in the middle of a step, after some parameters were already updated."""

    def __init__(self, at_step, after_params, exception, **kwargs):
        super().__init__(**kwargs)
        self.at_step, self.after_params, self.exception = at_step, after_params, exception
        self.seen = 0

    def update(self, param, grad, state):
        super().update(param, grad, state)
        if self.iterations == self.at_step:
            self.seen += 1
            if self.seen == self.after_params:
                self.exception()


@pytest.mark.parametrize("how", ["raise", "signal"])
def test_an_interrupt_inside_the_optimizer_step_undoes_the_whole_step(how):
    if how == "signal" and threading.current_thread() is not threading.main_thread():
        pytest.fail("the signal test must run in the main thread")

    def interrupt():
        if how == "raise":
            raise KeyboardInterrupt
        os.kill(os.getpid(), signal.SIGINT)  # Python's handler raises KeyboardInterrupt

    X, y = _data()
    rec = Recorder()
    # Step 5 is epoch 1's batch 4 (index 4); it is cut after 3 of the 6 parameters.
    model = _model(optimizer=InterruptingSGD(5, 3, interrupt, learning_rate=0.1, momentum=0.9))
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, epochs=2, batch_size=8, verbose=0, callbacks=[rec])
    params, state = rec.after[(0, 3)]
    assert same_arrays(layer_params(model), params)
    assert_same_state(copy_state(model.optimizer), state)
    assert model.optimizer.iterations == 4
    assert model.history.partial_epoch["batches"] == 4


def test_a_resumed_run_after_an_interrupted_step_equals_an_uninterrupted_run():
    X, y = _data()
    straight = _model(optimizer=SGD(0.1, momentum=0.9))
    straight.fit(X, y, epochs=1, batch_size=50, verbose=0)  # one step
    straight.fit(X, y, epochs=1, batch_size=50, verbose=0)  # and another

    def boom():
        raise KeyboardInterrupt

    model = _model(optimizer=InterruptingSGD(2, 4, boom, learning_rate=0.1, momentum=0.9))
    model.fit(X, y, epochs=1, batch_size=50, verbose=0)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, epochs=1, batch_size=50, verbose=0)
    model.optimizer.at_step = -1
    model.fit(X, y, epochs=1, batch_size=50, verbose=0)  # the step again, now complete
    assert same_arrays(layer_params(model), layer_params(straight))


# ---------------------------------------------------------------- divergence
def test_a_nan_loss_stops_fit_with_epoch_batch_and_advice_and_finite_parameters():
    X, y = _data()
    X = X * 50
    rec = Recorder()
    model = Sequential([Dense(8, input_dim=3), ReLU(), Dense(1)], seed=0)
    model.compile("mse", SGD(learning_rate=2.0))
    with pytest.raises(DivergenceError, match=r"epoch \d+, batch \d+.*lower learning rate") as info:
        model.fit(X, y * 1e3, epochs=50, batch_size=10, verbose=0, callbacks=[rec])
    assert isinstance(info.value, FloatingPointError)
    last = max(rec.after)
    assert same_arrays(layer_params(model), rec.after[last][0])
    assert all(np.isfinite(p).all() for p in layer_params(model))


@pytest.mark.parametrize("dtype, lr", [("float32", 1e39), ("float64", 1e308)])
def test_a_finite_loss_whose_update_overflows_is_rolled_back(dtype, lr):
    X, y = _data()
    y = y * 1e4  # regression targets far from the outputs: gradients well above 1
    model = Sequential([Dense(4, input_dim=3), Tanh(), Dense(1)], seed=0, dtype=dtype)
    model.compile("mse", SGD(learning_rate=1e-9))
    rec = Recorder()

    class Boost(Callback):  # after two normal batches, a learning rate that overflows
        def on_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.optimizer.learning_rate = lr

    with pytest.raises(DivergenceError, match=r"epoch 1, batch 3 made parameter '.*' NaN or inf "
                                              r"although the loss \(.*\) was finite"):
        model.fit(X, y, epochs=1, batch_size=8, verbose=0, callbacks=[rec, Boost()])
    assert all(np.isfinite(p).all() for p in layer_params(model))
    assert same_arrays(layer_params(model), rec.after[(0, 1)][0])
    assert model.optimizer.iterations == 2
    assert model.history.partial_epoch["batches"] == 2


class NaNGradient(Layer):
    """Identity forward; a NaN gradient from the third backward on (a buggy custom layer)."""

    calls = 0

    def forward(self, Z, training=True):
        self.cache = None
        return Z

    def backward(self, dA):
        NaNGradient.calls += 1
        return dA * np.nan if NaNGradient.calls >= 3 else dA


def test_non_finite_gradients_with_a_finite_loss_never_reach_the_parameters():
    X, y = _data()
    NaNGradient.calls = 0
    model = Sequential([Dense(4, input_dim=3), NaNGradient(), Dense(1), Sigmoid()], seed=0)
    model.compile("binary_crossentropy", Adam(0.01))
    rec = Recorder()
    with pytest.raises(DivergenceError, match="epoch 1, batch 3 made parameter 'dense/W'"):
        model.fit(X, y, epochs=1, batch_size=8, verbose=0, callbacks=[rec])
    assert same_arrays(layer_params(model), rec.after[(0, 1)][0])
    assert_same_state(copy_state(model.optimizer), rec.after[(0, 1)][1])


def test_terminate_on_nan_turns_divergence_into_a_quiet_stop(capsys):
    X, y = _data()
    X = X * 50
    model = Sequential([Dense(8, input_dim=3), ReLU(), Dense(1)], seed=0)
    model.compile("mse", SGD(learning_rate=2.0))
    stopper, rec = TerminateOnNaN(), Recorder()
    history = model.fit(X, y * 1e3, epochs=50, batch_size=10, verbose=0, callbacks=[stopper, rec])
    assert isinstance(stopper.error, DivergenceError)
    assert "TerminateOnNaN" in capsys.readouterr().err
    assert history is model.history and rec.calls[-1] == "train_end"
    assert all(np.isfinite(v) for v in history.history.get("loss", []))
    assert same_arrays(layer_params(model), rec.after[max(rec.after)][0])


def test_terminate_on_nan_stops_on_a_non_finite_validation_loss():
    X, y = _data()
    model = Sequential([Dense(1, input_dim=3)], seed=0)
    model.compile("mse", SGD(0.01))
    # Finite validation targets whose squared error overflows float64.
    stopper = TerminateOnNaN()
    history = model.fit(X, y, epochs=5, verbose=0, validation_data=(X[:4], np.full(4, 1e200)),
                        callbacks=[stopper])
    assert stopper.stopped_epoch == 0 and history.epoch == [0]
    assert not math.isfinite(history.history["val_loss"][0])


# ---------------------------------------------------------------- a user's exceptions
def test_an_exception_in_a_callback_propagates_with_its_own_traceback_and_the_model_survives():
    X, y = _data()

    class Buggy(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise ZeroDivisionError("bug in my callback")

    model = _model()
    spy = Recorder()
    with pytest.raises(ZeroDivisionError, match="bug in my callback") as info:
        model.fit(X, y, epochs=3, batch_size=8, verbose=0, callbacks=[Buggy(), spy])
    assert info.traceback[-1].name == "on_epoch_end"
    assert info.traceback[-1].path.name == "test_faults.py"
    assert spy.calls == ["train_begin", "train_end"]
    # The epoch was complete: it is the partial record, with all its batches.
    assert model.history.epoch == [0]
    assert model.history.partial_epoch["epoch"] == 1
    assert model.history.partial_epoch["batches"] == 7
    history = model.fit(X, y, epochs=2, batch_size=8, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(model.predict(X)).all()


def test_an_exception_in_a_custom_layer_propagates_and_leaves_the_last_complete_step():
    X, y = _data()

    class Flaky(Layer):
        fail = False

        def forward(self, Z, training=True):
            if self.fail and training:
                raise RuntimeError("flaky layer failed")
            self.cache = None
            return Z

        def backward(self, dA):
            return dA

    class Trip(Callback):
        def on_batch_end(self, batch, logs=None):
            if batch == 2:
                flaky.fail = True

    flaky = Flaky()
    model = Sequential([Dense(4, input_dim=3), flaky, Dense(1), Sigmoid()], seed=0)
    rec = Recorder()
    with pytest.raises(RuntimeError, match="flaky layer failed") as info:
        model.fit(X, y, epochs=1, batch_size=8, verbose=0, callbacks=[rec, Trip()])
    assert info.traceback[-1].name == "forward"
    assert same_arrays(layer_params(model), rec.after[(0, 2)][0])
    flaky.fail = False
    model.fit(X, y, epochs=2, batch_size=8, verbose=0)
    assert np.isfinite(model.predict(X)).all()


def test_an_exception_before_any_batch_leaves_no_partial_epoch():
    X, y = _data()
    model = _model()
    with pytest.raises(ValueError, match="early"):
        model.fit(X, y, epochs=2, batch_size=8, verbose=0,
                  callbacks=[RaiseAt(0, 0, ValueError("early"), hook="on_batch_begin")])
    assert model.history.epoch == [] and model.history.partial_epoch is None


# ---------------------------------------------------------------- Ctrl-C and plain SGD's bounded step
def _in_main_thread():
    if threading.current_thread() is not threading.main_thread():
        pytest.fail("signal tests must run in the main thread")


def _large_model(optimizer):
    model = Sequential([Dense(300, input_dim=3), Tanh(), Dense(250), ReLU(), Dense(1), Sigmoid()],
                       seed=0)
    assert model.count_params() > fast_paths.SMALL_MODEL_PARAMS  # large enough for the bounded path
    model.compile("binary_crossentropy", optimizer, ["accuracy"])
    return model


def test_ctrl_c_while_a_plain_sgd_update_is_written_completes_the_update_then_stops(monkeypatch, numpy_steps):
    # Plain SGD on a large model takes the guard's bounded path (no snapshot): a Ctrl-C that
    # arrives while it writes the parameters is held until every one is written, then honoured.
    _in_main_thread()
    X, y = _data()
    reference, rec_ref = _large_model(SGD(0.1)), Recorder()
    reference.fit(X, y, epochs=1, batch_size=8, verbose=0, callbacks=[rec_ref])

    real_apply, written = fast_paths._subtract_step, []

    def apply_step(param, step):
        real_apply(param, step)
        written.append(model.optimizer.iterations)
        if written.count(5) == 3:  # step 5 (epoch 1, batch 5), 3 of its 6 parameters written
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(fast_paths, "_subtract_step", apply_step)
    model, rec = _large_model(SGD(0.1)), Recorder()
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, epochs=1, batch_size=8, verbose=0, callbacks=[rec])
    assert written.count(5) == 6  # the whole step was written
    assert same_arrays(layer_params(model), rec_ref.after[(0, 4)][0])
    assert model.optimizer.iterations == 5
    assert model.history.partial_epoch["batches"] == 5
    assert model.history.partial_epoch["loss"] == pytest.approx(
        sum(rec_ref.losses[(0, b)] for b in range(5)) / 5, rel=1e-15)
    assert (0, 4) not in rec.after  # stopped before the batch's callbacks
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize("size", ["small", "large"])
def test_ctrl_c_between_updates_during_fit_stops_at_once(size):
    _in_main_thread()
    make = (lambda: _model(optimizer=SGD(0.1))) if size == "small" else (lambda: _large_model(SGD(0.1)))
    X, y = _data()
    reference, rec_ref = make(), Recorder()
    reference.fit(X, y, epochs=2, batch_size=8, verbose=0, callbacks=[rec_ref])

    class Kill(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_batch_end(self, batch, logs=None):
            if (self.epoch, batch) == (1, 3):
                os.kill(os.getpid(), signal.SIGINT)

    model = make()
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, epochs=2, batch_size=8, verbose=0, callbacks=[Kill()])
    assert same_arrays(layer_params(model), rec_ref.after[(1, 3)][0])
    assert model.history.partial_epoch["batches"] == 4
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_plain_sgd_with_non_finite_gradients_still_never_reaches_the_parameters():
    X, y = _data()
    NaNGradient.calls = 0
    # Large: plain SGD would take the bounded path, but it declines NaN gradients.
    model = Sequential([Dense(300, input_dim=3), NaNGradient(), Dense(250), Dense(1), Sigmoid()],
                       seed=0)
    assert model.count_params() > fast_paths.SMALL_MODEL_PARAMS
    model.compile("binary_crossentropy", SGD(0.1))
    rec = Recorder()
    with pytest.raises(DivergenceError, match="epoch 1, batch 3 made parameter 'dense/W'"):
        model.fit(X, y, epochs=1, batch_size=8, verbose=0, callbacks=[rec])
    assert same_arrays(layer_params(model), rec.after[(0, 1)][0])
    assert model.optimizer.iterations == 2
