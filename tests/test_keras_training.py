"""Keras 3's habits in the model and the trainer: Dense's arguments, from_logits, sample and
class weights, initial_epoch, validation_freq, trainable, weights as lists, Input, get_layer,
pop, evaluate's return types, compile's two orders, and the errors that name the fix.

Oracles: the same network written the 0.1 way (Dense + Sigmoid/Softmax, bit for bit),
procedural formulas of the weighted losses, finite differences, hand-written expectations.
"""

import numpy as np
import pytest

from neuralkit import Input, Sequential, config, gradcheck, load_model
from neuralkit.layers import Dense, Layer, ReLU, Sigmoid, Softmax, Tanh
from neuralkit.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Huber,
    MeanAbsoluteError,
    MeanSquaredError,
)
from neuralkit.optimizers import SGD, Adam


def _data(m=60, n=4, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    labels = np.digitize(X[:, 0] + X[:, 1] ** 2 - X[:, 2], [-0.5, 1.0])
    return X, labels % k


def _fit(layers, loss, X, y, seed=1, **kwargs):
    model = Sequential(layers, seed=seed)
    model.compile(SGD(0.1, momentum=0.5), loss, ["accuracy"])
    history = model.fit(X, y, epochs=3, batch_size=16, verbose=0, **kwargs)
    return model, history


def _same_training(a, b):
    (model_a, history_a), (model_b, history_b) = a, b
    assert history_a.history == history_b.history
    for (key, p), q in zip(model_a.get_parameters().items(), model_b.get_parameters().values(),
                           strict=True):
        assert np.array_equal(p, q), key


@pytest.mark.parametrize("fast_paths", [True, False])
def test_dense_activation_trains_bit_for_bit_like_separate_activation_layers(fast_paths):
    X, labels = _data()
    previous = config.set_fast_paths(fast_paths)
    try:
        keras_way = _fit([Dense(8, activation="relu"), Dense(6, activation="tanh"),
                          Dense(3, activation="softmax")], "categorical_crossentropy", X, labels)
        course_way = _fit([Dense(8), ReLU(), Dense(6), Tanh(), Dense(3), Softmax()],
                          "categorical_crossentropy", X, labels)
        binary = (labels == 1).astype(float)
        keras_binary = _fit([Dense(5, activation="relu"), Dense(1, activation="sigmoid")],
                            "binary_crossentropy", X, binary)
        course_binary = _fit([Dense(5), ReLU(), Dense(1), Sigmoid()], "binary_crossentropy",
                             X, binary)
    finally:
        config.set_fast_paths(previous)
    _same_training(keras_way, course_way)
    _same_training(keras_binary, course_binary)
    np.testing.assert_array_equal(keras_way[0].predict(X, verbose=0),
                                  course_way[0].predict(X, verbose=0))
    assert keras_way[0].loss.fuses_with(keras_way[0].layers[-1])


def test_from_logits_trains_like_the_fused_activation_and_predicts_logits():
    X, labels = _data()
    logits_model, logits_history = _fit([Dense(6, activation="tanh"), Dense(3)],
                                        CategoricalCrossentropy(from_logits=True), X, labels)
    fused_model, fused_history = _fit([Dense(6, activation="tanh"), Dense(3, activation="softmax")],
                                      "categorical_crossentropy", X, labels)
    _same_training((logits_model, logits_history), (fused_model, fused_history))
    Z = logits_model.predict(X, verbose=0)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(E / E.sum(axis=1, keepdims=True), fused_model.predict(X, verbose=0),
                               rtol=1e-12)
    # The metrics see the logits (as in Keras): the arg-max accuracy is the same either way.
    assert logits_history.history["accuracy"] == fused_history.history["accuracy"]


def test_a_cross_entropy_after_an_output_that_is_not_a_probability_is_refused():
    X, labels = _data()
    for layers, loss, fix in [([Dense(3)], "categorical_crossentropy", "activation='softmax'"),
                              ([Dense(1), Tanh()], "binary_crossentropy", "activation='sigmoid'"),
                              ([Dense(1, activation="relu")], "binary_crossentropy", "from_logits")]:
        model = Sequential(layers, seed=0)
        model.compile("adam", loss)
        y = labels if loss.startswith("categorical") else (labels == 1).astype(float)
        with pytest.raises(ValueError, match=fix):
            model.fit(X, y, verbose=0)
        assert not model.built  # refused before anything changed


# ---------------------------------------------------------------- sample and class weights
def _procedural_losses(Y_hat, Y, w):
    """Keras's sum_over_batch_size written out: sum_i w_i l_i / m, l_i the example's loss."""
    m = Y.shape[0]
    d = Y_hat - Y
    huber = np.where(np.abs(d) <= 1.0, 0.5 * d ** 2, np.abs(d) - 0.5)
    return {"mse": np.sum(w * np.mean(d ** 2, axis=1)) / m,
            "mae": np.sum(w * np.mean(np.abs(d), axis=1)) / m,
            "huber": np.sum(w * np.mean(huber, axis=1)) / m}


def test_weighted_regression_losses_are_kerass_formula_and_their_gradients_hold():
    rng = np.random.default_rng(2)
    Y_hat, Y = rng.standard_normal((7, 3)), rng.standard_normal((7, 3))
    w = rng.uniform(0, 3, 7)
    expected = _procedural_losses(Y_hat, Y, w)
    for name, loss in [("mse", MeanSquaredError()), ("mae", MeanAbsoluteError()),
                       ("huber", Huber(delta=1.0))]:
        assert loss.forward(Y_hat, Y, w) == pytest.approx(expected[name], rel=1e-13)
        analytic = loss.backward()
        numeric = gradcheck.numerical_gradient(lambda loss=loss: loss.forward(Y_hat, Y, w), Y_hat)
        assert gradcheck.relative_error(analytic, numeric) < 1e-7, name
        assert loss(Y, Y_hat, w) == pytest.approx(expected[name], rel=1e-13)  # Keras's order


def test_weighted_fused_cross_entropies_from_logits_against_the_formula():
    rng = np.random.default_rng(3)
    Z = rng.standard_normal((6, 4)) * 3
    labels = rng.integers(0, 4, 6)
    Y = np.eye(4)[labels]
    w = rng.uniform(0, 2, 6)
    log_softmax = Z - Z.max(axis=1, keepdims=True)
    log_softmax -= np.log(np.exp(log_softmax).sum(axis=1, keepdims=True))
    loss = CategoricalCrossentropy(from_logits=True)
    assert loss.forward(Z, Y, w) == pytest.approx(-np.sum(w * np.sum(Y * log_softmax, 1)) / 6,
                                                  rel=1e-13)
    np.testing.assert_allclose(loss.backward(), w[:, None] * (np.exp(log_softmax) - Y) / 6,
                               rtol=1e-13)
    z, y = Z[:, :1], (labels[:, None] % 2).astype(float)
    binary = BinaryCrossentropy(from_logits=True)
    p = 1 / (1 + np.exp(-z))
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert binary.forward(z, y, w) == pytest.approx(np.sum(w[:, None] * bce) / 6, rel=1e-12)
    np.testing.assert_allclose(binary.backward(), w[:, None] * (p - y) / 6, rtol=1e-12)


def test_sample_weight_in_fit_is_a_step_on_the_weighted_loss():
    X, labels = _data(m=20)
    Y = np.eye(3)[labels]
    w = np.linspace(0.0, 2.0, 20)
    model = Sequential([Dense(3, input_dim=4, activation="softmax")], seed=0)
    W0, b0 = model.layers[0].params["W"].copy(), model.layers[0].params["b"].copy()
    model.compile(SGD(0.5), "categorical_crossentropy")
    history = model.fit(X, labels, batch_size=20, sample_weight=w, verbose=0)
    Z = X @ W0.T + b0
    A = np.exp(Z - Z.max(1, keepdims=True))
    A /= A.sum(1, keepdims=True)
    assert history.history["loss"][0] == pytest.approx(
        -np.sum(w * np.sum(Y * np.log(A), 1)) / 20, rel=1e-12)
    dZ = w[:, None] * (A - Y) / 20
    np.testing.assert_allclose(model.layers[0].params["W"], W0 - 0.5 * dZ.T @ X, rtol=1e-12)
    np.testing.assert_allclose(model.layers[0].params["b"], b0 - 0.5 * dZ.sum(0), rtol=1e-12)


def test_class_weight_is_the_sample_weight_of_each_examples_class():
    X, labels = _data()
    weights = {0: 0.5, 1: 2.0, 2: 1.0}
    by_class = _fit([Dense(4, activation="tanh"), Dense(3, activation="softmax")],
                    "categorical_crossentropy", X, labels, class_weight=weights)
    by_example = _fit([Dense(4, activation="tanh"), Dense(3, activation="softmax")],
                      "categorical_crossentropy", X, labels,
                      sample_weight=np.array([weights[c] for c in labels]))
    _same_training(by_class, by_example)
    with pytest.raises(ValueError, match="not both"):
        _fit([Dense(3, activation="softmax")], "categorical_crossentropy", X, labels,
             class_weight=weights, sample_weight=np.ones(len(labels)))


def test_weighted_metrics_take_the_weights_and_metrics_do_not():
    X, labels = _data(m=40)
    y = (labels == 1).astype(float)
    w = np.where(y == 1, 3.0, 0.5)
    model = Sequential([Dense(1, input_dim=4, activation="sigmoid")], seed=0)
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"],
                  weighted_metrics=["accuracy"])
    model.fit(X, y, epochs=1, verbose=0)
    results = model.evaluate(X, y, sample_weight=w, verbose=0, return_dict=True)
    correct = ((model.predict(X, verbose=0)[:, 0] > 0.5) == (y > 0.5)).astype(float)
    assert results["accuracy"] == pytest.approx(correct.mean(), abs=1e-15)
    assert results["weighted_accuracy"] == pytest.approx(np.sum(w * correct) / np.sum(w),
                                                          abs=1e-15)


