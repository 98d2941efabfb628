"""Keras's callbacks and weights files, against Keras's documented behaviour.

ReduceLROnPlateau, LambdaCallback, EarlyStopping's baseline and start_from_epoch,
ModelCheckpoint's Keras arguments, the callbacks' verbose messages; save_weights and
load_weights (atomic, checked before anything is written).
"""

import json
import zipfile

import numpy as np
import pytest

from neuralkit import ModelFileError, Sequential, load_model, saving
from neuralkit.callbacks import (
    Callback,
    CallbackList,
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
)
from neuralkit.layers import Dense, Layer, ReLU, Sigmoid, Tanh
from neuralkit.optimizers import SGD, schedules
from tests.helpers import binary_data, layer_params, same_arrays


def _data(m=40, seed=0):
    return binary_data(m, 3, lambda X: X[:, 0] + 0.5 * X[:, 2], seed)


def _model(seed=0, lr=0.1, hidden=5, dtype="float64"):
    model = Sequential([Dense(hidden, input_dim=3), Tanh(), Dense(1), Sigmoid()], seed=seed,
                       dtype=dtype)
    model.compile("binary_crossentropy", SGD(lr), ["accuracy"])
    return model


class Scale(Layer):
    """A layer with a parameter of its own: saved under 'scale/s', as get_parameters keys it."""

    def build(self, input_shape):
        self.params = {"s": np.linspace(0.5, 1.5, input_shape[0]).astype(self.dtype)}
        self.grads = {"s": np.zeros_like(self.params["s"])}
        super().build(input_shape)

    def forward(self, A, training=True):
        self.cache = A
        return A * self.params["s"]

    def backward(self, dA):
        self.grads["s"][...] = np.sum(dA * self.cache, axis=0)
        return dA * self.params["s"]


# ---------------------------------------------------------------------- weights files
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_save_weights_then_load_weights_predicts_identically(tmp_path, dtype):
    X, y = _data()
    model = _model(dtype=dtype)
    model.fit(X, y, epochs=3, batch_size=8, verbose=0)
    path = model.save_weights(tmp_path / "model.weights.npz")
    assert path == tmp_path / "model.weights.npz"
    fresh = _model(seed=1, dtype=dtype)
    assert not same_arrays(layer_params(fresh), layer_params(model))
    optimizer_before = fresh.optimizer.get_config()
    fresh.load_weights(path)
    assert same_arrays(layer_params(fresh), layer_params(model))
    assert np.array_equal(fresh.predict(X), model.predict(X))
    assert fresh.optimizer.get_config() == optimizer_before  # weights only


def test_a_weights_file_is_the_course_parameters_and_a_small_metadata_entry(tmp_path):
    model = Sequential([Dense(4, input_dim=3), Scale(), ReLU(), Dense(1)], seed=0)
    model.save_weights(tmp_path / "w.npz")
    with np.load(tmp_path / "w.npz", allow_pickle=False) as archive:
        files = {name: archive[name] for name in archive.files}
    metadata = json.loads(files.pop("__neuralkit__").tobytes())
    parameters = model.get_parameters()
    assert list(files) == list(parameters) == ["W1", "b1", "scale/s", "W2", "b2"]
    assert all(np.array_equal(files[k], v) for k, v in parameters.items())
    assert files["b1"].shape == (4, 1) and files["scale/s"].shape == (4, 1)
    assert metadata["format"] == "neuralkit.weights" and metadata["format_version"] == 1
    assert metadata["keys"] == list(parameters) and metadata["dtype"] == "float64"
    restored = Sequential([Dense(4, input_dim=3), Scale(), ReLU(), Dense(1)], seed=5)
    restored.load_weights(tmp_path / "w.npz")
    assert same_arrays(layer_params(restored), layer_params(model))


def _refused(model, path, error, match):
    before = layer_params(model)
    with pytest.raises(error, match=match):
        model.load_weights(path)
    assert same_arrays(layer_params(model), before)  # nothing was written


