"""BatchNormalization in a model: fit moves the moving statistics only for applied updates,
predict uses them, saving keeps them, L-BFGS sets them from the full batch. The ONNX export is
in tests/test_export_normalization.py."""

import numpy as np
import pytest

import neuralkit
from neuralkit import Sequential, config, load_model
from neuralkit.callbacks import Callback, TerminateOnNaN
from neuralkit.layers import BatchNormalization, Dense, Dropout, Layer, ReLU, Sigmoid
from neuralkit.optimizers import LBFGS, SGD, Adam
from tests.golden import runs


class _Flatten(Layer):
    """(m, *shape) -> (m, prod(shape)), to end an image model with a Dense here."""

    def compute_output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)

    def forward(self, A, training=True):
        self.cache = A.shape
        return A.reshape(A.shape[0], -1)

    def backward(self, dA):
        return dA.reshape(self.cache)


class _Poison(Layer):
    """The identity, until its ``at``-th training pass: then NaN outputs, or an exception in
    backward."""

    def __init__(self, at, how="nan", name=None):
        super().__init__(name=name)
        self.at, self.how, self.calls = at, how, 0

    def forward(self, A, training=True):
        if training:
            self.calls += 1
            if self.calls == self.at and self.how == "nan":
                return np.full_like(A, np.nan)
        return A

    def backward(self, dA):
        if self.calls == self.at and self.how == "raise":
            raise RuntimeError("poisoned backward")
        return dA


class _StateLog(Callback):
    """Copies of the layer's moving statistics after every completed batch."""

    def __init__(self, layer):
        super().__init__()
        self.layer, self.states = layer, []

    def on_train_batch_end(self, batch, logs=None):
        self.states.append({k: v.copy() for k, v in self.layer.state.items()})


def _data(m=64, n=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n)) * [1.0, 5.0, 0.2] + [0.0, 10.0, -3.0]
    return X, ((X[:, 0] + (X[:, 1] - 10) / 5) > 0).astype(float)


def _model(*middle, seed=0, dtype="float64"):
    return Sequential([Dense(8, input_dim=3, use_bias=False), BatchNormalization(momentum=0.8),
                       *middle, ReLU(), Dense(1), Sigmoid()], seed=seed, dtype=dtype)


def _inference(model, X):
    """The model's output written out, BatchNormalization by its moving statistics."""
    dense, bn, _, out, _ = model.layers
    Z = X @ dense.params["W"].T
    gamma, beta, mean, var = bn.get_weights()
    A = np.maximum(gamma * (Z - mean) / np.sqrt(var + bn.epsilon) + beta, 0)
    return 1 / (1 + np.exp(-(A @ out.params["W"].T + out.params["b"])))


