"""Bad input: one test per case of the issue. Each checks the exception type, the key words of
the message, and that a fit call failing validation leaves the model exactly as it was."""

import copy

import numpy as np
import pytest

from neuralkit import Sequential
from neuralkit.layers import Dense, ReLU, Sigmoid, Softmax
from neuralkit.optimizers import SGD, Adam, RMSprop
from tests.helpers import binary_data

N_X, M = 3, 10


def _data(m=M, n_x=N_X, seed=0):
    return binary_data(m, n_x, lambda X: X[:, 0], seed)


def _trained_model():
    """Built, compiled and trained once, so it has optimizer state and a history."""
    model = Sequential([Dense(4, input_dim=N_X), ReLU(), Dense(1), Sigmoid()], seed=0)
    model.compile(loss="binary_crossentropy", optimizer=Adam(0.01), metrics=["accuracy"])
    model.fit(*_data(), epochs=2, batch_size=4, verbose=0)
    return model


def _fresh_model():
    """Not built (no input_dim), not compiled."""
    return Sequential([Dense(4), ReLU(), Dense(1), Sigmoid()], seed=0)


def _snapshot(model):
    return {
        "built": [layer.built for layer in model.layers],
        "dims": [(layer.input_dim, layer.output_dim) for layer in model.layers],
        "params": [{k: v.copy() for k, v in layer.params.items()} for layer in model.layers],
        "grads": [{k: v.copy() for k, v in layer.grads.items()} for layer in model.layers],
        "optimizer": model.optimizer,
        "opt_state": copy.deepcopy(model.optimizer.state) if model.optimizer else None,
        "opt_iterations": model.optimizer.iterations if model.optimizer else None,
        "loss": model.loss,
        "history": model.history,
        "rng": copy.deepcopy(model.rng.bit_generator.state),
    }


def _assert_unchanged(model, before):
    after = _snapshot(model)
    assert after["built"] == before["built"]
    assert after["dims"] == before["dims"]
    for old, new in zip(before["params"] + before["grads"], after["params"] + after["grads"], strict=True):
        assert old.keys() == new.keys()
        for key in old:
            assert np.array_equal(old[key], new[key])
    assert after["optimizer"] is before["optimizer"]
    assert after["opt_iterations"] == before["opt_iterations"]
    if before["opt_state"] is not None:
        assert after["opt_state"].keys() == before["opt_state"].keys()
        for key, slots in before["opt_state"].items():
            for name, value in slots.items():
                assert np.array_equal(after["opt_state"][key][name], value)
    assert after["loss"] is before["loss"]
    assert after["history"] is before["history"]
    assert after["rng"] == before["rng"]


@pytest.fixture(params=["trained", "fresh"])
def model(request):
    return _trained_model() if request.param == "trained" else _fresh_model()


def _fit_fails(model, exc, pattern, X, Y, **kwargs):
    before = _snapshot(model)
    with pytest.raises(exc, match=pattern) as info:
        model.fit(X, Y, verbose=0, **kwargs)
    _assert_unchanged(model, before)
    return str(info.value)


# ---------------------------------------------------------------------- sample counts
def test_different_numbers_of_samples(model):
    X, y = _data()
    message = _fit_fails(model, ValueError, "same number of samples", X, y[:7])
    assert "10" in message and "7" in message


# ---------------------------------------------------------------------- features
def test_wrong_number_of_features_for_a_built_model():
    model = _trained_model()
    X, y = _data(n_x=5)
    message = _fit_fails(model, ValueError, "features", X, y)
    assert "5 features" in message and "expects 3" in message


def test_course_layout_is_recognized_as_transposed(model):
    X, y = _data()
    # The course's layout: X (n_x, m), Y (1, m).
    message = _fit_fails(model, ValueError, "transposed", X.T, y[None, :])
    assert "X.T" in message and "Y.T" in message


def test_transposed_x_with_1d_labels_on_an_unbuilt_model():
    X, y = _data()
    message = _fit_fails(_fresh_model(), ValueError, "same number of samples", X.T, y)
    assert "X looks transposed" in message and "X.T" in message


def test_transposed_x_with_built_model_is_reported_before_sample_counts():
    model = _trained_model()
    X, y = _data()
    # Y in the right layout, X transposed: still named transposed, not a sample mismatch.
    message = _fit_fails(model, ValueError, "transposed", X.T, y)
    assert "X.T" in message and "expects 3" in message


def test_predict_with_the_wrong_feature_count():
    model = _trained_model()
    with pytest.raises(ValueError, match=r"X has 4 features.*expects 3"):
        model.predict(np.ones((6, 4)))
    with pytest.raises(ValueError, match="transposed"):
        model.predict(np.ones((3, 6)))
    with pytest.raises(ValueError, match=r"2-D.*reshape"):
        model.predict(np.ones(3))


def test_evaluate_with_the_wrong_feature_count():
    model = _trained_model()
    X, y = _data(n_x=2)
    with pytest.raises(ValueError, match=r"2 features.*expects 3"):
        model.evaluate(X, y, return_dict=True)


# ---------------------------------------------------------------------- values
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["X", "Y"])
def test_nan_or_inf(model, bad, where):
    X, y = _data()
    if where == "X":
        X[4, 1] = bad
    else:
        y[6] = bad
    message = _fit_fails(model, ValueError, f"^{where} contains NaN or inf", X, y)
    assert "[4, 1]" in message if where == "X" else "[6]" in message


def test_nan_in_predict_input():
    with pytest.raises(ValueError, match="NaN or inf"):
        _trained_model().predict(np.array([[1.0, np.nan, 0.0]]))