def test_weights_of_another_architecture_are_refused_and_change_nothing(tmp_path):
    _model(hidden=5).save_weights(tmp_path / "w.npz")
    _refused(_model(hidden=6), tmp_path / "w.npz", ValueError,
             r"load_weights: 'W1' .*shape \(5, 3\) in .*w\.npz.*the model's is \(6, 3\)")
    deeper = Sequential([Dense(5, input_dim=3), Tanh(), Dense(4), Tanh(), Dense(1)], seed=0)
    _refused(deeper, tmp_path / "w.npz", ValueError,
             r"does not fit this model.*missing from the file: \['W3', 'b3'\]")


def _rewrite(path, change):
    """The weights file at ``path`` with ``change(arrays, metadata)`` applied."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    metadata = json.loads(arrays.pop("__neuralkit__").tobytes())
    change(arrays, metadata)
    saving.archive.write_archive(path, metadata, arrays)


def test_damaged_weights_files_are_refused_and_change_nothing(tmp_path):
    model = _model()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    data = path.read_bytes()
    target = _model(seed=2)

    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    _refused(target, tmp_path / "cut.npz", ModelFileError, r"cut\.npz.*truncated or corrupted")
    flipped = bytearray(data)
    start = data.index(b"W1.npy") + 200  # inside W1's values: its CRC-32 no longer matches
    flipped[start] ^= 0xFF
    (tmp_path / "flip.npz").write_bytes(bytes(flipped))
    _refused(target, tmp_path / "flip.npz", ModelFileError, r"flip\.npz")
    (tmp_path / "empty.npz").write_bytes(b"")
    _refused(target, tmp_path / "empty.npz", ModelFileError, r"empty.*not a neuralkit weights file")
    with pytest.raises(FileNotFoundError, match="load_weights: no file"):
        target.load_weights(tmp_path / "none.npz")

    _rewrite(path, lambda arrays, meta: arrays["b2"].fill(np.nan))
    _refused(target, path, ValueError, r"'b2' in .* contains NaN or inf")
    model.save_weights(path)
    _rewrite(path, lambda arrays, meta: meta.update(format_version=2))
    _refused(target, path, ModelFileError, r"newer neuralkit.*Upgrade")
    model.save_weights(path)
    _rewrite(path, lambda arrays, meta: arrays.pop("b2"))
    _refused(target, path, ModelFileError, r"corrupted: its metadata lists")


def test_a_pickled_array_is_refused_without_being_unpickled(tmp_path):
    path = tmp_path / "w.npz"
    _model().save_weights(path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["W1"] = np.array([object()], dtype=object)
    with open(path, "wb") as file:
        np.savez(file, **arrays)
    _refused(_model(), path, ModelFileError, r"truncated or corrupted.*allow_pickle")


def test_whole_model_files_and_weights_files_point_to_each_other(tmp_path):
    model = _model()
    model.save(tmp_path / "model.npz")
    model.save_weights(tmp_path / "w.npz")
    _refused(_model(seed=1), tmp_path / "model.npz", ModelFileError,
             r"not a neuralkit weights file.*whole model: load it with neuralkit\.load_model")
    with pytest.raises(ModelFileError, match=r"weights only: build the same model and call "
                                             r"model\.load_weights"):
        load_model(tmp_path / "w.npz")


def test_load_weights_needs_a_built_model_and_says_how(tmp_path):
    _model().save_weights(tmp_path / "w.npz")
    unbuilt = Sequential([Dense(5), Tanh(), Dense(1)], seed=0)
    with pytest.raises(ValueError, match=r"not built yet.*shape \(3,\): call model\.build\(3\)"):
        unbuilt.load_weights(tmp_path / "w.npz")
    assert not unbuilt.built
    with pytest.raises(ValueError, match="save_weights: the model is not built"):
        unbuilt.save_weights(tmp_path / "x.npz")


def test_save_weights_overwrite_false_and_bad_paths(tmp_path):
    model = _model()
    model.save_weights(tmp_path / "w.npz")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        model.save_weights(tmp_path / "w.npz", overwrite=False)
    with pytest.raises(ValueError, match="is a folder"):
        model.save_weights(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        model.save_weights(tmp_path / "missing" / "w.npz")
    with pytest.raises(TypeError, match="path must be a str"):
        model.save_weights(3)


def test_a_save_weights_that_fails_half_way_keeps_the_previous_file(tmp_path, monkeypatch):
    model = _model()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    before = path.read_bytes()
    X, y = _data()
    model.fit(X, y, epochs=1, verbose=0)
    real = saving.archive._write_arrays

    def half_then_fail(file, arrays):
        import io

        buffer = io.BytesIO()
        real(buffer, arrays)
        file.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(saving.archive, "_write_arrays", half_then_fail)
    with pytest.raises(OSError, match="No space"):
        model.save_weights(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None


# ---------------------------------------------------------------------- scripted logs
class Snapshots(Callback):
    def on_train_begin(self, logs=None):
        self.params_at = {}

    def on_epoch_end(self, epoch, logs=None):
        self.params_at[epoch] = layer_params(self.model)


class Script(Callback):
    """Overwrites one log value with a scripted sequence (listed before the callback under test)."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values = key, values

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


