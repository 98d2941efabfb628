"""Sequential: structure, compile, fit and its History, predict, evaluate, metrics, summary,
parameters in the course's layout, dtype, reproducibility and progress output."""

import math
import warnings

import numpy as np
import pytest

from neuralkit import Sequential
from neuralkit.callbacks import Callback, History
from neuralkit.layers import Dense, Linear, ReLU, Sigmoid, Softmax, Tanh
from neuralkit.losses import BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError
from neuralkit.optimizers import SGD, Adam, RMSprop
from tests import course_oracle as oracle
from tests.helpers import Spy, assert_parameters_close, assert_same_parameters, binary_data


def _binary_data(m=10, seed=0):
    return binary_data(m, 2, lambda X: X[:, 0] + 0.5 * X[:, 1], seed)


# The course's formulas for _small_net (Dense-Tanh-Dense-Sigmoid, binary cross-entropy from the
# logits: dZ = A - Y), in neuralkit's rows layout.
NET = {"activations": ["tanh", "sigmoid"], "layout": "rows"}


def _net_forward(p, X):
    """A[2], the network's output."""
    return oracle.L_model_forward(X, p, **NET)[0]


def _bce(A, y):
    return oracle.compute_cost(A, y, "binary_crossentropy", layout="rows")


def _net_sgd_step(p, X, y, lr):
    """One SGD step on a batch; returns the batch loss and accuracy count before the update."""
    A, caches = oracle.L_model_forward(X, p, **NET)
    loss = _bce(A, y)
    correct = int(np.sum((A > 0.5) == (y > 0.5)))
    grads = oracle.L_model_backward(A, y, caches, loss="binary_crossentropy", fused_output=True, **NET)
    return loss, correct, oracle.update_parameters(p, grads, lr)


def _small_net(seed=0, **kwargs):
    return Sequential([Dense(3, input_dim=2), Tanh(), Dense(1), Sigmoid()], seed=seed, **kwargs)


# ---------------------------------------------------------------------- structure and compile
def test_add_and_constructor_give_the_same_model():
    a = Sequential([Dense(3, input_dim=2), ReLU(), Dense(1)], seed=0)
    b = Sequential(seed=0)
    for layer in (Dense(3, input_dim=2), ReLU(), Dense(1)):
        b.add(layer)
    assert [type(layer) for layer in a.layers] == [type(layer) for layer in b.layers]
    assert_same_parameters(a, b)


def test_add_rejects_non_layers_and_duplicates():
    model = Sequential()
    with pytest.raises(TypeError, match=r"Layer instance; got the class Dense\. Create one first"):
        model.add(Dense)
    with pytest.raises(TypeError, match="Layer instance; got str"):
        model.add("dense")
    relu = ReLU()
    model.add(relu)
    with pytest.raises(ValueError, match="already in this model"):
        model.add(relu)


def test_layer_names_are_unique():
    model = Sequential([Dense(2, input_dim=2), Dense(2), Dense(1)])
    assert [layer.name for layer in model.layers] == ["dense", "dense_1", "dense_2"]


@pytest.mark.parametrize("loss, loss_cls", [("mse", MeanSquaredError),
                                            ("binary_crossentropy", BinaryCrossEntropy),
                                            ("categorical_crossentropy", CategoricalCrossEntropy)])
@pytest.mark.parametrize("opt, opt_cls", [("sgd", SGD), ("rmsprop", RMSprop), ("adam", Adam)])
def test_compile_with_names(loss, loss_cls, opt, opt_cls):
    model = _small_net()
    model.compile(loss=loss, optimizer=opt, metrics=["accuracy"])
    assert type(model.loss) is loss_cls and type(model.optimizer) is opt_cls
    assert model.metrics == ["accuracy"]


def test_compile_with_objects_keeps_them():
    loss, opt = BinaryCrossEntropy(), SGD(0.3, momentum=0.5)
    model = _small_net()
    model.compile(loss=loss, optimizer=opt)
    X, y = _binary_data()
    model.fit(X, y, epochs=2, verbose=0)
    assert model.loss is loss and model.optimizer is opt
    assert opt.iterations == 2