# ---------------------------------------------------------------- fit's other arguments
def test_initial_epoch_and_validation_freq_as_keras():
    X, labels = _data()
    model = Sequential([Dense(3, input_dim=4, activation="softmax")], seed=0)
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    history = model.fit(X, labels, epochs=6, initial_epoch=2, validation_freq=2,
                        validation_split=0.25, verbose=0)
    assert history.epoch == [2, 3, 4, 5]
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2
    with pytest.raises(ValueError, match="initial_epoch"):
        model.fit(X, labels, epochs=2, initial_epoch=2, verbose=0)
    for bad in ("loud", 3):
        with pytest.raises(ValueError, match="verbose must be 'auto', 0"):
            model.fit(X, labels, verbose=bad)
    model.fit(X, labels, batch_size=None, verbose=False)


def test_validation_data_with_weights_and_its_clear_errors():
    X, labels = _data()
    model = Sequential([Dense(3, input_dim=4, activation="softmax")], seed=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    w = np.ones(20)
    weighted = model.fit(X, labels, validation_data=(X[:20], labels[:20], 2 * w), verbose=0)
    plain = model.evaluate(X[:20], labels[:20], verbose=0)  # the parameters after that epoch
    assert weighted.history["val_loss"] == [pytest.approx(2 * plain, rel=1e-12)]
    with pytest.raises(TypeError, match=r"\(x_val, y_val\) or \(x_val, y_val, sample_weight_val\)"
                                        r"; got a tuple of 4 items"):
        model.fit(X, labels, validation_data=(X, labels, w, w), verbose=0)


def test_sparse_categorical_crossentropy_takes_labels_and_says_what_to_do_with_one_hot():
    X, labels = _data()
    sparse = _fit([Dense(3, activation="softmax")], "sparse_categorical_crossentropy", X, labels)
    dense = _fit([Dense(3, activation="softmax")], "categorical_crossentropy", X,
                 np.eye(3)[labels])
    _same_training(sparse, dense)
    model = Sequential([Dense(3, input_dim=4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"argmax\(axis=1\).*categorical_crossentropy"):
        model.fit(X, np.eye(3)[labels], verbose=0)


# ---------------------------------------------------------------- evaluate, compile
def test_evaluate_returns_what_keras_returns():
    X, labels = _data()
    model = Sequential([Dense(3, input_dim=4, activation="softmax")], seed=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    loss = model.evaluate(X, labels, verbose=0)
    assert isinstance(loss, float)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy", "mae"])
    loss2, accuracy, mae = model.evaluate(X, labels, verbose=0)
    assert loss2 == loss
    results = model.evaluate(X, labels, verbose=0, return_dict=True)
    assert results == {"loss": loss, "accuracy": accuracy, "mae": mae}
    assert model.predict(X, verbose=0).shape == (60, 3)


def test_compile_takes_kerass_order_and_0_1s_and_says_did_you_mean():
    X, labels = _data()
    runs = []
    for args in [("adam", "sparse_categorical_crossentropy"),
                 ("sparse_categorical_crossentropy", "adam"),
                 (Adam(), CategoricalCrossentropy()), (CategoricalCrossentropy(), Adam())]:
        model = Sequential([Dense(3, input_dim=4, activation="softmax")], seed=0)
        model.compile(*args, metrics=["acc"])
        runs.append(model.fit(X, labels, epochs=2, verbose=0).history)
    assert runs[0] == runs[1] == runs[2] == runs[3]
    assert list(runs[0]) == ["loss", "acc"]  # logged under the name given, as Keras
    model = Sequential([Dense(3, input_dim=4)])
    for kwargs, hint in [({"loss": "binary_crossentropi"}, "did you mean 'binary_crossentropy'"),
                         ({"optimizer": "adm", "loss": "mse"}, "did you mean 'adam'"),
                         ({"loss": "mse", "metrics": ["acuracy"]}, "did you mean 'accuracy'")]:
        with pytest.raises(ValueError, match=hint):
            model.compile(**kwargs)
    with pytest.raises(ValueError, match="did you mean 'relu'"):
        Dense(3, activation="rleu")


# ---------------------------------------------------------------- layers and weights
def test_trainable_false_freezes_a_layer_and_summary_counts_it():
    X, labels = _data()
    model = Sequential([Input(shape=(4,)), Dense(5, activation="relu", name="frozen"),
                        Dense(3, activation="softmax")], seed=0)
    model.get_layer("frozen").trainable = False
    before = model.get_weights()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(X, labels, epochs=2, verbose=0)
    after = model.get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(before[:2], after[:2], strict=True))
    assert not any(np.array_equal(a, b) for a, b in zip(before[2:], after[2:], strict=True))
    info = model.summary(print_fn=lambda text: None)
    assert (info["trainable_params"], info["non_trainable_params"]) == (18, 25)


def test_a_frozen_layer_stays_frozen_through_save_and_load(tmp_path):
    model = Sequential([Dense(2, input_dim=3), Dense(1, trainable=False)], seed=0)
    loaded = load_model(model.save(tmp_path / "m.npz"))
    assert [layer.trainable for layer in loaded.layers] == [True, False]


def test_weights_as_lists_in_each_layers_layout():
    model = Sequential([Input(shape=(3,)), Dense(4, activation="relu"), Dense(2, use_bias=False)],
                       seed=0)
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(4, 3), (4,), (2, 4)]
    new = [np.full_like(w, i + 1.0) for i, w in enumerate(weights)]
    model.set_weights(new)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), new, strict=True))
    X = np.ones((1, 3))
    assert np.array_equal(model.predict(X, verbose=0), np.maximum(X @ new[0].T + new[1], 0) @ new[2].T)
    with pytest.raises(ValueError, match=r"looks transposed.*\.T"):
        model.set_weights([new[0].T, new[1], new[2]])
    with pytest.raises(ValueError, match="has 3 weight arrays"):
        model.set_weights(new[:2])
    assert np.array_equal(model.get_weights()[0], new[0])  # nothing was written