def _fit_scripted(callback, values, model=None, key="val_loss", **kwargs):
    X, y = _data()
    model = model or _model()
    history = model.fit(X, y, epochs=len(values), batch_size=8, verbose=0,
                        validation_split=0.25, callbacks=[Script(key, values), callback], **kwargs)
    return model, history


# ---------------------------------------------------------------------- ReduceLROnPlateau
def test_reduce_lr_on_plateau_follows_keras_patience_cooldown_and_min_lr():
    # Traced by hand with Keras's rules (patience=2, cooldown=2, factor=0.5, min_lr=0.15):
    #  epoch  val_loss  best  in cooldown         wait  rate logged  reduced to
    #    0     1.00     1.00                       0      0.8
    #    1     0.90     0.90                       0      0.8
    #    2     0.95                                1      0.8
    #    3     0.93                                2      0.8        0.4 (cooldown 2)
    #    4     0.92           yes (2 -> 1)          0      0.4
    #    5     0.91           (1 -> 0), then no     1      0.4
    #    6     0.89     0.89                       0      0.4
    #    7     0.95                                1      0.4
    #    8     0.96                                2      0.4        0.2
    #    9     0.97           yes (2 -> 1)          0      0.2
    #   10     0.98           (1 -> 0), then no     1      0.2
    #   11     0.99                                2      0.2        max(0.1, 0.15) = 0.15
    #   12     1.00           yes (2 -> 1)          0      0.15
    #   13     1.01           (1 -> 0), then no     1      0.15
    #   14     1.02                                2      0.15       (already at min_lr)
    values = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.89, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0, 1.01,
              1.02]
    reducer = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=2, min_lr=0.15, min_delta=0.0)
    model, history = _fit_scripted(reducer, values, _model(lr=0.8))
    rates = [0.8] * 4 + [0.4] * 5 + [0.2] * 3 + [0.15] * 3
    assert history.history["learning_rate"] == rates
    assert reducer.reductions == [(3, 0.4), (8, 0.2), (11, 0.15)]
    assert model.optimizer.learning_rate == 0.15 and reducer.wait == 2

    # Training used those rates: the same as setting them by hand, epoch by epoch.
    X, y = _data()
    by_hand = _model(lr=0.8)
    for rate in rates:
        by_hand.optimizer.learning_rate = rate
        by_hand.fit(X, y, epochs=1, batch_size=8, verbose=0, validation_split=0.25)
    assert same_arrays(layer_params(by_hand), layer_params(model))