def test_compile_rejects_unknown_names():
    model = _small_net()
    with pytest.raises(ValueError, match="loss"):
        model.compile(loss="hinge")
    with pytest.raises(ValueError, match="optimizer"):
        model.compile(optimizer="newton")
    with pytest.raises(ValueError, match="metric"):
        model.compile(metrics=["f1"])
    with pytest.raises(TypeError, match="metrics"):
        model.compile(metrics="accuracy")


@pytest.mark.parametrize("last, units, loss_cls",
                         [(Sigmoid, 1, BinaryCrossEntropy), (Softmax, 3, CategoricalCrossEntropy),
                          (Linear, 1, MeanSquaredError), (ReLU, 1, MeanSquaredError)])
def test_uncompiled_fit_infers_the_loss_and_uses_adam(last, units, loss_cls):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 2))
    Y = np.eye(3)[rng.integers(0, 3, 12)] if units == 3 else (X[:, :1] > 0).astype(float)
    model = Sequential([Dense(units, input_dim=2), last()], seed=0)
    model.fit(X, Y, epochs=1, verbose=0)
    assert type(model.loss) is loss_cls
    assert type(model.optimizer) is Adam and model.optimizer.learning_rate == 0.001


# ---------------------------------------------------------------------- History
@pytest.mark.parametrize("m, batch_size", [(10, 4), (10, 10), (7, 3), (5, 1)])
def test_history_loss_is_mean_of_batch_losses_before_each_update(m, batch_size):
    X, y = _binary_data(m)
    y = y[:, None]
    model = _small_net()
    model.compile(loss="binary_crossentropy", optimizer=SGD(0.5), metrics=["accuracy"])
    p = model.get_parameters()
    epochs = 3
    expected_loss, expected_acc = [], []
    for _ in range(epochs):
        batch_losses, correct = [], 0
        for start in range(0, m, batch_size):  # the last, smaller batch is used too
            loss, c, p = _net_sgd_step(p, X[start:start + batch_size], y[start:start + batch_size], 0.5)
            batch_losses.append(loss)
            correct += c
        expected_loss.append(sum(batch_losses) / len(batch_losses))
        expected_acc.append(correct / m)
    history = model.fit(X, y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0)
    assert isinstance(history, History) and model.history is history
    assert list(history.history) == ["loss", "accuracy"]
    np.testing.assert_allclose(history.history["loss"], expected_loss, rtol=1e-12)
    assert history.history["accuracy"] == expected_acc
    assert history.epoch == list(range(epochs))
    assert_parameters_close(model, p, rtol=1e-12, atol=1e-15)


def test_history_with_shuffle_matches_the_batch_logs():
    class BatchLosses(Callback):
        def on_train_begin(self, logs=None):
            self.losses, self.sizes = [], []

        def on_batch_end(self, batch, logs=None):
            self.losses.append(logs["loss"])
            self.sizes.append(logs["size"])

    X, y = _binary_data(11)
    model = _small_net()
    recorder = BatchLosses()
    history = model.fit(X, y, epochs=2, batch_size=4, shuffle=True, verbose=0, callbacks=[recorder])
    assert recorder.sizes == [4, 4, 3, 4, 4, 3]
    expected = [np.mean(recorder.losses[:3]), np.mean(recorder.losses[3:])]
    assert history.history["loss"] == pytest.approx(expected, rel=1e-15)