def test_input_get_layer_pop_and_layers_changed_by_hand():
    model = Sequential([Input(shape=(4,)), Dense(3, name="hidden"), Dense(1)])
    assert model.built and model.input_shape == (None, 4) and len(model.layers) == 2
    assert model.get_layer("hidden") is model.get_layer(index=0)
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        model.get_layer("nope")
    last = model.pop()
    assert isinstance(last, Dense) and [layer.name for layer in model.layers] == ["hidden"]
    model.layers.append(Dense(1))
    with pytest.raises(ValueError, match=r"model.layers was changed directly.*model.add"):
        model.predict(np.ones((2, 4)), verbose=0)


# ---------------------------------------------------------------- errors that name the fix
def test_predicting_one_example_says_reshape_1_minus_1():
    model = Sequential([Dense(1, input_dim=4)])
    with pytest.raises(ValueError, match=r"reshape\(1, -1\)"):
        model.predict(np.ones(4), verbose=0)


def test_a_layer_that_forgets_its_gradient_is_named():
    class Scale(Layer):
        def build(self, input_shape):
            self.params = {"s": np.ones(input_shape)}
            super().build(input_shape)

        def forward(self, A, training=True):
            return A * self.params["s"]

        def backward(self, dA):
            return dA * self.params["s"]

    model = Sequential([Dense(2, input_dim=3), Scale()])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"'scale' has parameter 's' but no gradient.*grads\['s'\]"):
        model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)


def test_a_string_column_is_shown_as_the_string():
    import pandas
    frame = pandas.DataFrame({"a": [1.0, 2.0], "b": ["red", "blue"]})
    model = Sequential([Dense(1, input_dim=2)])
    with pytest.raises(TypeError, match="'red'"):
        model.predict(frame, verbose=0)


def test_saturated_logits_train_under_seterr_raise():
    X, labels = _data()
    for layers, loss, y in [([Dense(3, activation="softmax")], "categorical_crossentropy", labels),
                            ([Dense(1, activation="sigmoid")], "binary_crossentropy",
                             (labels == 1).astype(float))]:
        model = Sequential(layers, seed=0)
        model.compile(SGD(0.01), loss, ["accuracy"])
        with np.errstate(all="raise"):
            model.fit(X * 1e3, y, epochs=2, verbose=0)
            model.evaluate(X * 1e3, y, verbose=0)
            model.predict(X * 1e3, verbose=0)
        assert all(np.isfinite(w).all() for w in model.get_weights())