def test_reduce_lr_on_plateau_min_delta_and_max_mode():
    # min_delta=0.05: 0.96 and 0.97 are not improvements on 1.0 (0.94 is); patience 2 reduces
    # at epoch 2.
    reducer = ReduceLROnPlateau(factor=0.1, patience=2, min_delta=0.05)
    _, history = _fit_scripted(reducer, [1.0, 0.96, 0.97, 0.94], _model(lr=1.0))
    assert history.history["learning_rate"] == [1.0, 1.0, 1.0, 0.1]
    # val_accuracy is maximized ('auto'); patience=0 reduces at each epoch without improvement.
    reducer = ReduceLROnPlateau(monitor="val_accuracy", factor=0.5, patience=0)
    assert reducer.mode_max
    _, history = _fit_scripted(reducer, [0.5, 0.6, 0.6, 0.7, 0.65], _model(lr=1.0),
                               key="val_accuracy")
    assert history.history["learning_rate"] == [1.0, 1.0, 1.0, 0.5, 0.5]
    assert reducer.reductions == [(2, 0.5), (4, 0.25)]


def test_reduce_lr_on_plateau_verbose_prints_keras_message(capsys):
    _fit_scripted(ReduceLROnPlateau(factor=0.5, patience=1, verbose=1), [1.0, 1.0],
                  _model(lr=0.8))
    assert capsys.readouterr().out == "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.4.\n"


@pytest.mark.parametrize("kwargs, error, match", [
    ({"factor": 1.0}, ValueError, "factor must be a finite number > 0 and < 1"),
    ({"factor": 0.0}, ValueError, "factor"), ({"factor": "x"}, TypeError, "factor"),
    ({"patience": -1}, ValueError, "patience"), ({"cooldown": 1.5}, TypeError, "cooldown"),
    ({"min_lr": -0.1}, ValueError, "min_lr"), ({"mode": "up"}, ValueError, "mode"),
    ({"min_delta": -1}, ValueError, "min_delta"), ({"verbose": -1}, ValueError, "verbose"),
])
def test_reduce_lr_on_plateau_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=f"ReduceLROnPlateau: {match}"):
        ReduceLROnPlateau(**kwargs)


def test_reduce_lr_on_plateau_monitor_must_be_logged_before_training():
    X, y = _data()
    model = _model()
    before = layer_params(model)
    with pytest.raises(ValueError, match="ReduceLROnPlateau monitors 'val_loss'.*validation_data"):
        model.fit(X, y, epochs=2, verbose=0, callbacks=[ReduceLROnPlateau()])
    assert same_arrays(layer_params(model), before)



class _LockedSGD(SGD):
    """An optimizer whose rate reads as a number but cannot be set (a schedule behind it)."""

    @property
    def learning_rate(self):
        return 0.1

    @learning_rate.setter
    def learning_rate(self, value):
        if hasattr(self, "_built_rate"):
            raise TypeError("this optimizer's learning rate is a schedule")
        self._built_rate = value


@pytest.mark.parametrize("owner", ["ReduceLROnPlateau", "LearningRateScheduler"])
def test_a_schedule_rate_is_a_clear_error_naming_the_fix(owner):
    X, y = _data()
    model = _model()
    model.optimizer.learning_rate = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    callback = (ReduceLROnPlateau(monitor="loss") if owner == "ReduceLROnPlateau"
                else LearningRateScheduler(lambda epoch, lr: lr))
    before = layer_params(model)
    with pytest.raises(TypeError, match=rf"{owner} sets the optimizer's learning rate, but the "
                                        r"SGD optimizer has learning_rate ExponentialDecay.*not a "
                                        r"number.*SGD\(learning_rate=0\.001\).*drop " + owner):
        model.fit(X, y, epochs=2, verbose=0, callbacks=[callback])
    assert same_arrays(layer_params(model), before)  # refused before training


def test_an_optimizer_refusing_a_number_is_the_same_clear_error():
    model = _model()
    model.compile("binary_crossentropy", _LockedSGD(0.1), ["accuracy"])
    with pytest.raises(TypeError, match=r"_LockedSGD optimizer refuses a number as its "
                                        r"learning_rate \(TypeError: .*schedule\)"):
        _fit_scripted(ReduceLROnPlateau(patience=0), [1.0, 1.0], model)