def test_validation_data_gives_val_loss_and_val_metrics():
    X, y = _binary_data(10)
    Xv, yv = _binary_data(6, seed=1)
    model = _small_net()
    model.compile(loss="binary_crossentropy", optimizer=SGD(0.5), metrics=["accuracy"])
    p = model.get_parameters()
    val_loss, val_acc = [], []
    for _ in range(3):
        _, _, p = _net_sgd_step(p, X, y[:, None], 0.5)
        A = _net_forward(p, Xv)
        val_loss.append(_bce(A, yv[:, None]))
        val_acc.append(float(np.mean((A[:, 0] > 0.5) == (yv > 0.5))))
    history = model.fit(X, y, epochs=3, batch_size=10, validation_data=(Xv, yv), verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    np.testing.assert_allclose(history.history["val_loss"], val_loss, rtol=1e-12)
    assert history.history["val_accuracy"] == val_acc


def test_validation_split_holds_out_the_last_samples():
    X, y = _binary_data(10)
    model = _small_net()
    model.compile(loss="binary_crossentropy", optimizer=SGD(0.5))
    p = model.get_parameters()
    # 30% of 10: the last 3 samples, taken before any shuffling; 7 are trained on.
    loss, _, p = _net_sgd_step(p, X[:7], y[:7, None], 0.5)
    val = _bce(_net_forward(p, X[7:]), y[7:, None])
    history = model.fit(X, y, epochs=1, batch_size=32, validation_split=0.3, verbose=0)
    assert history.history["loss"][0] == pytest.approx(loss, rel=1e-12)
    assert history.history["val_loss"][0] == pytest.approx(val, rel=1e-12)


def test_validation_split_too_small_or_too_large():
    X, y = _binary_data(4)
    model = _small_net()
    for split in (0.1, 1.0, -0.2):
        with pytest.raises(ValueError, match="validation_split"):
            model.fit(X, y, validation_split=split, verbose=0)


# ---------------------------------------------------------------------- predict and evaluate
def test_predict_in_batches_equals_predict_whole_and_the_formulas():
    X, _ = _binary_data(50)
    model = _small_net()
    whole = model.predict(X)
    assert whole.shape == (50, 1)
    for batch_size in (1, 7, 50, 64):
        np.testing.assert_allclose(model.predict(X, batch_size=batch_size), whole, rtol=1e-14)
    np.testing.assert_allclose(whole, _net_forward(model.get_parameters(), X), rtol=1e-13)
    # predict accepts Python lists and does not keep the batch in the layers' caches.
    np.testing.assert_allclose(model.predict(X[:3].tolist()), whole[:3], rtol=1e-14)
    with pytest.raises(RuntimeError, match="before forward"):
        model.layers[0].backward(np.ones((1, 3)))


def test_evaluate_returns_loss_and_metrics():
    X, y = _binary_data(30)
    model = _small_net()
    model.compile(loss="binary_crossentropy", metrics=["accuracy", "mae"])
    A = _net_forward(model.get_parameters(), X)[:, 0]
    result = model.evaluate(X, y, return_dict=True)
    assert set(result) == {"loss", "accuracy", "mae"}
    assert result["loss"] == pytest.approx(_bce(A[:, None], y[:, None]), rel=1e-12)
    assert result["accuracy"] == float(np.mean((A > 0.5) == (y == 1)))
    assert result["mae"] == pytest.approx(float(np.mean(np.abs(A - y))), rel=1e-12)
    small_batches = model.evaluate(X, y, batch_size=7, return_dict=True)
    for key in result:
        assert small_batches[key] == pytest.approx(result[key], rel=1e-12)


def test_binary_accuracy_threshold_by_hand():
    # One Dense unit with W = 1, b = 0 and a Sigmoid: A > 0.5 exactly when x > 0.
    model = Sequential([Dense(1, input_dim=1), Sigmoid()])
    model.compile(metrics=["accuracy"])
    model.set_parameters({"W1": [[1.0]], "b1": [[0.0]]})
    X = np.array([[-2.0], [-0.1], [0.0], [0.3], [4.0]])
    y = np.array([0, 1, 0, 1, 0])
    # predictions 0, 0, 0 (A = 0.5 is not > 0.5), 1, 1: right, wrong, right, right, wrong.
    assert model.evaluate(X, y, return_dict=True)["accuracy"] == 3 / 5


def test_categorical_accuracy_argmax_by_hand():
    model = Sequential([Dense(3, input_dim=3), Softmax()])
    model.compile(metrics=["accuracy"])
    model.set_parameters({"W1": np.eye(3), "b1": np.zeros(3)})
    X = np.array([[3.0, 1, 0], [0, 2, 1], [0, 1, 5], [1, 0, 0]])  # arg-max 0, 1, 2, 0
    labels = np.array([0, 2, 2, 1])  # right, wrong, right, wrong
    assert model.evaluate(X, np.eye(3)[labels], return_dict=True)["accuracy"] == 0.5
    assert model.evaluate(X, labels, return_dict=True)["accuracy"] == 0.5


def test_mae_by_hand_for_several_outputs():
    model = Sequential([Dense(2, input_dim=2), Linear()])
    model.compile(loss="mse", metrics=["mae"])
    model.set_parameters({"W1": np.eye(2), "b1": np.zeros(2)})
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    Y = np.array([[0.0, 0.0], [1.0, 1.0]])
    result = model.evaluate(X, Y, return_dict=True)
    assert result["mae"] == pytest.approx((1 + 2 + 2 + 2) / 4, rel=1e-15)
    assert result["loss"] == pytest.approx((1 + 4 + 4 + 4) / 4, rel=1e-15)


# ---------------------------------------------------------------------- summary
def test_summary_rows_and_total():
    model = Sequential([Dense(4, input_dim=3), ReLU(), Dense(2), Softmax()])
    printed = []
    table = model.summary(print_fn=printed.append)
    rows = table["layers"]
    assert [r["name"] for r in rows] == ["dense", "re_lu", "dense_1", "softmax"]
    assert [r["output_shape"] for r in rows] == [(None, 4), (None, 4), (None, 2), (None, 2)]
    assert rows[0]["param_shapes"] == {"W": (4, 3), "b": (4,)}
    assert rows[2]["param_shapes"] == {"W": (2, 4), "b": (2,)}
    assert [r["params"] for r in rows] == [4 * 3 + 4, 0, 2 * 4 + 2, 0]
    assert table["total_params"] == 26
    text = printed[0]
    assert "Total params: 26" in text
    assert "W (4, 3)" in text and "dense_1 (Dense)" in text
    assert len([line for line in text.splitlines() if "(None," in line]) == 4


def test_summary_prints_by_default(capsys):
    Sequential([Dense(2, input_dim=3)]).summary()
    assert "Total params: 8" in capsys.readouterr().out


# ---------------------------------------------------------------------- parameters
def test_get_parameters_course_layout_and_copies():
    model = Sequential([Dense(4, input_dim=3), ReLU(), Dense(2), ReLU(), Dense(1), Sigmoid()], seed=0)
    params = model.get_parameters()
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (4, 3), "b1": (4, 1), "W2": (2, 4), "b2": (2, 1), "W3": (1, 2), "b3": (1, 1)}
    np.testing.assert_array_equal(params["W2"], model.layers[2].params["W"])
    params["W1"][...] = 99.0
    params["b1"][...] = 99.0
    assert not np.any(model.layers[0].params["W"] == 99.0)
    assert not np.any(model.layers[0].params["b"] == 99.0)