# ---------------------------------------------------------------- fit and predict
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_fit_trains_and_predict_uses_the_moving_statistics(dtype):
    X, y = _data()
    model = _model(dtype=dtype)
    model.compile(loss="binary_crossentropy", optimizer=Adam(0.05), metrics=["accuracy"])
    history = model.fit(X, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    bn = model.layers[1]
    assert not np.allclose(bn.state["moving_mean"], 0)  # moved from its initial zeros
    predicted = model.predict(X, verbose=0)
    assert predicted.dtype == np.dtype(dtype) and bn.state["moving_mean"].dtype == np.dtype(dtype)
    np.testing.assert_allclose(predicted, _inference(model, X), rtol=1e-12 if dtype == "float64"
                               else 1e-5, atol=1e-7 if dtype == "float32" else 0)


def test_moving_statistics_follow_keras_batch_after_batch():
    # The Dense below is frozen, so each batch's statistics are known in advance.
    X, y = _data(m=40)
    model = _model()
    model.layers[0].trainable = False
    model.compile(loss="binary_crossentropy", optimizer=Adam(0.01))
    model.fit(X, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    Z = X @ model.layers[0].params["W"].T
    mean, var = np.zeros(8), np.ones(8)
    for _ in range(2):
        for start in range(0, 40, 16):  # batches of 16, 16 and 8
            batch = Z[start:start + 16]
            mean = mean * 0.8 + batch.mean(axis=0) * (1 - 0.8)
            var = var * 0.8 + batch.var(axis=0) * (1 - 0.8)
    bn = model.layers[1]
    np.testing.assert_allclose(bn.state["moving_mean"], mean, rtol=1e-12)
    np.testing.assert_allclose(bn.state["moving_variance"], var, rtol=1e-12)


def test_a_frozen_layer_normalizes_by_its_moving_statistics_and_keeps_them():
    X, y = _data()
    model = _model()
    bn = model.layers[1]
    bn.set_weights([np.full(8, 2.0), np.full(8, 0.5), np.full(8, 0.1), np.full(8, 4.0)])
    bn.trainable = False
    before = bn.get_weights()
    model.compile(loss="binary_crossentropy", optimizer=Adam(0.01))
    model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(bn.get_weights(), before, strict=True))
    Z = np.random.default_rng(1).standard_normal((5, 8))
    assert np.array_equal(bn.forward(Z, training=True), bn.forward(Z, training=False))
    assert model.summary(print_fn=lambda text: None)["trainable_params"] == 24 + 9


def test_fast_paths_and_the_plain_path_give_the_same_numbers():
    X, y = _data()

    def run(fast):
        previous = config.set_fast_paths(fast)
        try:
            model = Sequential([Dense(8, input_dim=3), BatchNormalization(), ReLU(),
                                Dense(4), BatchNormalization(center=False), Dense(1), Sigmoid()],
                               seed=2)
            model.fit(X, y, epochs=3, batch_size=10, verbose=0)
            return model.get_weights()
        finally:
            config.set_fast_paths(previous)

    assert all(np.array_equal(a, b) for a, b in zip(run(True), run(False), strict=True))


def test_images_train_with_per_channel_statistics():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((48, 4, 4, 2)) * [1.0, 20.0] + [0.0, 100.0]
    y = (X[..., 0].mean(axis=(1, 2)) > 0).astype(float)
    model = Sequential([BatchNormalization(input_shape=(4, 4, 2), momentum=0.5), _Flatten(),
                        Dense(1), Sigmoid()], seed=0)
    model.compile(loss="binary_crossentropy", optimizer=Adam(0.05))
    history = model.fit(X, y, epochs=10, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    bn = model.layers[0]
    np.testing.assert_allclose(bn.state["moving_mean"], [0.0, 100.0], atol=1.5)
    assert model.summary(print_fn=lambda text: None)["non_trainable_params"] == 4


# ---------------------------------------------------------------- faults
@pytest.mark.parametrize("how", ["nan", "raise"])
def test_a_batch_that_fails_leaves_the_moving_statistics_of_the_last_good_one(how):
    X, y = _data()
    model = _model(_Poison(at=7, how=how))
    model.compile(loss="binary_crossentropy", optimizer=Adam(0.01))
    log = _StateLog(model.layers[1])
    error = neuralkit.DivergenceError if how == "nan" else RuntimeError
    with pytest.raises(error):
        model.fit(X, y, epochs=3, batch_size=16, verbose=0, callbacks=[log])  # 4 batches an epoch
    assert len(log.states) == 6
    for name, value in model.layers[1].state.items():
        assert np.array_equal(value, log.states[-1][name])
    assert not np.array_equal(log.states[-1]["moving_mean"], log.states[-2]["moving_mean"])


def test_terminate_on_nan_stops_with_the_statistics_of_the_last_good_batch():
    X, y = _data()
    model = _model(_Poison(at=3))
    log = _StateLog(model.layers[1])
    model.fit(X, y, epochs=2, batch_size=16, verbose=0, callbacks=[log, TerminateOnNaN()])
    assert len(log.states) == 2
    assert all(np.array_equal(v, log.states[-1][k]) for k, v in model.layers[1].state.items())


class _Overflowing(SGD):
    def update(self, param, grad, state):
        param[...] = np.inf  # a finite loss, an update that leaves a parameter inf


class _Raising(SGD):
    def update(self, param, grad, state):
        param[...] = 0.0
        raise RuntimeError("optimizer failed half-way")


@pytest.mark.parametrize("optimizer, error", [(_Overflowing, neuralkit.DivergenceError),
                                              (_Raising, RuntimeError)])
def test_an_update_rolled_back_by_the_guard_moves_nothing(optimizer, error):
    X, y = _data()
    model = _model()
    model.compile(loss="binary_crossentropy", optimizer=optimizer())
    with pytest.raises(error):
        model.fit(X, y, epochs=1, batch_size=16, verbose=0)
    assert model.optimizer.iterations == 0
    bn = model.layers[1]
    assert np.array_equal(bn.state["moving_mean"], np.zeros(8))
    assert np.array_equal(bn.state["moving_variance"], np.ones(8))


# ---------------------------------------------------------------- saving and weights
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_saved_moving_statistics_load_exactly_and_training_resumes_bit_for_bit(tmp_path, dtype):
    X, y = _data()

    def make():
        model = _model(Dropout(0.2), seed=5, dtype=dtype)
        model.compile(loss="binary_crossentropy", optimizer=Adam(0.01))
        return model

    straight = make()
    straight.fit(X, y, epochs=4, batch_size=16, verbose=0)
    first = make()
    first.fit(X, y, epochs=2, batch_size=16, verbose=0)
    loaded = load_model(first.save(tmp_path / "half.npz"))
    assert all(a.dtype == b.dtype and np.array_equal(a, b)
               for a, b in zip(loaded.get_weights(), first.get_weights(), strict=True))
    assert np.array_equal(loaded.predict(X, verbose=0), first.predict(X, verbose=0))
    loaded.fit(X, y, epochs=2, batch_size=16, verbose=0)
    assert all(np.array_equal(a, b)
               for a, b in zip(loaded.get_weights(), straight.get_weights(), strict=True))


def test_a_model_of_neuralkit_0_1_has_no_state_and_loads():
    model = load_model(runs.FIXTURE)
    assert all(layer.state == {} for layer in model.layers)
    assert model.predict(np.zeros((2, 4)), verbose=0).shape == (2, 3)


def test_model_weights_in_keras_order():
    model = _model()
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(8, 3), (8,), (8,), (8,), (8,), (1, 8), (1,)]
    new = [np.full_like(w, i + 1.0) for i, w in enumerate(weights)]
    model.set_weights(new)
    bn = model.layers[1]
    assert [float(v[0]) for v in bn.get_weights()] == [2.0, 3.0, 4.0, 5.0]
    assert bn.state["moving_variance"] is bn.state["moving_variance"]  # written in place


# ---------------------------------------------------------------- L-BFGS
def test_lbfgs_sets_the_moving_statistics_from_the_full_batch():
    X, y = _data()
    model = _model()
    model.compile(loss="binary_crossentropy", optimizer=LBFGS(max_iter=30))
    bn, seen = model.layers[1], []

    class Check(Callback):
        def on_epoch_end(self, epoch, logs=None):  # each iterate's own full-batch statistics
            Z = X @ model.layers[0].params["W"].T
            seen.append(np.allclose(bn.state["moving_mean"], Z.mean(axis=0), rtol=1e-12)
                        and np.allclose(bn.state["moving_variance"], Z.var(axis=0), rtol=1e-12))

    history = model.fit(X, y, verbose=0, callbacks=[Check()])
    assert len(seen) == len(history.history["loss"]) > 5 and all(seen)
    A = X
    for layer in model.layers:  # training mode, batch statistics of all of X
        A = layer.forward(A, True)
    assert np.array_equal(model.predict(X, verbose=0), A)
    assert model.evaluate(X, y, verbose=0) == pytest.approx(history.history["loss"][-1], rel=1e-9)


# ---------------------------------------------------------------- known gaps (outside this layer)
def test_save_weights_keeps_the_moving_statistics(tmp_path):
    X, y = _data()
    model = _model()
    model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    fresh = _model(seed=1)
    fresh.build(3)
    fresh.load_weights(model.save_weights(tmp_path / "m.weights.npz"))
    assert all(np.array_equal(a.value, b.value) for a, b in zip(
        fresh.parameter_slots(), model.parameter_slots(), strict=True))  # these are kept
    assert all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(), model.get_weights(),
                                                    strict=True))


def test_early_stopping_restores_the_moving_statistics_of_the_best_epoch():
    from neuralkit.callbacks import EarlyStopping

    X, y = _data()
    model = _model()
    bn, kept = model.layers[1], []

    class Score(Callback):  # epoch 2 scores best; runs before EarlyStopping reads the logs
        def on_epoch_end(self, epoch, logs=None):
            logs["loss"] = [5.0, 4.0, 1.0, 3.0, 3.0, 3.0][epoch]
            kept.append(([slot.value.copy() for slot in model.parameter_slots()],
                         {k: v.copy() for k, v in bn.state.items()}))

    stop = EarlyStopping(monitor="loss", patience=10, restore_best_weights=True)
    model.fit(X, y, epochs=6, batch_size=16, verbose=0, callbacks=[Score(), stop])
    params, state = kept[2]
    assert all(np.array_equal(slot.value, p) for slot, p in zip(model.parameter_slots(), params,
                                                                strict=True))
    assert all(np.array_equal(bn.state[k], v) for k, v in state.items())