# ---------------------------------------------------------------------- LambdaCallback
def test_lambda_callback_hooks_are_called_in_order_with_their_arguments():
    calls = []

    def hook(name):
        return lambda *args: calls.append((name, *(a for a in args if isinstance(a, int))))

    names = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
             "on_test_batch_begin", "on_test_batch_end"]
    X, y = _data()
    _model().fit(X[:20], y[:20], epochs=2, batch_size=8, verbose=0, validation_split=0.25,
                 callbacks=[LambdaCallback(**{name: hook(name) for name in names})])
    epoch = lambda e: [("on_epoch_begin", e),  # noqa: E731
                       ("on_train_batch_begin", 0), ("on_train_batch_end", 0),
                       ("on_train_batch_begin", 1), ("on_train_batch_end", 1),
                       ("on_test_begin",), ("on_test_batch_begin", 0), ("on_test_batch_end", 0),
                       ("on_test_end",), ("on_epoch_end", e)]
    assert calls == [("on_train_begin",), *epoch(0), *epoch(1), ("on_train_end",)]


def test_lambda_callback_gets_keras_arguments_and_costs_nothing_per_batch_unless_asked():
    seen = []
    X, y = _data()
    history = _model().fit(X, y, epochs=2, batch_size=8, verbose=0, callbacks=[
        LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"])),
                       on_batch_end=lambda batch, logs: seen.append(logs["size"]))])
    assert [s for s in seen if isinstance(s, tuple)] == list(enumerate(history.history["loss"]))
    assert [s for s in seen if not isinstance(s, tuple)] == [8] * 10  # the older name works
    epoch_only = LambdaCallback(on_epoch_end=lambda epoch, logs: None)
    cbs = CallbackList([epoch_only], _model(), {})
    assert cbs.batch_end == cbs.batch_begin == cbs.test_batch == cbs.predict_batch == []
    batch = LambdaCallback(on_train_batch_end=lambda batch, logs: None)
    assert CallbackList([batch], _model(), {}).batch_end == [batch]


def test_lambda_callback_on_divergence_can_end_training_quietly():
    X, y = _data()
    model = Sequential([Dense(4, input_dim=3), ReLU(), Dense(1)], seed=0)
    model.compile("mse", SGD(1e3))
    errors = []
    quiet = LambdaCallback(on_divergence=lambda error: errors.append(error) or True)
    with np.errstate(all="ignore"):
        history = model.fit(X, y * 1e6, epochs=20, verbose=0, callbacks=[quiet])
    assert len(history.epoch) < 20 and isinstance(errors[0], FloatingPointError)


def test_lambda_callback_argument_errors():
    with pytest.raises(TypeError, match="'on_epoch_ends' is not a callback hook "
                                        r"\(did you mean 'on_epoch_end'\?\)"):
        LambdaCallback(on_epoch_ends=print)
    with pytest.raises(TypeError, match=r"on_train_end must be a function \(logs\); got 3"):
        LambdaCallback(on_train_end=3)
    assert repr(LambdaCallback(on_train_end=print)) == "LambdaCallback(on_train_end)"


# ---------------------------------------------------------------------- EarlyStopping
@pytest.mark.parametrize("baseline, patience, values, stopped", [
    # Keras: an improvement on the best resets wait only if it also beats the baseline.
    (0.5, 2, [0.9, 0.8, 0.85, 0.7, 0.75, 0.6], 2),   # never beats 0.5: stops at epoch 2
    (0.85, 2, [0.9, 0.8, 0.85, 0.7, 0.75, 0.6], None),  # 0.8 beat it: patience as usual
    (None, 1, [0.9, 0.8, 0.85, 0.7, 0.75, 0.6], 2),
    # Improving every epoch without reaching the baseline: stopped only by a non-improvement.
    (0.1, 1, [0.9, 0.8, 0.7, 0.6, 0.65], 4),
])
def test_early_stopping_baseline_as_keras(baseline, patience, values, stopped):
    stopper = EarlyStopping(patience=patience, baseline=baseline)
    _, history = _fit_scripted(stopper, values)
    assert stopper.stopped_epoch == (0 if stopped is None else stopped)  # Keras's 0: not stopped
    assert len(history.epoch) == (len(values) if stopped is None else stopped + 1)


