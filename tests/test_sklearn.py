"""neuralkit.sklearn: scikit-learn's own estimator checks, and the estimators in its tools."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

from neuralkit import Sequential, gradcheck
from neuralkit.layers import Dense, Sigmoid, Softmax
from neuralkit.sklearn import NeuralKitClassifier, NeuralKitRegressor

# Checks deliberately not required to pass, with the reason.
ALWAYS_SKIPPED = {
    # Needs SCIPY_ARRAY_API=1 and array-API inputs (CuPy, torch); neuralkit computes with
    # NumPy only and does not claim array-API support, so scikit-learn skips it.
    "check_array_api_input": "neuralkit is NumPy-only (no array-API support claimed)",
}
FLOAT32_SKIPPED = {
    # Compares predict on a subset with predict on the whole set at rtol=1e-7, below float32's
    # machine epsilon (1.2e-7): BLAS rounds a float32 GEMM differently for different row
    # counts, so one-ulp differences appear. Runs (and passes) for the float64 estimators.
    "check_methods_subset_invariance": "float32 GEMM rounding differs by 1 ulp across batch shapes",
    # The same with the rows permuted: OpenBLAS's Haswell kernels (AMD EPYC here) round some
    # rows' float32 dot products 1 ulp differently by their place in the block (seen: 6e-8).
    "check_methods_sample_order_invariance": "float32 GEMM rounding differs by 1 ulp with row order",
}

ESTIMATORS = [
    NeuralKitClassifier(hidden_layer_sizes=(32,), epochs=100, random_state=0),
    NeuralKitRegressor(hidden_layer_sizes=(32,), epochs=100, random_state=0),
    NeuralKitClassifier(hidden_layer_sizes=(16, 8), activation="tanh", dtype="float32",
                        early_stopping=True, l2=1e-3, random_state=0),
    NeuralKitClassifier(hidden_layer_sizes=(16,), optimizer="lbfgs", epochs=20, random_state=0),
    NeuralKitRegressor(dtype="float32", optimizer="sgd", learning_rate=0.01, early_stopping=True,
                       l2=1e-3, epochs=100, random_state=0),
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=repr)
def test_check_estimator(estimator):
    skipped = dict(ALWAYS_SKIPPED)
    if estimator.dtype == "float32":
        skipped.update(FLOAT32_SKIPPED)
    results = check_estimator(estimator, on_skip=None, on_fail=None)
    names = {r["check_name"] for r in results}
    assert len(results) > 40
    assert {"check_fit_idempotent", "check_pipeline_consistency", "check_estimators_pickle",
            "check_n_features_in_after_fitting"} <= names
    failures = {r["check_name"]: repr(r["exception"]) for r in results
                if r["status"] != "passed" and r["check_name"] not in skipped}
    assert failures == {}


def _blobs(m=240, seed=0, labels=("cat", "dog", "emu")):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])[:len(labels)]
    k = rng.integers(0, len(labels), m)
    X = centres[k] + rng.standard_normal((m, 2))
    return X, np.array(labels, dtype=object)[k]


def test_string_labels_classes_and_probabilities():
    X, y = _blobs()
    clf = NeuralKitClassifier(hidden_layer_sizes=(16,), learning_rate=0.01, random_state=0).fit(X, y)
    assert list(clf.classes_) == ["cat", "dog", "emu"]
    assert isinstance(clf.model_.layers[-1], Softmax)
    P = clf.predict_proba(X)
    assert P.shape == (240, 3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)
    pred = clf.predict(X)
    assert set(pred) <= {"cat", "dog", "emu"}
    np.testing.assert_array_equal(pred, clf.classes_[P.argmax(axis=1)])
    assert clf.score(X, y) > 0.95


def test_binary_uses_one_sigmoid_output_and_orders_columns_like_classes():
    X, y = _blobs(labels=("no", "yes"))
    clf = NeuralKitClassifier(hidden_layer_sizes=(8,), learning_rate=0.01, random_state=1).fit(X, y)
    assert isinstance(clf.model_.layers[-1], Sigmoid) and clf.model_.output_dim == 1
    P = clf.predict_proba(X)
    A = clf.model_.predict(X)[:, 0]
    np.testing.assert_allclose(P[:, 1], A)          # column 1 is P(classes_[1] = "yes")
    np.testing.assert_allclose(P[:, 0], 1 - A)
    assert clf.score(X, y) > 0.95


def test_pipeline_grid_search_and_cross_val_score():
    X, y = _blobs(m=150, seed=3)
    X = X * 100 + 50                                  # badly scaled: the scaler matters
    pipe = make_pipeline(StandardScaler(), NeuralKitClassifier(learning_rate=0.01, epochs=60,
                                                               random_state=0))
    grid = GridSearchCV(pipe, {"neuralkitclassifier__hidden_layer_sizes": [(4,), (16,)],
                               "neuralkitclassifier__l2": [0.0, 1e-4]}, cv=3)
    grid.fit(X, y)
    assert set(grid.best_params_) == {"neuralkitclassifier__hidden_layer_sizes",
                                      "neuralkitclassifier__l2"}
    assert grid.best_score_ > 0.9
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.85


def test_get_set_params_and_clone():
    reg = NeuralKitRegressor(hidden_layer_sizes=(5, 3), l2=0.1)
    params = reg.get_params()
    assert params["hidden_layer_sizes"] == (5, 3) and params["l2"] == 0.1
    assert {"activation", "optimizer", "learning_rate", "batch_size", "epochs",
            "validation_fraction", "early_stopping", "random_state", "dtype", "verbose"} <= set(params)
    reg.set_params(epochs=7, activation="tanh")
    copy = clone(reg)
    assert copy.get_params() == reg.get_params() and copy.epochs == 7


def test_regressor_fits_a_smooth_function_with_several_outputs():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (300, 2))
    Y = np.column_stack([np.sin(X[:, 0]) + X[:, 1] ** 2 / 4, X[:, 0] * X[:, 1] / 4])
    reg = NeuralKitRegressor(hidden_layer_sizes=(32,), activation="tanh", learning_rate=0.01,
                             random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (300, 2)
    assert reg.score(X, Y) > 0.95
    reg1 = NeuralKitRegressor(hidden_layer_sizes=(32,), learning_rate=0.01, epochs=50,
                              random_state=0).fit(X, Y[:, 0])
    assert reg1.predict(X).shape == (300,)


def test_partial_fit_needs_classes_first_then_learns_epoch_by_epoch():
    X, y = _blobs(seed=5)
    clf = NeuralKitClassifier(hidden_layer_sizes=(16,), learning_rate=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes must be given on the first call"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:50], y[:50], classes=["cat", "dog", "emu"])
    assert clf.n_iter_ == 1 and list(clf.classes_) == ["cat", "dog", "emu"]
    for _ in range(30):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 31
    assert clf.loss_curve_[-1] < 0.5 * clf.loss_curve_[1]
    assert clf.score(X, y) > 0.95
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X[:3], np.array(["cat", "dog", "yak"], dtype=object))
    with pytest.raises(ValueError, match="X has 3 features"):
        clf.partial_fit(np.zeros((4, 3)), y[:4])


def test_l2_penalty_value_and_gradient_through_a_model():
    rng = np.random.default_rng(0)
    model = Sequential([Dense(4, l2=0.3), Softmax()], seed=0)  # what the estimators build
    model.build(3)
    W = model.layers[0].params["W"]
    assert model.layers[0].regularization_loss() == pytest.approx(0.3 * np.sum(W ** 2), rel=1e-14)
    X = rng.standard_normal((6, 3))
    y = rng.integers(0, 4, 6)
    errors = gradcheck.check_model(model, X, y)      # finite differences of loss + penalty
    assert max(errors.values()) < 1e-7


def test_l2_shrinks_the_weights():
    X, y = _blobs(m=120, seed=2)
    norms = []
    for l2 in (0.0, 0.05):
        clf = NeuralKitClassifier(hidden_layer_sizes=(16,), l2=l2, learning_rate=0.01, epochs=80,
                                  random_state=0).fit(X, y)
        norms.append(sum(np.sum(layer.params["W"] ** 2) for layer in clf.model_.layers
                         if "W" in layer.params))
        hidden = clf.model_.layers[0]
        assert (hidden.kernel_regularizer is None if l2 == 0 else hidden.kernel_regularizer.l2 == l2)
    assert norms[1] < 0.5 * norms[0]


def test_early_stopping_stops_and_keeps_the_best_epoch():
    X, y = _blobs(m=300, seed=4)
    clf = NeuralKitClassifier(hidden_layer_sizes=(16,), learning_rate=0.01, early_stopping=True,
                              n_iter_no_change=5, epochs=500, random_state=0).fit(X, y)
    assert clf.n_iter_ < 500
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ >= max(clf.validation_scores_) - clf.tol
    assert clf.score(X, y) > 0.9


@pytest.mark.parametrize("kwargs, match", [
    ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes must be a tuple of integers >= 1"),
    ({"activation": "swish"}, "activation must be one of"),
    ({"optimizer": "newton"}, "optimizer must be one of"),
    ({"learning_rate": -1.0}, "learning_rate must be a finite number > 0"),
    ({"l2": -0.1}, "l2 must be a finite number >= 0"),
    ({"epochs": 0}, "epochs must be an integer >= 1"),
    ({"validation_fraction": 1.0}, "validation_fraction must be a finite number > 0 and < 1"),
    ({"dtype": "float16"}, "dtype must be 'float32' or 'float64'"),
])
def test_bad_hyperparameters_are_named_at_fit(kwargs, match):
    X, y = _blobs(m=20)
    clf = NeuralKitClassifier(**kwargs)               # scikit-learn's rule: __init__ never raises
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)


def test_one_class_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="at least 2 classes"):
        NeuralKitClassifier().fit(np.zeros((5, 2)), ["a"] * 5)


def test_the_estimators_print_nothing_when_not_verbose(capsys):
    X, y = _blobs(m=60, seed=1)
    clf = NeuralKitClassifier(hidden_layer_sizes=(4,), epochs=3, early_stopping=True,
                              random_state=0).fit(X, y)
    clf.predict(X)
    clf.predict_proba(X)
    NeuralKitRegressor(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(X, X[:, 0]).predict(X)
    assert capsys.readouterr().out == ""
