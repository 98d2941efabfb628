"""train_on_batch / test_on_batch / predict_on_batch: one batch of fit, evaluate, predict."""

import numpy as np
import pytest

import neuralkit as nk


def _model(seed=4):
    model = nk.Sequential([nk.layers.Dense(5, activation="relu", input_shape=(3,)),
                           nk.layers.Dense(1, activation="sigmoid")], seed=seed)
    model.compile(optimizer=nk.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def _data():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(48, 3))
    return X, (X[:, :1] + X[:, 1:2] > 0).astype(float)


def test_train_on_batch_steps_like_one_epoch_of_fit():
    X, Y = _data()
    by_batch, by_fit = _model(), _model()
    losses = [by_batch.train_on_batch(X[i:i + 16], Y[i:i + 16])[0] for i in range(0, 48, 16)]
    history = by_fit.fit(X, Y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(by_batch.get_weights(), by_fit.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.mean(losses) == pytest.approx(history.history["loss"][0], rel=1e-12)
    assert by_batch.optimizer.iterations == 3


def test_train_on_batch_reports_the_batch_before_its_update_and_keeps_history():
    X, Y = _data()
    model = _model()
    history = model.fit(X, Y, epochs=2, verbose=0)
    before = model.evaluate(X[:16], Y[:16], verbose=0, return_dict=True)
    logs = model.train_on_batch(X[:16], Y[:16], return_dict=True)
    assert logs["loss"] == pytest.approx(before["loss"], rel=1e-12)
    assert logs["accuracy"] == before["accuracy"]
    assert model.history is history and len(history.history["loss"]) == 2


def test_sample_weight_and_class_weight_reach_the_step():
    X, Y = _data()
    weights = np.where(Y[:16, 0] == 1, 3.0, 1.0)
    a, b = _model(), _model()
    a.train_on_batch(X[:16], Y[:16], sample_weight=weights)
    b.train_on_batch(X[:16], Y[:16], class_weight={0: 1.0, 1: 3.0})
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    c = _model()
    c.train_on_batch(X[:16], Y[:16])
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_test_and_predict_on_batch_are_evaluate_and_predict():
    X, Y = _data()
    model = _model()
    assert model.test_on_batch(X, Y) == model.evaluate(X, Y, verbose=0)
    np.testing.assert_array_equal(model.predict_on_batch(X), model.predict(X, verbose=0))


def test_errors():
    X, Y = _data()
    model = _model()
    with pytest.raises(ValueError, match="non-empty batch"):
        model.train_on_batch(X[:0], Y[:0])
    model.compile(optimizer=nk.optimizers.LBFGS(), loss="binary_crossentropy")
    with pytest.raises(ValueError, match="LBFGS"):
        model.train_on_batch(X, Y)


def test_calling_a_model_and_a_layer():
    X, _ = _data()
    model = _model()
    np.testing.assert_array_equal(model(X), model.predict(X, verbose=0))
    dense = model.layers[0]
    W, b = dense.params["W"], dense.params["b"]
    Z = X @ W.T + b.ravel() if W.shape[1] == 3 else X @ W + b.ravel()
    np.testing.assert_allclose(dense(X), np.maximum(Z, 0), rtol=1e-13)
    with pytest.raises(ValueError, match=r"takes examples of shape \(3,\)"):
        dense(X[:, :2])
    with pytest.raises(ValueError, match="x\\[None\\]"):
        dense(X[0])


def test_calling_in_training_mode_runs_dropout():
    X, _ = _data()
    model = nk.Sequential([nk.layers.Dense(8, input_shape=(3,)), nk.layers.Dropout(0.5)], seed=0)
    inference, training = model(X), model(X, training=True)
    dropped = training == 0
    assert 0.3 < dropped.mean() < 0.7
    np.testing.assert_allclose(training[~dropped], 2 * inference[~dropped], rtol=1e-13)


def test_calling_an_unbuilt_layer_builds_it_in_the_inputs_dtype():
    layer = nk.layers.Dense(2)
    out = layer(np.ones((3, 4), dtype=np.float32))
    assert layer.built and layer.input_shape == (4,) and out.dtype == np.float32