def test_early_stopping_baseline_still_restores_the_best_epoch():
    snaps = Snapshots()
    values = [0.9, 0.8, 0.85, 0.86]
    X, y = _data()
    model = _model()
    model.fit(X, y, epochs=4, batch_size=8, verbose=0, validation_split=0.25, callbacks=[
        Script("val_loss", values), snaps,
        EarlyStopping(patience=2, baseline=0.5, restore_best_weights=True)])
    assert len(model.history.epoch) == 3
    assert same_arrays(layer_params(model), snaps.params_at[1])


def test_early_stopping_start_from_epoch_ignores_the_warm_up():
    values = [0.5, 0.6, 0.7, 0.8, 0.9, 0.85]
    stopper = EarlyStopping(patience=0, start_from_epoch=3)
    _, history = _fit_scripted(stopper, values)
    assert stopper.stopped_epoch == 4 and stopper.best == 0.8 and stopper.best_epoch == 3
    assert len(history.epoch) == 5
    plain = EarlyStopping(patience=0)
    _fit_scripted(plain, values)
    assert plain.stopped_epoch == 1


def test_early_stopping_restores_the_first_monitored_epoch_if_none_improves():
    snaps = Snapshots()
    values = [np.nan, np.nan, np.nan]  # NaN never improves
    X, y = _data()
    model = _model()
    model.fit(X, y, epochs=3, batch_size=8, verbose=0, validation_split=0.25, callbacks=[
        Script("val_loss", values), snaps,
        EarlyStopping(patience=5, restore_best_weights=True, start_from_epoch=1)])
    assert same_arrays(layer_params(model), snaps.params_at[1])


def test_early_stopping_verbose_prints_keras_messages(capsys):
    _fit_scripted(EarlyStopping(patience=1, verbose=1, restore_best_weights=True),
                  [0.9, 0.8, 0.85, 0.9])
    assert capsys.readouterr().out == (
        "Epoch 3: early stopping\nRestoring model weights from the end of the best epoch: 2.\n")


def test_early_stopping_takes_keras_positional_order():
    stopper = EarlyStopping("loss", 0.01, 3, 1, "min", 0.2, True, 2)
    assert (stopper.monitor, stopper.min_delta, stopper.patience, stopper.verbose,
            stopper.mode_max, stopper.baseline, stopper.restore_best_weights,
            stopper.start_from_epoch) == ("loss", 0.01, 3, 1, False, 0.2, True, 2)
    with pytest.raises(ValueError, match="EarlyStopping: start_from_epoch"):
        EarlyStopping(start_from_epoch=-1)
    with pytest.raises(TypeError, match="EarlyStopping: baseline must be a number"):
        EarlyStopping(baseline="0.5")


# ---------------------------------------------------------------------- ModelCheckpoint
def test_model_checkpoint_weights_only_loads_into_a_fresh_model(tmp_path):
    X, y = _data()
    model = _model()
    checkpoint = ModelCheckpoint(tmp_path / "ckpt" / "best-{epoch:02d}.weights.npz",
                                 monitor="val_loss", save_best_only=True, save_weights_only=True)
    snaps = Snapshots()
    model.fit(X, y, epochs=4, batch_size=8, verbose=0, validation_split=0.25,
              callbacks=[Script("val_loss", [0.9, 0.8, 0.85, 0.7]), snaps, checkpoint])
    assert [p.name for p in checkpoint.saved] == ["best-01.weights.npz", "best-02.weights.npz",
                                                  "best-04.weights.npz"]  # folder created
    fresh = _model(seed=7)
    fresh.load_weights(checkpoint.saved[-1])
    assert same_arrays(layer_params(fresh), snaps.params_at[3])
    assert np.array_equal(fresh.predict(X), model.predict(X))
    with pytest.raises(ModelFileError, match="weights only"):
        load_model(checkpoint.saved[-1])