@pytest.mark.parametrize("where", ["X", "Y"])
@pytest.mark.parametrize("bad", ["strings", "objects", "none"])
def test_non_numeric(model, where, bad):
    X, y = _data()
    value = {"strings": [["a", "b", "c"]] * M, "objects": [[1.0, None, 2.0]] * M, "none": None}[bad]
    if where == "Y" and bad != "none":
        value = [row[1] for row in value]
    X, y = (value, y) if where == "X" else (X, value)
    _fit_fails(model, TypeError, f"^{where} must (hold numbers|be an array of numbers)", X, y)


def test_ragged_lists(model):
    _fit_fails(model, ValueError, "rectangular", [[1.0, 2.0, 3.0], [1.0]], [0.0, 1.0])


def test_empty_x(model):
    message = _fit_fails(model, ValueError, "^X is empty", np.empty((0, N_X)), np.empty(0))
    assert "(0, 3)" in message


def test_x_must_be_2d(model):
    _fit_fails(model, ValueError, r"X must be 2-D.*\(m, n_x\)", np.ones(M), np.ones(M))


# ---------------------------------------------------------------------- targets and the loss
def test_labels_outside_0_1_for_binary_crossentropy(model):
    X, y = _data()
    y[2] = 2.0
    message = _fit_fails(model, ValueError, r"labels in \[0, 1\] for binary cross-entropy", X, y)
    assert "from 0 to 2" in message
    y[2] = -1.0
    _fit_fails(model, ValueError, r"labels in \[0, 1\]", X, y)


def test_one_hot_width_differs_from_output_size():
    for built in (True, False):
        model = Sequential([Dense(3, input_dim=N_X if built else None), Softmax()], seed=0)
        X, _ = _data()
        Y = np.eye(4)[np.arange(M) % 4]
        message = _fit_fails(model, ValueError, "one-hot", X, Y)
        assert "4 columns" in message and "3 outputs" in message


def test_class_labels_out_of_range():
    model = Sequential([Dense(3, input_dim=N_X), Softmax()], seed=0)
    X, _ = _data()
    _fit_fails(model, ValueError, r"integers in \[0, 2\]", X, np.arange(M) % 4)
    _fit_fails(model, ValueError, "integers", X, np.full(M, 0.5))


def test_target_width_differs_from_output_size_for_mse():
    model = Sequential([Dense(2, input_dim=N_X)], seed=0)
    X, _ = _data()
    message = _fit_fails(model, ValueError, "3 columns", X, np.ones((M, 3)))
    assert "2 outputs" in message


def test_bad_validation_data(model):
    X, y = _data()
    Xv = X.copy()
    Xv[0, 0] = np.nan
    _fit_fails(model, ValueError, "validation_data X contains NaN", X, y, validation_data=(Xv, y))
    _fit_fails(model, TypeError, "validation_data", X, y, validation_data=X)
    _fit_fails(model, ValueError, "validation_split", X, y, validation_split=1.5)


# ---------------------------------------------------------------------- fit arguments
@pytest.mark.parametrize("epochs", [0, -3])
def test_epochs_below_1(model, epochs):
    message = _fit_fails(model, ValueError, "epochs must be an integer >= 1", *_data(), epochs=epochs)
    assert f"got {epochs}" in message


@pytest.mark.parametrize("batch_size", [0, -1])
def test_batch_size_below_1(model, batch_size):
    message = _fit_fails(model, ValueError, "batch_size must be an integer >= 1", *_data(),
                         batch_size=batch_size)
    assert f"got {batch_size}" in message


@pytest.mark.parametrize("name, value", [("epochs", 2.5), ("epochs", True), ("batch_size", "32"),
                                         ("batch_size", 8.0)])
def test_non_integer_epochs_or_batch_size(model, name, value):
    _fit_fails(model, TypeError, f"{name} must be an integer", *_data(), **{name: value})


@pytest.mark.parametrize("cls", [SGD, RMSprop, Adam])
@pytest.mark.parametrize("lr", [0, -0.5])
def test_learning_rate_not_positive(cls, lr):
    with pytest.raises(ValueError, match=r"learning_rate must be a finite number > 0; got"):
        cls(learning_rate=lr)


def test_predict_batch_size_below_1():
    with pytest.raises(ValueError, match="batch_size"):
        _trained_model().predict(np.ones((2, N_X)), batch_size=0)


def test_errors_are_not_numpy_errors_from_inside_a_layer():
    # The same bad inputs straight into the layers would give numpy's own messages; the model
    # must catch them first.
    model = _trained_model()
    X, y = _data()
    for bad_X, bad_y in [(X[:, :2], y), (X, y[:-1]), (X.T, y[None, :])]:
        with pytest.raises(ValueError) as info:
            model.fit(bad_X, bad_y, verbose=0)
        text = str(info.value)
        assert "matmul" not in text and "broadcast" not in text and "operands" not in text


def test_tiny_values_round_to_float32_quietly_under_seterr_raise(tmp_path):
    # 1e-40 is below float32's smallest normal (1.2e-38): the cast underflows, rightly.
    X = np.array([[1e-40, 1.0], [2.0, -1e-45]])
    model = Sequential([Dense(1, input_shape=(2,))], seed=0, dtype="float32")
    memmap = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", dtype=np.float64,
                                       shape=X.shape)
    memmap[...] = X
    memmap.flush()
    with np.errstate(all="raise"):
        from_array = model.predict(X, verbose=0)
        from_memmap = model.predict(np.load(tmp_path / "X.npy", mmap_mode="r"), verbose=0)
    np.testing.assert_array_equal(from_array, from_memmap)
    assert from_array.dtype == np.float32 and np.isfinite(from_array).all()
