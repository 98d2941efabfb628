"""Data larger than memory: memmaps read from their file, and iterables of batches."""

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest

from neuralkit import DivergenceError, Sequential
from neuralkit.callbacks import Callback, TerminateOnNaN
from neuralkit.layers import Dense, ReLU, Sigmoid, Softmax, Tanh
from neuralkit.optimizers import LBFGS
from neuralkit.training import memmap
from tests.helpers import assert_parameters_close, assert_same_parameters, binary_data, run_python


def _model(dtype="float64", out=1):
    last = [Dense(1), Sigmoid()] if out == 1 else [Dense(out), Softmax()]
    model = Sequential([Dense(8), Tanh(), *last], seed=0, dtype=dtype)
    model.compile(metrics=["accuracy"])
    return model


def _data_set(m=300, n=5, seed=0):
    return binary_data(m, n, lambda X: X[:, 0] - X[:, 1], seed)


def _memmap(tmp_path, X, mode="r"):
    np.save(tmp_path / "X.npy", X)
    return np.load(tmp_path / "X.npy", mmap_mode=mode)


@pytest.mark.parametrize("mode", ["r", "c"])        # read from the file; copy-on-write falls back
def test_memmap_training_matches_in_memory_training(tmp_path, mode):
    X, y = _data_set()
    X_mm = _memmap(tmp_path, X, mode)
    assert isinstance(X_mm, np.memmap)
    runs = []
    for data in (X, X_mm):
        model = _model()
        history = model.fit(data, y, epochs=3, batch_size=32, validation_split=0.2, verbose=0)
        runs.append((history.history, model.get_parameters(), model.predict(data),
                     model.evaluate(data, y, return_dict=True)))
    (h_a, p_a, out_a, ev_a), (h_m, p_m, out_m, ev_m) = runs
    assert h_a.keys() == h_m.keys()
    for key in h_a:                  # same examples per batch: equal up to summation order
        np.testing.assert_allclose(h_m[key], h_a[key], rtol=1e-12)
    assert_parameters_close(p_m, p_a, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out_m, out_a, rtol=1e-12)
    assert ev_m == pytest.approx(ev_a, rel=1e-12)


def test_memmap_of_another_dtype_is_converted_batch_by_batch(tmp_path):
    X, y = _data_set()
    X_mm = _memmap(tmp_path, X.astype(np.float32))
    a, b = _model("float64"), _model("float64")
    a.fit(X.astype(np.float32).astype(np.float64), y, epochs=2, batch_size=50, shuffle=False, verbose=0)
    b.fit(X_mm, y, epochs=2, batch_size=50, shuffle=False, verbose=0)
    assert_same_parameters(b, a)
    assert b.predict(X_mm).dtype == np.float64


def test_strided_and_column_views_read_the_right_rows(tmp_path):
    X, _ = _data_set(m=101, n=7)
    X_mm = _memmap(tmp_path, X)
    model = Sequential([Dense(3, input_dim=3), ReLU()], seed=0)
    for view, expected in ((X_mm[1::3, 2:5], X[1::3, 2:5]), (X_mm[40:, :3], X[40:, :3])):
        assert isinstance(view, np.memmap)
        np.testing.assert_array_equal(model.predict(view, batch_size=8), model.predict(expected))
    reader = memmap.MemmapReader(X_mm[::2])
    idx = np.array([0, 1, 2, 7, 9, 50])
    out = np.empty((10, 7))
    np.testing.assert_array_equal(reader.take(idx, out), X[::2][idx])
    reader.close()


def test_memmap_checks_run_in_chunks_and_name_the_bad_entry(tmp_path, monkeypatch):
    X, y = _data_set(m=200)
    X[137, 3] = np.nan
    X_mm = _memmap(tmp_path, X)
    monkeypatch.setattr(memmap, "CHUNK_BYTES", 8 * 5 * 16)      # 16 rows per chunk
    model = _model()
    with pytest.raises(ValueError, match=r"X contains NaN or inf \(first at index \[137, 3\]"):
        model.fit(X_mm, y, verbose=0)
    assert not model.built                                    # validation failed: nothing changed
    with pytest.raises(ValueError, match="X must be 2-D"):
        model.predict(_memmap(tmp_path, np.zeros(5)))
    with pytest.raises(ValueError, match="X and Y must have the same number of samples"):
        model.fit(_memmap(tmp_path, np.zeros((5, 5))), np.zeros(4), verbose=0)