def test_set_parameters_round_trip_and_bias_shapes():
    a = Sequential([Dense(4, input_dim=3), ReLU(), Dense(1)], seed=0)
    b = Sequential([Dense(4, input_dim=3), ReLU(), Dense(1)], seed=1)
    b.set_parameters(a.get_parameters())
    assert_same_parameters(b, a)
    X = np.random.default_rng(2).standard_normal((5, 3))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    flat = {k: (v.ravel() if k.startswith("b") else v) for k, v in a.get_parameters().items()}
    flat = {k: v + 1 for k, v in flat.items()}
    b.set_parameters(flat)  # biases as (n,) work too
    np.testing.assert_array_equal(b.get_parameters()["b1"], flat["b1"][:, None])


def test_set_parameters_in_place_keeps_optimizer_references():
    X, y = _binary_data()
    model = _small_net()
    model.fit(X, y, epochs=1, verbose=0)
    W = model.layers[0].params["W"]
    model.set_parameters({k: np.zeros_like(v) for k, v in model.get_parameters().items()})
    assert model.layers[0].params["W"] is W and not W.any()


def test_set_parameters_missing_key():
    model = Sequential([Dense(4, input_dim=3), ReLU(), Dense(1)])
    params = model.get_parameters()
    del params["b2"]
    before = model.get_parameters()
    with pytest.raises(ValueError, match=r"missing key 'b2'.*\(1,\)"):
        model.set_parameters(params)
    assert_same_parameters(model, before)