def test_model_checkpoint_verbose_prints_keras_messages(tmp_path, capsys):
    path = tmp_path / "best.npz"
    _fit_scripted(ModelCheckpoint(path, verbose=1, save_best_only=True), [0.9, 0.8, 0.85])
    assert capsys.readouterr().out.splitlines() == [
        f"Epoch 1: val_loss improved from None to 0.90000, saving model to {path}",
        f"Epoch 2: val_loss improved from 0.90000 to 0.80000, saving model to {path}",
        "Epoch 3: val_loss did not improve from 0.80000"]
    _fit_scripted(ModelCheckpoint(path, verbose=1), [0.9])
    assert capsys.readouterr().out == f"Epoch 1: saving model to {path}\n"


def test_model_checkpoint_initial_value_threshold():
    checkpoint = ModelCheckpoint("unused.npz", save_best_only=True, initial_value_threshold=0.85)
    assert checkpoint.best == 0.85


def test_model_checkpoint_initial_value_threshold_is_the_value_to_beat(tmp_path):
    checkpoint = ModelCheckpoint(tmp_path / "{epoch}.npz", save_best_only=True,
                                 initial_value_threshold=0.85)
    _fit_scripted(checkpoint, [0.9, 0.8, 0.85, 0.7])
    assert [p.name for p in checkpoint.saved] == ["2.npz", "4.npz"]


def test_model_checkpoint_save_freq_counts_batches_across_epochs(tmp_path):
    snaps = []

    class AtBatch(Callback):
        def on_train_batch_end(self, batch, logs=None):
            snaps.append(layer_params(self.model))

    checkpoint = ModelCheckpoint(tmp_path / "e{epoch}-b{batch}.npz", save_freq=3)
    X, y = _data()
    model = _model()
    model.fit(X, y, epochs=2, batch_size=8, verbose=0, callbacks=[AtBatch(), checkpoint])
    # 5 batches an epoch: the 3rd, 6th and 9th batches of the run.
    assert [p.name for p in checkpoint.saved] == ["e1-b3.npz", "e2-b1.npz", "e2-b4.npz"]
    assert same_arrays(layer_params(load_model(checkpoint.saved[1])), snaps[5])
    with pytest.raises(ValueError, match=r"save_freq=3 compares the training batch logs.*'val_loss'"):
        model.fit(X, y, epochs=1, verbose=0, validation_split=0.25,
                  callbacks=[ModelCheckpoint(tmp_path / "x.npz", save_best_only=True, save_freq=3)])
    best = ModelCheckpoint(tmp_path / "best.npz", monitor="loss", save_best_only=True, save_freq=1)
    model.fit(X, y, epochs=1, batch_size=8, verbose=0, callbacks=[best])
    assert 1 <= len(best.saved) <= 5 and best.best < np.inf
    for bad, error in (("batch", ValueError), (0, ValueError), (1.5, TypeError)):
        with pytest.raises(error, match="ModelCheckpoint: save_freq"):
            ModelCheckpoint("x.npz", save_freq=bad)


def test_model_checkpoint_per_epoch_costs_nothing_per_batch():
    assert CallbackList([ModelCheckpoint("x.npz")], _model(), {}).batch_end == []


def test_model_checkpoint_takes_keras_positional_order():
    checkpoint = ModelCheckpoint("x.npz", "loss", 1, True, True, "min", 4, 0.5)
    assert (checkpoint.monitor, checkpoint.verbose, checkpoint.save_best_only,
            checkpoint.save_weights_only, checkpoint.mode_max, checkpoint.save_freq,
            checkpoint.best) == ("loss", 1, True, True, False, 4, 0.5)


# ---------------------------------------------------------------------- LearningRateScheduler
def test_learning_rate_scheduler_verbose_prints_keras_message(capsys):
    X, y = _data()
    _model(lr=0.4).fit(X, y, epochs=2, verbose=0, callbacks=[
        LearningRateScheduler(lambda epoch, lr: lr / 2, verbose=1)])
    assert capsys.readouterr().out.splitlines() == [
        "Epoch 1: LearningRateScheduler setting learning rate to 0.2.",
        "Epoch 2: LearningRateScheduler setting learning rate to 0.1."]
