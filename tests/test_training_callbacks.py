"""EarlyStopping, ModelCheckpoint, LearningRateScheduler, CSVLogger, TerminateOnNaN basics."""

import csv

import pytest

from neuralkit import Sequential, load_model
from neuralkit.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LearningRateScheduler,
    ModelCheckpoint,
)
from neuralkit.layers import Dense, Sigmoid, Tanh
from neuralkit.optimizers import SGD
from tests.helpers import binary_data, layer_params, same_arrays


def _data(m=40, seed=0):
    return binary_data(m, 3, lambda X: X[:, 0] + 0.5 * X[:, 2], seed)


def _model(seed=0, lr=0.1):
    model = Sequential([Dense(5, input_dim=3), Tanh(), Dense(1), Sigmoid()], seed=seed)
    model.compile("binary_crossentropy", SGD(lr), ["accuracy"])
    return model


class Script(Callback):
    """Overwrites one log value with a scripted sequence (listed before the callback under test)."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values = key, values

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class Snapshots(Callback):
    def on_train_begin(self, logs=None):
        self.params_at = {}

    def on_epoch_end(self, epoch, logs=None):
        self.params_at[epoch] = layer_params(self.model)


def _stop_epoch(values, patience, min_delta, maximize):
    """Independent oracle: the epoch after which training stops (None: it never does)."""
    best, since = None, 0
    for epoch, value in enumerate(values):
        better = best is None or (value > best + min_delta if maximize
                                  else value < best - min_delta)
        if better:
            best, since = value, 0
        else:
            since += 1
            if since >= patience and epoch > 0:
                return epoch
    return None


@pytest.mark.parametrize("values, patience, min_delta", [
    ([1.0, 0.9, 0.95, 0.91, 0.92, 0.5, 0.4, 0.3], 2, 0.0),
    ([1.0, 0.9, 0.95, 0.91, 0.92, 0.5, 0.4, 0.3], 3, 0.0),
    ([1.0, 0.96, 0.93, 0.91, 0.90, 0.89, 0.88, 0.87], 1, 0.02),
    ([1.0, 1.0, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05], 0, 0.0),
    ([1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3], 1, 0.0),
])
def test_early_stopping_stops_where_the_oracle_says(values, patience, min_delta):
    X, y = _data()
    model = _model()
    stopper = EarlyStopping(patience=patience, min_delta=min_delta)
    history = model.fit(X, y, epochs=len(values), verbose=0, validation_split=0.25,
                        callbacks=[Script("val_loss", values), stopper])
    stop = _stop_epoch(values, patience, min_delta, maximize=False)
    assert stopper.stopped_epoch == (0 if stop is None else stop)  # Keras's 0: not stopped
    assert len(history.history["loss"]) == (len(values) if stop is None else stop + 1)
    assert history.history["val_loss"] == values[:len(history.history["loss"])]


def test_early_stopping_mode_auto_maximizes_accuracy():
    values = [0.5, 0.6, 0.7, 0.65, 0.69, 0.9]
    X, y = _data()
    stopper = EarlyStopping(monitor="val_accuracy", patience=2)
    assert stopper.mode_max and not EarlyStopping(monitor="val_loss").mode_max
    assert not EarlyStopping(monitor="mae").mode_max
    history = _model().fit(X, y, epochs=6, verbose=0, validation_split=0.25,
                           callbacks=[Script("val_accuracy", values), stopper])
    assert stopper.stopped_epoch == _stop_epoch(values, 2, 0.0, maximize=True) == 4
    assert len(history.epoch) == 5 and stopper.best == 0.7 and stopper.best_epoch == 2


def test_restore_best_weights_puts_back_the_best_epoch():
    values = [1.0, 0.4, 0.7, 0.8, 0.9]
    X, y = _data()
    model = _model()
    snaps = Snapshots()
    model.fit(X, y, epochs=5, verbose=0, validation_split=0.25,
              callbacks=[Script("val_loss", values), snaps,
                         EarlyStopping(patience=3, restore_best_weights=True)])
    assert len(model.history.epoch) == 5  # stopped at epoch 4 (0-based)
    assert same_arrays(layer_params(model), snaps.params_at[1])
    assert not same_arrays(layer_params(model), snaps.params_at[4])


def test_restore_best_weights_is_not_applied_when_fit_is_cut_short():
    values = [1.0, 0.4, 0.7, 0.8, 0.9]
    X, y = _data()
    model = _model()
    snaps = Snapshots()

    class Boom(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 3:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, epochs=5, verbose=0, validation_split=0.25,
                  callbacks=[Script("val_loss", values), snaps,
                             EarlyStopping(patience=3, restore_best_weights=True), Boom()])
    assert same_arrays(layer_params(model), snaps.params_at[3])


def test_monitoring_a_value_fit_does_not_log_fails_before_training(tmp_path):
    X, y = _data()
    model = _model()
    before = layer_params(model)
    with pytest.raises(ValueError, match="monitors 'val_loss'.*validation_data or validation_split"):
        model.fit(X, y, epochs=2, verbose=0, callbacks=[EarlyStopping()])
    with pytest.raises(ValueError, match="monitors 'val_mae'"):
        model.fit(X, y, epochs=2, verbose=0, validation_split=0.2,
                  callbacks=[ModelCheckpoint(tmp_path / "x.npz", monitor="val_mae",
                                             save_best_only=True)])
    assert same_arrays(layer_params(model), before)


@pytest.mark.parametrize("kwargs, error", [
    ({"patience": -1}, ValueError), ({"patience": 1.5}, TypeError),
    ({"min_delta": -0.1}, ValueError), ({"mode": "up"}, ValueError), ({"monitor": 3}, TypeError),
])
def test_early_stopping_argument_errors(kwargs, error):
    with pytest.raises(error, match="EarlyStopping"):
        EarlyStopping(**kwargs)


def test_model_checkpoint_every_epoch_resumes_exactly(tmp_path):
    X, y = _data()
    straight = _model()
    straight.fit(X, y, epochs=4, batch_size=8, verbose=0)

    model = _model()
    checkpoint = ModelCheckpoint(tmp_path / "ckpt-{epoch:02d}-{loss:.3f}.npz")
    model.fit(X, y, epochs=4, batch_size=8, verbose=0, callbacks=[checkpoint])
    losses = model.history.history["loss"]
    assert [p.name for p in checkpoint.saved] == [
        f"ckpt-{e + 1:02d}-{losses[e]:.3f}.npz" for e in range(4)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in checkpoint.saved)

    resumed = load_model(checkpoint.saved[1])  # after epoch 2
    history = resumed.fit(X, y, epochs=2, batch_size=8, verbose=0)
    assert history.history["loss"] == losses[2:]
    assert same_arrays(layer_params(resumed), layer_params(straight))


def test_model_checkpoint_save_best_only_writes_improvements_only(tmp_path):
    values = [0.9, 0.8, 0.85, 0.7, 0.75]
    X, y = _data()
    model = _model()
    snaps = Snapshots()
    checkpoint = ModelCheckpoint(tmp_path / "best-{epoch}.npz", save_best_only=True)
    model.fit(X, y, epochs=5, verbose=0, validation_split=0.25,
              callbacks=[Script("val_loss", values), snaps, checkpoint])
    assert [p.name for p in checkpoint.saved] == ["best-1.npz", "best-2.npz", "best-4.npz"]
    assert checkpoint.best == 0.7
    assert same_arrays(layer_params(load_model(tmp_path / "best-4.npz")), snaps.params_at[3])


def test_model_checkpoint_one_file_is_replaced_in_place(tmp_path):
    X, y = _data()
    model = _model()
    model.fit(X, y, epochs=3, verbose=0, callbacks=[ModelCheckpoint(tmp_path / "last.npz")])
    assert [p.name for p in tmp_path.iterdir()] == ["last.npz"]
    assert same_arrays(layer_params(load_model(tmp_path / "last.npz")), layer_params(model))


def test_model_checkpoint_bad_pattern_is_a_clear_error(tmp_path):
    X, y = _data()
    with pytest.raises(ValueError, match="cannot fill in filepath.*val_auc"):
        _model().fit(X, y, epochs=1, verbose=0,
                     callbacks=[ModelCheckpoint(str(tmp_path / "{val_auc}.npz"))])


def test_learning_rate_scheduler_matches_setting_the_rate_by_hand():
    X, y = _data()

    def schedule(epoch, lr):
        return lr * 0.5 if epoch > 0 else lr

    scheduled = _model(lr=0.4)
    history = scheduled.fit(X, y, epochs=4, batch_size=8, verbose=0,
                            callbacks=[LearningRateScheduler(schedule)])
    assert history.history["learning_rate"] == [0.4, 0.2, 0.1, 0.05]

    by_hand = _model(lr=0.4)
    for rate in (0.4, 0.2, 0.1, 0.05):
        by_hand.optimizer.learning_rate = rate
        by_hand.fit(X, y, epochs=1, batch_size=8, verbose=0)
    assert same_arrays(layer_params(scheduled), layer_params(by_hand))


def test_learning_rate_scheduler_takes_one_argument_schedules_and_checks_the_value():
    X, y = _data()
    model = _model()
    history = model.fit(X, y, epochs=3, verbose=0,
                        callbacks=[LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))])
    assert history.history["learning_rate"] == [0.1, 0.05, 0.1 / 3]
    with pytest.raises(ValueError, match=r"schedule returned -1.0 for epoch 0.*> 0"):
        model.fit(X, y, epochs=1, verbose=0, callbacks=[LearningRateScheduler(lambda e: -1.0)])
    with pytest.raises(TypeError, match="schedule must be callable"):
        LearningRateScheduler(0.1)


def test_csv_logger_rows_equal_the_history_exactly(tmp_path):
    X, y = _data()
    path = tmp_path / "log.csv"
    model = _model()
    history = model.fit(X, y, epochs=3, verbose=0, validation_split=0.25,
                        callbacks=[CSVLogger(path)])
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2]
    for i, key in enumerate(rows[0][1:], start=1):
        assert [float(r[i]) for r in rows[1:]] == history.history[key]

    model.fit(X, y, epochs=2, verbose=0, validation_split=0.25,
              callbacks=[CSVLogger(path, append=True)])
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    assert len(rows) == 6 and rows.count(rows[0]) == 1
    assert [float(r[1]) for r in rows[4:]] == model.history.history["loss"]


def test_csv_logger_keeps_the_completed_epochs_of_an_interrupted_run(tmp_path):
    X, y = _data()
    path = tmp_path / "log.csv"

    class Boom(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                raise KeyboardInterrupt

    logger = CSVLogger(path, separator=";")
    with pytest.raises(KeyboardInterrupt):
        _model().fit(X, y, epochs=5, verbose=0, callbacks=[logger, Boom()])
    assert logger._file is None  # closed by on_train_end
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch;loss;accuracy" and len(lines) == 3


def test_callbacks_added_log_values_reach_the_history():
    X, y = _data()

    class AddsLog(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["twice_loss"] = 2 * logs["loss"]

    history = _model().fit(X, y, epochs=2, verbose=0, callbacks=[AddsLog()])
    assert history.history["twice_loss"] == [2 * v for v in history.history["loss"]]


def test_a_failing_on_train_begin_ends_the_callbacks_already_begun(tmp_path):
    X, y = _data()
    logger = CSVLogger(tmp_path / "log.csv")
    with pytest.raises(ValueError, match="monitors 'val_loss'"):
        _model().fit(X, y, epochs=2, verbose=0, callbacks=[logger, EarlyStopping()])
    assert logger._file is None


def test_every_callback_gets_on_train_end_even_if_one_fails_there():
    X, y = _data()
    ended = []

    class FailsAtEnd(Callback):
        def on_train_end(self, logs=None):
            ended.append("fails")
            raise RuntimeError("end failed")

    class Ends(Callback):
        def on_train_end(self, logs=None):
            ended.append("ends")

    with pytest.raises(RuntimeError, match="end failed"):
        _model().fit(X, y, epochs=1, verbose=0, callbacks=[FailsAtEnd(), Ends()])
    assert ended == ["fails", "ends"]