def test_set_parameters_shape_mismatch_names_key_and_both_shapes():
    model = Sequential([Dense(4, input_dim=3), ReLU(), Dense(1)])
    before = model.get_parameters()
    params = {k: v + 1.0 for k, v in before.items()}  # W1 would be written first...
    params["W2"] = np.zeros((4, 1))  # ...but W2 is wrong, so nothing may change
    with pytest.raises(ValueError, match=r"'W2' has shape \(4, 1\); expected \(1, 4\)"):
        model.set_parameters(params)
    assert_same_parameters(model, before)


def test_set_parameters_unknown_key_and_not_built():
    model = Sequential([Dense(4, input_dim=3)])
    params = model.get_parameters()
    params["W9"] = np.zeros((1, 1))
    with pytest.raises(ValueError, match="unknown keys.*W9"):
        model.set_parameters(params)
    with pytest.raises(ValueError, match="not built"):
        Sequential([Dense(2)]).set_parameters({})


# ---------------------------------------------------------------------- dtype
def test_float32_end_to_end():
    X, y = _binary_data(20)
    first, middle = Spy(), Spy()
    model = Sequential([first, Dense(5, input_dim=2), middle, ReLU(), Dense(1), Sigmoid()],
                       seed=0, dtype="float32")
    model.compile(optimizer="adam", metrics=["accuracy"])
    model.fit(X.tolist(), y, epochs=2, batch_size=8, validation_data=(X, y), verbose=0)
    assert first.forward_dtypes == {np.dtype(np.float32)}
    assert middle.forward_dtypes == {np.dtype(np.float32)}
    assert middle.backward_dtypes == {np.dtype(np.float32)}
    for layer in model.layers:
        for name in layer.params:
            assert layer.params[name].dtype == np.float32, (layer.name, name)
            assert layer.grads[name].dtype == np.float32, (layer.name, name)
    for slots in model.optimizer.state.values():
        assert all(v.dtype == np.float32 for v in slots.values())
    assert model.predict(X).dtype == np.float32
    assert all(v.dtype == np.float32 for v in model.get_parameters().values())


def test_float64_is_the_default_and_bad_dtype():
    assert Sequential([Dense(2, input_dim=2)]).layers[0].params["W"].dtype == np.float64
    with pytest.raises(ValueError, match="dtype"):
        Sequential(dtype="int32")


# ---------------------------------------------------------------------- reproducibility
def _trained(seed):
    X, y = _binary_data(23)
    model = Sequential([Dense(6), ReLU(), Dense(1), Sigmoid()], seed=seed)
    history = model.fit(X, y, epochs=4, batch_size=5, shuffle=True, verbose=0)
    return model.get_parameters(), history.history


def test_same_seed_is_bit_identical_and_global_state_untouched():
    state = np.random.get_state()
    p1, h1 = _trained(3)
    p2, h2 = _trained(3)
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]
    assert h1 == h2
    assert_same_parameters(p1, p2)
    p3, h3 = _trained(4)
    assert not np.array_equal(p1["W1"], p3["W1"])
    assert h1 != h3


