"""The golden runs: training configurations whose numbers a refactor must keep bit for bit.

Each run returns a flat dict of float64 (or float32) arrays: parameters, History, the partial
epoch, evaluate and predict. ``tests/test_golden.py`` compares them with ``golden.npz``,
recorded by::

    python tests/golden/runs.py            # rewrites tests/golden/golden.npz and env.json

Re-record only for a deliberate change of numbers, and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden.npz"
ENVIRONMENT = HERE / "env.json"
FIXTURE = HERE / "model-0.1.0.npz"


def _classification(m=120, n=6, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    score = X[:, 0] + 0.5 * X[:, 1] ** 2 - X[:, 2]
    labels = np.digitize(score, np.quantile(score, np.linspace(0, 1, k + 1)[1:-1]))
    return X, labels


def _regression(m=100, n=5, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.standard_normal(m)
    return X, y


def _record(model, history, X, Y=None, evaluate=True):
    """Parameters, History, partial epoch, predict and evaluate of a trained model."""
    out = {}
    for key, value in model.get_parameters().items():
        out[f"param/{key}"] = value
    for key, values in history.history.items():
        out[f"history/{key}"] = np.asarray(values, dtype=np.float64)
    out["history/epochs"] = np.asarray(history.epoch, dtype=np.float64)
    if history.partial_epoch is not None:
        for key, value in history.partial_epoch.items():
            out[f"partial/{key}"] = np.float64(value)
    out["predict"] = model.predict(X)
    if evaluate:
        for key, value in model.evaluate(X, Y, return_dict=True).items():
            out[f"evaluate/{key}"] = np.float64(value)
    return out


def run_sgd_fused_sigmoid_float64():
    from neuralkit import Sequential
    from neuralkit.layers import Dense, Sigmoid, Tanh
    from neuralkit.optimizers import SGD

    X, labels = _classification(k=2)
    model = Sequential([Dense(16), Tanh(), Dense(1), Sigmoid()], seed=1)
    model.compile("binary_crossentropy", SGD(0.1), ["accuracy"])
    history = model.fit(X, labels, epochs=4, batch_size=16, validation_split=0.2, verbose=0)
    return _record(model, history, X, labels)


def run_sgd_nesterov_fused_softmax_float32():
    from neuralkit import Sequential
    from neuralkit.layers import Dense, ReLU, Softmax
    from neuralkit.optimizers import SGD

    X, labels = _classification()
    model = Sequential([Dense(12), ReLU(), Dense(8), ReLU(), Dense(3), Softmax()], seed=2,
                       dtype="float32")
    model.compile("categorical_crossentropy", SGD(0.05, momentum=0.9, nesterov=True),
                  ["accuracy"])
    history = model.fit(X, labels, epochs=4, batch_size=10,
                        validation_data=(X[:30], labels[:30]), verbose=0)
    return _record(model, history, X, labels)


def run_sgd_momentum_mse_float64():
    from neuralkit import Sequential
    from neuralkit.layers import Dense, Linear, ReLU
    from neuralkit.optimizers import SGD

    X, y = _regression()
    model = Sequential([Dense(10, kernel_initializer="he_normal"), ReLU(), Dense(1), Linear()],
                       seed=3)
    model.compile("mse", SGD(0.02, momentum=0.8), ["mae"])
    history = model.fit(X, y, epochs=5, batch_size=7, verbose=0)
    return _record(model, history, X, y)


def run_rmsprop_unfused_float32():
    from neuralkit import Sequential
    from neuralkit.layers import Dense, Dropout, LeakyReLU, Sigmoid
    from neuralkit.optimizers import RMSprop

    X, labels = _classification(k=2)
    model = Sequential([Dense(9), LeakyReLU(0.2), Dropout(0.3), Dense(1), Sigmoid()], seed=4,
                       dtype="float32")
    model.compile("mse", RMSprop(0.01), ["accuracy"])   # a sigmoid without its cross-entropy
    history = model.fit(X, labels, epochs=4, batch_size=32, verbose=0)
    return _record(model, history, X, labels)


def run_adam_l2_dropout_float64():
    from neuralkit import Sequential
    from neuralkit.callbacks import LearningRateScheduler
    from neuralkit.layers import Dense, Dropout, ReLU, Softmax
    from neuralkit.optimizers import Adam

    X, labels = _classification(m=130)
    model = Sequential([Dense(14, l2=0.01), ReLU(), Dropout(0.2), Dense(3, l2=0.001), Softmax()],
                       seed=5)
    model.compile("categorical_crossentropy", Adam(0.01), ["accuracy"])
    history = model.fit(X, labels, epochs=4, batch_size=24, validation_split=0.25, verbose=0,
                        callbacks=[LearningRateScheduler(lambda epoch, lr: lr * 0.9)])
    return _record(model, history, X, labels)


def run_large_sgd_bounded_step():
    # More than 65536 parameters: plain SGD takes the bounded step without a snapshot.
    from neuralkit import Sequential
    from neuralkit.layers import Dense, ReLU, Softmax
    from neuralkit.optimizers import SGD

    rng = np.random.default_rng(6)
    X = rng.standard_normal((64, 300))
    labels = rng.integers(0, 4, 64)
    out = {}
    for dtype in ("float64", "float32"):
        model = Sequential([Dense(256), ReLU(), Dense(4), Softmax()], seed=6, dtype=dtype)
        model.compile("categorical_crossentropy", SGD(0.05), ["accuracy"])
        history = model.fit(X, labels, epochs=3, batch_size=16, verbose=0)
        out.update({f"{dtype}/{k}": v for k, v in _record(model, history, X, labels).items()})
    return out


def run_memmap_float32_into_float64():
    from neuralkit import Sequential
    from neuralkit.layers import Dense, Sigmoid, Tanh
    from neuralkit.optimizers import Adam

    X, labels = _classification(m=150, k=2)
    with tempfile.TemporaryDirectory() as folder:
        np.save(Path(folder) / "X.npy", X.astype(np.float32))
        X_mm = np.load(Path(folder) / "X.npy", mmap_mode="r")
        model = Sequential([Dense(8), Tanh(), Dense(1), Sigmoid()], seed=7)
        model.compile(optimizer=Adam(0.02), metrics=["accuracy"])
        history = model.fit(X_mm, labels, epochs=3, batch_size=20, validation_split=0.2,
                            verbose=0)
        out = _record(model, history, X_mm, labels)
        del X_mm
    return out


def run_iterables_of_batches():
    from neuralkit import Sequential
    from neuralkit.layers import Dense, ReLU, Softmax
    from neuralkit.optimizers import Adam

    X, labels = _classification(m=100)
    batches = [(X[i:i + 25], labels[i:i + 25]) for i in range(0, 100, 25)]

    def forever():
        while True:
            yield from batches

    class Reiterable:  # a pass per epoch (a list would be taken as an array)
        def __iter__(self):
            return iter(batches)

    out = {}
    for name, source, steps in (("generator", forever(), 3), ("reiterable", Reiterable(), None)):
        model = Sequential([Dense(10), ReLU(), Dense(3), Softmax()], seed=8)
        model.compile(optimizer=Adam(0.01), metrics=["accuracy"])
        history = model.fit(source, epochs=3, steps_per_epoch=steps,
                            validation_data=(X[:40], labels[:40]), verbose=0)
        record = _record(model, history, X, labels)
        record["evaluate_stream/loss"] = np.float64(model.evaluate(iter(batches), return_dict=True)["loss"])
        record["predict_stream"] = model.predict(iter(batches))
        out.update({f"{name}/{k}": v for k, v in record.items()})
    return out


def run_lbfgs():
    from neuralkit import Sequential
    from neuralkit.layers import Dense, Softmax, Tanh
    from neuralkit.optimizers import LBFGS

    X, labels = _classification(m=90)
    model = Sequential([Dense(7), Tanh(), Dense(3), Softmax()], seed=9)
    model.compile(optimizer=LBFGS(max_iter=20), metrics=["accuracy"])
    history = model.fit(X, labels, validation_data=(X[:20], labels[:20]), verbose=0)
    return _record(model, history, X, labels)


def run_sklearn_estimators():
    from neuralkit.sklearn import NeuralKitClassifier, NeuralKitRegressor

    X, labels = _classification(m=120)
    out = {}
    classifier = NeuralKitClassifier(hidden_layer_sizes=(8,), epochs=6, batch_size=16,
                                     early_stopping=True, n_iter_no_change=3, random_state=0,
                                     learning_rate=0.01).fit(X, labels)
    out["classifier/loss_curve_"] = np.asarray(classifier.loss_curve_)
    out["classifier/validation_scores_"] = np.asarray(classifier.validation_scores_)
    out["classifier/predict_proba"] = classifier.predict_proba(X)
    Xr, yr = _regression()
    regressor = NeuralKitRegressor(hidden_layer_sizes=(6,), epochs=5, optimizer="sgd",
                                   learning_rate=0.01, random_state=1, dtype="float32").fit(Xr, yr)
    out["regressor/loss_curve_"] = np.asarray(regressor.loss_curve_)
    out["regressor/predict"] = regressor.predict(Xr)
    lbfgs = NeuralKitClassifier(hidden_layer_sizes=(5,), optimizer="lbfgs", epochs=15,
                                random_state=2).fit(X, labels % 2)
    out["lbfgs/loss_curve_"] = np.asarray(lbfgs.loss_curve_)
    return out


def run_saved_and_resumed():
    from neuralkit import Sequential, load_model
    from neuralkit.layers import Dense, Softmax, Tanh
    from neuralkit.optimizers import Adam

    X, labels = _classification()
    model = Sequential([Dense(8), Tanh(), Dense(3), Softmax()], seed=10, dtype="float32")
    model.compile("categorical_crossentropy", Adam(0.01), ["accuracy"])
    model.fit(X, labels, epochs=2, batch_size=9, verbose=0)
    with tempfile.TemporaryDirectory() as folder:
        resumed = load_model(model.save(Path(folder) / "half.npz"))
    history = resumed.fit(X, labels, epochs=2, batch_size=9, validation_split=0.1, verbose=0)
    return _record(resumed, history, X, labels)


def run_interrupted_and_diverged():
    from neuralkit import Sequential
    from neuralkit.callbacks import Callback, EarlyStopping, TerminateOnNaN
    from neuralkit.layers import Dense, ReLU, Sigmoid
    from neuralkit.optimizers import SGD

    X, labels = _classification(k=2)

    class StopAtBatch(Callback):
        def on_batch_end(self, batch, logs=None):
            if self.params and batch == 3 and len(self.model.history.epoch) == 1:
                raise RuntimeError("stop")

    out = {}
    model = Sequential([Dense(6), ReLU(), Dense(1), Sigmoid()], seed=11)
    model.compile(optimizer=SGD(0.1), metrics=["accuracy"])
    try:
        model.fit(X, labels, epochs=3, batch_size=10, verbose=0, callbacks=[StopAtBatch()])
    except RuntimeError:
        pass
    out.update({f"interrupted/{k}": v for k, v in _record(model, model.history, X, labels).items()})

    model = Sequential([Dense(6), ReLU(), Dense(1)], seed=12)
    model.compile("mse", SGD(5.0))  # diverges: TerminateOnNaN stops it quietly
    history = model.fit(X, X[:, 0] * 1e3, epochs=20, batch_size=10, verbose=0,
                        callbacks=[TerminateOnNaN()])
    out.update({f"diverged/{k}": v
                for k, v in _record(model, history, X, evaluate=False).items()})

    model = Sequential([Dense(6), ReLU(), Dense(1), Sigmoid()], seed=13)
    model.compile(optimizer=SGD(0.5), metrics=["accuracy"])
    history = model.fit(X, labels, epochs=8, batch_size=30, validation_split=0.3, verbose=0,
                        callbacks=[EarlyStopping(patience=1, restore_best_weights=True)])
    out.update({f"early/{k}": v for k, v in _record(model, history, X, labels).items()})
    return out


def _file_from_version_0_1_0(path: Path) -> None:
    """Write the fixture ``model-0.1.0.npz`` (done once, by neuralkit 0.1.0; never rewritten)."""
    from neuralkit import Sequential
    from neuralkit.layers import Dense, Dropout, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
    from neuralkit.optimizers import Adam

    X, labels = _classification(m=60, n=4)
    model = Sequential([Dense(6, input_dim=4), ReLU(), Dropout(0.25),
                        Dense(5, kernel_initializer="he_normal", l2=0.01), LeakyReLU(alpha=0.3),
                        Dense(5, kernel_initializer="small_random"), Tanh(), Dense(4), Sigmoid(),
                        Dense(4), Linear(), Dense(3), Softmax()], seed=3, name="every_layer")
    model.compile("categorical_crossentropy", Adam(0.01), ["accuracy"])
    model.fit(X, labels, epochs=2, batch_size=16, verbose=0)
    model.save(path)


def run_file_saved_by_version_0_1_0():
    from neuralkit import load_model

    X, labels = _classification(m=60, n=4)
    model = load_model(FIXTURE)
    out = {"loaded/predict": model.predict(X)}
    history = model.fit(X, labels, epochs=2, batch_size=16, verbose=0)
    out.update({f"resumed/{k}": v for k, v in _record(model, history, X, labels).items()})
    return out


#: Results of float32 models that come back as float64 (a regressor's predict, as scikit-learn's
#: does): on another machine they agree to float32's precision, not float64's.
SINGLE_PRECISION = {"sklearn_estimators/regressor/predict", "sklearn_estimators/regressor/loss_curve_"}

RUNS = {name[len("run_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("run_")}


def environment() -> dict[str, str]:
    """What decides the last bits of a float result: the libraries and the BLAS kernels."""
    import scipy
    import scipy.linalg  # noqa: F401 - loads SciPy's BLAS (L-BFGS-B's), so both are listed
    from threadpoolctl import threadpool_info

    blas = sorted(f"{info.get('internal_api')}-{info.get('version')}-{info.get('architecture')}"
                  for info in threadpool_info() if info.get("user_api") == "blas")
    return {"python": platform.python_version(), "machine": platform.machine(),
            "numpy": np.__version__, "scipy": scipy.__version__, "blas": ",".join(blas)}


#: Arrays larger than this are kept as a SHA-256 of their bytes and an evenly spaced sample.
_LARGE = 2048


def compact(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays as recorded: small ones whole; large ones by digest (for the bit-for-bit
    comparison) and sample (for the comparison to a tolerance on another machine)."""
    out = {}
    for key, value in arrays.items():
        value = np.ascontiguousarray(value)
        if value.size <= _LARGE:
            out[key] = value
            continue
        digest = hashlib.sha256(value.tobytes()).digest()
        out[f"{key}#sha256"] = np.frombuffer(digest, dtype=np.uint8)
        out[f"{key}#sample"] = value.reshape(-1)[::value.size // 256 + 1].copy()
    return out


def record_all() -> dict[str, np.ndarray]:
    arrays = {}
    for name, run in RUNS.items():
        arrays.update({f"{name}/{key}": value for key, value in compact(run()).items()})
    return arrays


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[1]))
    if not FIXTURE.exists():
        _file_from_version_0_1_0(FIXTURE)
    arrays = record_all()
    np.savez(GOLDEN, **arrays)
    ENVIRONMENT.write_text(json.dumps(environment(), indent=2) + "\n")
    print(f"wrote {len(arrays)} arrays to {GOLDEN}")