def test_memmap_of_integers_trains_like_the_converted_array(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.integers(0, 255, (120, 6), dtype=np.uint8)
    y = rng.integers(0, 3, 120)
    a, b = _model(out=3), _model(out=3)
    a.fit(X.astype(np.float64), y, epochs=2, batch_size=16, verbose=0)
    b.fit(_memmap(tmp_path, X), y, epochs=2, batch_size=16, verbose=0)
    assert_parameters_close(b, a, rtol=1e-12, atol=1e-15)


def test_lbfgs_refuses_a_memmap(tmp_path):
    X, y = _data_set()
    model = _model()
    model.compile(optimizer=LBFGS())
    with pytest.raises(ValueError, match="LBFGS optimizer is full batch"):
        model.fit(_memmap(tmp_path, X), y, verbose=0)
    assert not model.built                        # refused before anything changed


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux's /proc")
def test_fit_on_a_memmap_keeps_resident_memory_far_below_the_file(tmp_path):
    # 10,000 rows of 2,000 float64 = 160 MB. Gathering shuffled rows through the mapping
    # would make every page resident (RSS grows by the file size); reading from the file
    # keeps the growth to a few batches.
    m, n = 10_000, 2_000
    path = tmp_path / "big.npy"
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False,
                                                 "shape": (m, n)})
        rng = np.random.default_rng(0)
        for _ in range(m // 1000):
            f.write(rng.standard_normal((1000, n)).tobytes())
    script = textwrap.dedent(f"""
        import json, resource
        import numpy as np
        from neuralkit import Sequential
        from neuralkit.layers import Dense, ReLU
        def rss_mb():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * resource.getpagesize() / 2**20
        X = np.load({str(path)!r}, mmap_mode="r")
        y = np.arange(X.shape[0]) % 2
        model = Sequential([Dense(4), ReLU(), Dense(1)], seed=0)
        model.fit(X[:10], y[:10], verbose=0)          # imports and first allocations done
        before = rss_mb()
        model.fit(X, y, epochs=1, batch_size=250, verbose=0)
        model.predict(X)
        with open("/proc/self/status") as f:   # VmHWM: ru_maxrss may include the parent's size
            peak = int(next(l for l in f if l.startswith("VmHWM:")).split()[1]) / 1024
        print(json.dumps({{"before": before, "peak": peak}}))
    """)
    result = run_python(["-c", script], cwd=tmp_path)
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    assert numbers["peak"] - numbers["before"] < 80, numbers      # half the 160 MB file


# ---------------------------------------------------------------------- iterables of batches
def _batches(X, y, size):
    return [(X[s:s + size], y[s:s + size]) for s in range(0, X.shape[0], size)]


def test_generator_with_steps_per_epoch_equals_unshuffled_array_training():
    X, y = _data_set()

    def forever():
        while True:
            yield from _batches(X, y, 32)

    a, b = _model(), _model()
    h_a = a.fit(X, y, epochs=3, batch_size=32, shuffle=False, validation_data=(X[:50], y[:50]),
                verbose=0)
    h_b = b.fit(forever(), epochs=3, steps_per_epoch=10, validation_data=(X[:50], y[:50]),
                verbose=0)
    assert h_b.history == h_a.history
    assert_same_parameters(b, a)


def test_a_reiterable_is_one_pass_per_epoch_and_predict_evaluate_take_iterables():
    X, y = _data_set(m=250)

    class Loader:                                 # a re-iterable, like a data-loader object
        def __iter__(self):
            return iter(_batches(X, y, 64))

    a, b = _model(), _model()
    a.fit(X, y, epochs=2, batch_size=64, shuffle=False, verbose=0)
    b.fit(Loader(), epochs=2, verbose=0)
    assert_same_parameters(b, a)
    np.testing.assert_allclose(b.predict(Loader()), a.predict(X), rtol=1e-14)
    np.testing.assert_allclose(b.predict(iter([X[:100], X[100:]])), a.predict(X), rtol=1e-14)
    np.testing.assert_allclose(b.predict(Loader(), steps=2), a.predict(X[:128]), rtol=1e-14)
    expected = a.evaluate(X, y, return_dict=True)
    got = b.evaluate(Loader(), return_dict=True)
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == pytest.approx(expected[key], rel=1e-12)


class _Reiterable:
    """A re-iterable of batches (as a data-loader object is): one pass per epoch."""

    def __init__(self, batches):
        self.batches = batches

    def __iter__(self):
        return iter(self.batches)


class _Tape(Callback):
    """Records every hook with its logs, adds a key of its own at epoch end, and may raise."""

    def __init__(self, fail_at_epoch_end=None):
        super().__init__()
        self.tape, self.fail_at_epoch_end = [], fail_at_epoch_end

    def on_epoch_begin(self, epoch, logs=None):
        self.tape.append(("epoch_begin", epoch))

    def on_batch_end(self, batch, logs=None):
        self.tape.append(("batch_end", batch, dict(logs)))

    def on_epoch_end(self, epoch, logs=None):
        logs["mine"] = 10.0 * epoch  # History comes after the user's callbacks: it keeps this
        self.tape.append(("epoch_end", epoch, dict(logs)))
        if epoch == self.fail_at_epoch_end:
            raise ZeroDivisionError("bug in my callback")


def test_an_iterable_gets_the_callbacks_logs_and_history_of_an_array():
    X, y = _data_set(m=160)
    runs = []
    for source in ("array", "iterable"):
        model, tape = _model(), _Tape()
        model.compile("binary_crossentropy", "sgd", ["accuracy"])
        if source == "array":
            model.fit(X, y, epochs=2, batch_size=32, shuffle=False, verbose=0, callbacks=[tape])
        else:
            model.fit(_Reiterable(_batches(X, y, 32)), epochs=2, verbose=0, callbacks=[tape])
        runs.append((tape.tape, model.history.history))
    assert runs[1] == runs[0]
    assert runs[0][1]["mine"] == [0.0, 10.0]
    assert set(runs[0][0][1][2]) == {"loss", "size", "accuracy"}  # batch logs carry the metrics


def test_an_iterable_records_the_partial_epoch_when_a_callback_or_a_batch_fails():
    X, y = _data_set(m=160)
    partials = []
    for source in ("array", "iterable"):
        model = _model()
        with pytest.raises(ZeroDivisionError, match="bug in my callback"):
            if source == "array":
                model.fit(X, y, epochs=3, batch_size=32, shuffle=False, verbose=0,
                          callbacks=[_Tape(fail_at_epoch_end=1)])
            else:
                model.fit(_Reiterable(_batches(X, y, 32)), epochs=3, verbose=0,
                          callbacks=[_Tape(fail_at_epoch_end=1)])
        partials.append((model.history.epoch, model.history.partial_epoch))
    (epochs_a, partial_a), (epochs_i, partial_i) = partials
    assert partial_a.pop("steps") == 5 and partial_i.pop("steps") is None  # no len(): unknown
    assert (epochs_i, partial_i) == (epochs_a, partial_a)
    assert partial_a["epoch"] == 1 and partial_a["batches"] == 5
    # A bad batch in the middle of the second epoch: the batches before it count.
    bad = X.copy()
    bad[100, 0] = np.nan

    class Loader:
        passes = 0

        def __iter__(self):
            Loader.passes += 1
            yield from _batches(bad if Loader.passes == 2 else X, y, 32)

    model = _model()
    with pytest.raises(ValueError, match=r"epoch 2, batch 4"):
        model.fit(Loader(), epochs=2, verbose=0)
    assert model.history.epoch == [0]
    assert model.history.partial_epoch["epoch"] == 1
    assert model.history.partial_epoch["batches"] == 3
    assert np.isfinite(model.history.partial_epoch["loss"])


def test_terminate_on_nan_stops_an_iterable_quietly():
    X, y = _data_set(m=100)
    model = Sequential([Dense(8, input_dim=5), ReLU(), Dense(1)], seed=0)
    model.compile("mse", "sgd")
    model.optimizer.learning_rate = 5.0
    stopper = TerminateOnNaN()
    batches = _Reiterable(_batches(X * 50, y * 1e3, 10))
    history = model.fit(batches, epochs=50, verbose=0, callbacks=[stopper])
    assert isinstance(stopper.error, DivergenceError)
    assert model.stop_training and len(history.epoch) < 50
    assert all(np.isfinite(p).all() for p in model.get_parameters().values())
    with pytest.raises(DivergenceError):  # without it, the error propagates
        model2 = Sequential([Dense(8, input_dim=5), ReLU(), Dense(1)], seed=0)
        model2.compile("mse", "sgd")
        model2.optimizer.learning_rate = 5.0
        model2.fit(batches, epochs=50, verbose=0)


def test_bad_iterables_get_clear_errors():
    X, y = _data_set(m=100)
    model = _model()

    def gen():
        yield from _batches(X, y, 50)

    with pytest.raises(ValueError, match="give steps_per_epoch"):
        model.fit(gen(), epochs=2, verbose=0)
    with pytest.raises(ValueError, match="ran out of batches at epoch 2, batch 1"):
        model.fit(gen(), epochs=2, steps_per_epoch=2, verbose=0)
    with pytest.raises(TypeError, match=r"must be a pair \(X_batch, Y_batch\) or a triple "
                                        r"\(X_batch, Y_batch, sample_weight\); got ndarray"):
        model.fit(iter([X]), steps_per_epoch=1, verbose=0)
    with pytest.raises(TypeError, match="Y must be None"):
        model.fit(gen(), y, steps_per_epoch=1, verbose=0)
    with pytest.raises(ValueError, match="validation_split needs X as an array"):
        model.fit(gen(), steps_per_epoch=1, validation_split=0.1, verbose=0)
    with pytest.raises(ValueError, match="steps_per_epoch is for X given as an iterable"):
        model.fit(X, y, steps_per_epoch=3, verbose=0)
    with pytest.raises(ValueError, match="steps is for X given as an iterable"):
        model.predict(X, steps=3)
    bad = X.copy()
    bad[70, 1] = np.inf
    with pytest.raises(ValueError, match=r"X \(epoch 1, batch 2\) X_batch contains NaN or inf"):
        model.fit(iter(_batches(bad, y, 50)), steps_per_epoch=2, verbose=0)
    with pytest.raises(ValueError, match="LBFGS optimizer is full batch"):
        lbfgs = _model()
        lbfgs.compile(optimizer="lbfgs")
        lbfgs.fit(gen(), steps_per_epoch=1, verbose=0)