def test_shuffle_uses_the_model_seed():
    # Same initial weights, different shuffling seeds: the runs differ only by batch order.
    X, y = _binary_data(20)
    results = []
    for seed in (0, 0, 1):
        fixed = Dense(1, input_dim=2, kernel_initializer=lambda s, r: np.full(s, 0.1))
        model = Sequential([fixed, Sigmoid()], seed=seed)
        model.compile(optimizer=SGD(0.5))
        model.fit(X, y, epochs=3, batch_size=4, verbose=0)
        results.append(model.get_parameters()["W1"])
    assert np.array_equal(results[0], results[1])
    assert not np.array_equal(results[0], results[2])


# ---------------------------------------------------------------------- progress output
def test_verbose_0_is_silent(capsys):
    X, y = _binary_data()
    _small_net().fit(X, y, epochs=2, verbose=0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_verbose_2_prints_one_line_per_epoch(capsys):
    X, y = _binary_data()
    model = _small_net()
    model.compile(metrics=["accuracy"])
    history = model.fit(X, y, epochs=3, validation_data=(X, y), verbose=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 6  # Keras's layout: "Epoch i/n", then the epoch's line
    for epoch in range(3):
        header, line = lines[2 * epoch:2 * epoch + 2]
        assert header == f"Epoch {epoch + 1}/3"
        assert f"loss: {history.history['loss'][epoch]:.4f}" in line
        assert "accuracy:" in line and "val_loss:" in line


def test_verbose_1_shows_a_bar_per_epoch(capsys):
    X, y = _binary_data()
    history = _small_net().fit(X, y, epochs=2, batch_size=4, verbose=1)
    captured = capsys.readouterr()
    out = captured.out
    assert captured.err == ""  # Keras's bar is on stdout, as every verbosity
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "3/3" in out  # 10 samples in batches of 4: three steps
    assert f"loss: {history.history['loss'][-1]:.4f}" in out


def test_fit_verbose_must_be_0_1_2():
    X, y = _binary_data()
    with pytest.raises(ValueError, match="verbose"):
        _small_net().fit(X, y, verbose=3)


def test_stop_training_from_a_callback():
    class StopAfterTwo(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    X, y = _binary_data()
    history = _small_net().fit(X, y, epochs=10, verbose=0, callbacks=[StopAfterTwo()])
    assert len(history.history["loss"]) == 2
    assert math.isfinite(history.history["loss"][-1])


def test_divergence_error_keeps_the_last_finite_parameters():
    class Snapshot(Callback):
        def on_batch_end(self, batch, logs=None):
            self.last = self.model.get_parameters()

    from neuralkit import DivergenceError

    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((20, 3)), rng.standard_normal((20, 1)) * 10
    model = Sequential([Dense(8, input_dim=3), ReLU(), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer=SGD(5.0))
    snapshot = Snapshot()
    # numpy may warn about the overflow on the way; the test is about what fit does next.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(DivergenceError, match="loss became"):
            model.fit(X, Y, epochs=100, batch_size=20, verbose=0, callbacks=[snapshot])
    for key, value in model.get_parameters().items():
        assert np.isfinite(value).all()
        np.testing.assert_array_equal(value, snapshot.last[key])


def test_batch_logs_hold_each_batch_metric():
    class Recorder(Callback):
        def on_train_begin(self, logs=None):
            self.logs = []

        def on_batch_end(self, batch, logs=None):
            self.logs.append(dict(logs))

    X, y = _binary_data(10)
    model = _small_net()
    model.compile(loss="binary_crossentropy", optimizer=SGD(0.5), metrics=["accuracy"])
    p = model.get_parameters()
    expected = []
    for start in range(0, 10, 4):
        loss, correct, p = _net_sgd_step(p, X[start:start + 4], y[start:start + 4, None], 0.5)
        expected.append((loss, correct / len(y[start:start + 4])))
    recorder = Recorder()
    model.fit(X, y, epochs=1, batch_size=4, shuffle=False, verbose=0, callbacks=[recorder])
    assert [log["size"] for log in recorder.logs] == [4, 4, 2]
    for log, (loss, accuracy) in zip(recorder.logs, expected, strict=True):
        assert log["loss"] == pytest.approx(loss, rel=1e-12)
        assert log["accuracy"] == accuracy


def test_verbose_1_bar_shows_running_loss_and_metrics(capsys, monkeypatch):
    import os
    import re
    import shutil
    import sys

    from neuralkit.callbacks import ProgressBar

    # A terminal 200 columns wide: the bar is redrawn in place after every batch.
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=None: os.terminal_size((200, 50)))
    monkeypatch.setattr(ProgressBar, "refresh_interval", 0.0)
    X, y = _binary_data()
    model = _small_net()
    model.compile(optimizer=SGD(0.5), metrics=["accuracy", "mae"])
    p = model.get_parameters()
    running_correct, running_loss = 0, []
    expected = []
    for start in range(0, 10, 4):
        loss, correct, p = _net_sgd_step(p, X[start:start + 4], y[start:start + 4, None], 0.5)
        running_correct += correct
        running_loss.append(loss)
        expected.append((np.mean(running_loss), running_correct / min(start + 4, 10)))
    history = model.fit(X, y, epochs=1, batch_size=4, shuffle=False, verbose=1)
    out = capsys.readouterr().out
    drawings = [d.strip() for d in re.split(r"[\r\n]", out) if d.strip()]
    # One drawing per batch, then the epoch's final line (one epoch: no 'Epoch 1/1', as Keras).
    assert len(drawings) == 4 and "Epoch" not in out
    for step, (drawing, (loss, accuracy)) in enumerate(zip(drawings[:3], expected, strict=True)):
        assert drawing.startswith(f"{step + 1}/3 ")
        names = re.findall(r" - (\w+): ", drawing)
        assert names == ["loss", "accuracy", "mae"]
        assert f"loss: {loss:.4f} - accuracy: {accuracy:.4f} - mae: " in drawing
    final = drawings[-1]
    assert final.startswith("3/3 ") and final.endswith(
        f"loss: {history.history['loss'][0]:.4f} - accuracy: "
        f"{history.history['accuracy'][0]:.4f} - mae: {history.history['mae'][0]:.4f}")


def test_fit_predict_evaluate_take_keras_3s_arguments_in_keras_3s_order():
    import inspect

    def parameters(method):
        return [(name, p.default) for name, p in inspect.signature(method).parameters.items()
                if name != "self"]

    # keras/src/trainers/trainer.py (Keras 3): fit, evaluate and predict, in order.
    assert parameters(Sequential.fit) == [
        ("x", None), ("y", None), ("batch_size", None), ("epochs", 1), ("verbose", "auto"),
        ("callbacks", None), ("validation_split", 0.0), ("validation_data", None),
        ("shuffle", True), ("class_weight", None), ("sample_weight", None),
        ("initial_epoch", 0), ("steps_per_epoch", None), ("validation_steps", None),
        ("validation_batch_size", None), ("validation_freq", 1)]
    assert parameters(Sequential.evaluate) == [
        ("x", None), ("y", None), ("batch_size", None), ("verbose", "auto"),
        ("sample_weight", None), ("steps", None), ("callbacks", None), ("return_dict", False)]
    assert [name for name, _ in parameters(Sequential.predict)] == [
        "x", "batch_size", "verbose", "steps", "callbacks"]


def test_build_method():
    model = Sequential([Dense(3), ReLU(), Dense(1)], seed=0)
    model.build(4)
    assert model.built and model.get_parameters()["W1"].shape == (3, 4)
    with pytest.raises(ValueError, match="built for 4"):
        model.build(5)
    with pytest.raises(ValueError, match="no layers"):
        Sequential().build(3)
    with pytest.raises(ValueError, match="input_dim"):
        Sequential([Dense(2)]).build(0)


def test_batch_size_at_least_m_is_one_batch():
    X, y = _binary_data(10)
    for batch_size in (10, 11, 1000):
        model = _small_net()
        model.compile(optimizer=SGD(0.5))
        model.fit(X, y, epochs=3, batch_size=batch_size, verbose=0)
        assert model.optimizer.iterations == 3
