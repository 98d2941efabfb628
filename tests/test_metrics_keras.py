"""Keras's metrics, checked against scikit-learn: every metric over several batches of uneven
size, with and without sample weights, to 1e-12 (float64); names and aliases; configs and
saved models; edge cases (no positive, one class, no data) that give 0, never NaN."""

import copy
import math

import numpy as np
import pytest
from sklearn import metrics as sk

import neuralkit
from neuralkit import Sequential, load_model
from neuralkit import metrics as M
from neuralkit.layers import Dense, Sigmoid, Softmax

TOL = 1e-12
SIZES = (1, 13, 40, 2, 41)  # uneven batches, one of a single example: 97 examples in all


def _batches(*arrays):
    """The rows of each array, cut at SIZES."""
    edges = np.cumsum((0,) + SIZES)
    return [tuple(a[lo:hi] for a in arrays) for lo, hi in zip(edges[:-1], edges[1:], strict=True)]


def _binary(n_out=3, seed=0, ties=False):
    """Targets (m, n_out) of 0/1, outputs in (0, 1) correlated with them, weights (m,)."""
    rng = np.random.default_rng(seed)
    m = sum(SIZES)
    y = (rng.random((m, n_out)) < 0.4).astype(float)
    p = 1 / (1 + np.exp(-(2 * y - 1 + 1.5 * rng.standard_normal((m, n_out)))))
    if ties:
        p = np.round(p, 1)
    return y, p, rng.uniform(0.1, 3.0, m)


def _categorical(k=4, seed=1):
    """One-hot targets (m, k), softmax outputs, the labels (m,) and weights (m,)."""
    rng = np.random.default_rng(seed)
    m = sum(SIZES)
    labels = rng.integers(0, k, m)
    logits = rng.standard_normal((m, k)) + 1.2 * np.eye(k)[labels]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return np.eye(k)[labels], p, labels, rng.uniform(0.1, 3.0, m)


def _run(metric, y, p, w=None):
    """Reset, update with every batch (weights or not), the epoch's result."""
    metric.reset_state()
    for batch in _batches(y, p) if w is None else _batches(y, p, w):
        metric.update(*batch)
    return metric.result()


def _entry_weights(w, n_out):
    return None if w is None else np.repeat(w, n_out)


WEIGHTED = pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])


# ---------------------------------------------------------------------- accuracies and errors
@WEIGHTED
@pytest.mark.parametrize("threshold", [0.5, 0.3])
def test_binary_accuracy_is_sklearns_over_every_entry(weighted, threshold):
    y, p, w = _binary()
    w = w if weighted else None
    expected = sk.accuracy_score(y.ravel(), (p > threshold).ravel(), sample_weight=_entry_weights(w, 3))
    assert abs(_run(M.BinaryAccuracy(threshold=threshold), y, p, w) - expected) < TOL


@WEIGHTED
def test_categorical_and_sparse_accuracy_are_sklearns(weighted):
    onehot, p, labels, w = _categorical()
    w = w if weighted else None
    expected = sk.accuracy_score(labels, p.argmax(axis=1), sample_weight=w)
    assert abs(_run(M.CategoricalAccuracy(), onehot, p, w) - expected) < TOL
    for y_true in (onehot, labels.reshape(-1, 1).astype(float), labels.reshape(-1, 1)):
        assert abs(_run(M.SparseCategoricalAccuracy(), y_true, p, w) - expected) < TOL


@WEIGHTED
@pytest.mark.parametrize("cls, oracle", [(M.MeanSquaredError, sk.mean_squared_error),
                                         (M.MeanAbsoluteError, sk.mean_absolute_error)])
def test_regression_errors_are_sklearns(weighted, cls, oracle):
    rng = np.random.default_rng(2)
    y, p = rng.standard_normal((97, 3)), rng.standard_normal((97, 3))
    w = rng.uniform(0.1, 3.0, 97) if weighted else None
    assert abs(_run(cls(), y, p, w) - oracle(y, p, sample_weight=w)) < TOL


def test_accuracy_and_mae_keep_the_arithmetic_of_0_1_bit_for_bit():
    y, p, _ = _binary()
    onehot, q, labels, _ = _categorical()
    # neuralkit 0.1's formulas, verbatim: the sum over the batch, then divided by m once.
    assert M.get("accuracy", False).update(y, p) == float(np.count_nonzero((p > 0.5) == (y > 0.5))) / 3 / 97
    assert M.get("accuracy", True).update(onehot, q) == float(
        np.count_nonzero(q.argmax(axis=1) == onehot.argmax(axis=1))) / 97
    assert M.get("mae", False).update(y, p) == float(np.sum(np.abs(p - y))) / 3 / 97
    assert M.binary_accuracy(p, y) == float(np.count_nonzero((p > 0.5) == (y > 0.5))) / 3
    assert M.categorical_accuracy(q, onehot) == float(np.count_nonzero(q.argmax(1) == labels))
    assert M.mae(p, y) == float(np.sum(np.abs(p - y))) / 3


def test_keras_functional_forms_give_one_value_per_example():
    y, p, _ = _binary()
    onehot, q, labels, _ = _categorical()
    np.testing.assert_array_equal(M.mean_squared_error(y, p), np.mean((p - y) ** 2, axis=1))
    np.testing.assert_array_equal(M.mean_absolute_error(y, p), np.mean(np.abs(p - y), axis=1))
    np.testing.assert_array_equal(M.sparse_categorical_accuracy(labels, q),
                                  (q.argmax(1) == labels).astype(float))
    wrapped = M.MeanMetricWrapper(M.mean_squared_error)
    assert wrapped.name == "mean_squared_error"
    assert abs(_run(wrapped, y, p) - sk.mean_squared_error(y, p)) < TOL


# ---------------------------------------------------------------------- precision and recall
def _top_k_decisions(p, k):
    """An independent top-k: for each row, the k largest, a tie to the lower index."""
    out = np.zeros(p.shape, dtype=bool)
    for i, row in enumerate(p):
        chosen = sorted(range(len(row)), key=lambda j: (-row[j], j))[:k]
        out[i, chosen] = True
    return out


@WEIGHTED
@pytest.mark.parametrize("cls, oracle", [(M.Precision, sk.precision_score), (M.Recall, sk.recall_score)])
@pytest.mark.parametrize("kwargs", [{}, {"thresholds": 0.3}, {"thresholds": [0.7]}, {"class_id": 1},
                                    {"top_k": 2}, {"top_k": 1, "thresholds": 0.4},
                                    {"top_k": 2, "class_id": 0}], ids=repr)
def test_precision_and_recall_are_sklearns_over_the_epoch(weighted, cls, oracle, kwargs):
    y, p, w = _binary(n_out=4, ties=True)
    w = w if weighted else None
    threshold = kwargs.get("thresholds", 0.5 if "top_k" not in kwargs else -math.inf)
    threshold = threshold[0] if isinstance(threshold, list) else threshold
    decided = p > threshold
    if "top_k" in kwargs:
        decided &= _top_k_decisions(p, kwargs["top_k"])
    if "class_id" in kwargs:
        c = kwargs["class_id"]
        expected = oracle(y[:, c], decided[:, c], sample_weight=w, zero_division=0)
    else:
        expected = oracle(y.ravel(), decided.ravel(), sample_weight=_entry_weights(w, 4), zero_division=0)
    assert abs(_run(cls(**kwargs), y, p, w) - expected) < TOL


def test_precision_counts_over_the_epoch_rather_than_averaging_batches():
    y = np.array([[1.0], [0.0], [0.0], [0.0], [1.0]])
    p = np.array([[0.9], [0.8], [0.7], [0.6], [0.9]])
    metric = M.Precision()
    batch_values = [metric.update(y[:4], p[:4]), metric.update(y[4:], p[4:])]
    assert batch_values == [0.25, 1.0]                    # each batch's own precision
    assert metric.result() == 2 / 5                       # the epoch's, not their mean 0.625
    assert (metric.true_positives, metric.false_positives, metric.false_negatives) == (2, 3, 0)


def test_every_metric_returns_its_batch_value_and_its_epoch_result():
    y, p, w = _binary()
    for make in (M.BinaryAccuracy, M.MeanSquaredError, M.Precision, M.Recall, M.AUC):
        metric = make()
        for yb, pb, wb in _batches(y, p, w):
            alone = make()
            alone.update_state(yb, pb, wb)
            assert metric.update(yb, pb, wb) == alone.result()
        whole = make()
        whole.update_state(y, p, w)
        assert abs(metric.result() - whole.result()) < TOL


# ---------------------------------------------------------------------- AUC
@WEIGHTED
@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
@pytest.mark.parametrize("curve, oracle", [("ROC", sk.roc_auc_score), ("PR", sk.average_precision_score)])
def test_auc_is_sklearns_on_the_epochs_data(weighted, ties, curve, oracle):
    y, p, w = _binary(ties=ties)
    w = w if weighted else None
    expected = oracle(y.ravel(), p.ravel(), sample_weight=_entry_weights(w, 3))
    assert abs(_run(M.AUC(curve=curve), y, p, w) - expected) < TOL


@WEIGHTED
@pytest.mark.parametrize("curve, oracle", [("ROC", sk.roc_auc_score), ("PR", sk.average_precision_score)])
def test_auc_per_label_and_with_label_weights(weighted, curve, oracle):
    y, p, w = _binary(n_out=3, ties=True)
    w = w if weighted else None
    label_weights = np.array([0.5, 2.0, 1.0])
    per_label = [oracle(y[:, k], p[:, k], sample_weight=w) for k in range(3)]
    assert abs(_run(M.AUC(curve=curve, multi_label=True), y, p, w) - np.mean(per_label)) < TOL
    weighted_mean = np.average(per_label, weights=label_weights)
    metric = M.AUC(curve=curve, multi_label=True, num_labels=3, label_weights=list(label_weights))
    assert abs(_run(metric, y, p, w) - weighted_mean) < TOL
    entry = np.outer(np.ones(len(y)) if w is None else w, label_weights).ravel()
    expected = oracle(y.ravel(), p.ravel(), sample_weight=entry)
    assert abs(_run(M.AUC(curve=curve, label_weights=label_weights), y, p, w) - expected) < TOL


@pytest.mark.parametrize("method", ["minoring", "majoring"])
def test_auc_minoring_and_majoring_count_ties_as_0_or_1(method):
    y, p, w = _binary(n_out=1, ties=True)
    pos, neg = p[y == 1], p[y == 0]
    wp, wn = w[y[:, 0] == 1], w[y[:, 0] == 0]
    tie = 1.0 if method == "majoring" else 0.0
    credit = (pos[:, None] > neg[None, :]) + tie * (pos[:, None] == neg[None, :])
    expected = (wp @ credit @ wn) / (wp.sum() * wn.sum())
    assert abs(_run(M.AUC(summation_method=method), y, p, w) - expected) < TOL


def test_auc_ignores_bucket_settings_and_logits_give_the_same_auc():
    y, p, w = _binary(ties=True)
    exact = _run(M.AUC(), y, p, w)
    assert _run(M.AUC(num_thresholds=3, thresholds=[0.2, 0.9]), y, p, w) == exact
    y, p, w = _binary(ties=False)
    logits = np.log(p / (1 - p))
    assert abs(_run(M.AUC(from_logits=True), y, logits, w) - _run(M.AUC(), y, p, w)) < TOL


def test_auc_keeps_copies_of_the_batches_fit_may_reuse():
    y, p, _ = _binary()
    buffer_y, buffer_p = y[:50].copy(), p[:50].copy()
    metric = M.AUC()
    metric.update(buffer_y, buffer_p)
    buffer_y[:47], buffer_p[:47] = y[50:], p[50:]   # the next batch, in the same arrays
    metric.update(buffer_y[:47], buffer_p[:47])
    assert abs(metric.result() - sk.roc_auc_score(y.ravel(), p.ravel())) < TOL


def test_float32_outputs_give_sklearns_value_on_the_same_numbers():
    y, p, w = _binary(ties=False)
    p32 = p.astype(np.float32)
    entry = np.repeat(w, 3)
    assert abs(_run(M.AUC(), y, p32, w) - sk.roc_auc_score(y.ravel(), p32.ravel(), sample_weight=entry)) < TOL
    expected = sk.precision_score(y.ravel(), (p32 > 0.5).ravel(), sample_weight=entry)
    assert abs(_run(M.Precision(), y, p32, w) - expected) < TOL


# ---------------------------------------------------------------------- edge cases
def test_edge_cases_give_zero_never_nan():
    y0, p_low = np.zeros((5, 2)), np.full((5, 2), 0.1)
    assert M.Precision().update(np.ones((5, 2)), p_low) == 0.0       # nothing predicted positive
    assert M.Recall().update(y0, p_low) == 0.0                        # no positive target
    for curve in ("ROC", "PR"):
        assert M.AUC(curve=curve).update(y0, p_low) == 0.0           # one class only
    assert M.AUC().update(np.ones((5, 2)), p_low) == 0.0             # ROC: no negative
    assert M.AUC(curve="PR").update(np.ones((5, 2)), p_low) == 1.0   # PR: all positive
    for make in (M.BinaryAccuracy, M.CategoricalAccuracy, M.SparseCategoricalAccuracy,
                 M.MeanSquaredError, M.MeanAbsoluteError, M.Precision, M.Recall, M.AUC):
        metric = make()
        assert metric.result() == 0.0                                  # no data yet
        assert metric.update(np.ones((3, 2)), np.ones((3, 2)) * 0.9, np.zeros(3)) == 0.0  # weight 0
        assert not math.isnan(metric.result())


def test_bad_inputs_and_arguments_are_refused_with_their_name():
    with pytest.raises(ValueError, match="same shape"):
        M.MeanSquaredError().update(np.ones((4, 2)), np.ones((4, 3)))
    with pytest.raises(ValueError, match="sample_weight"):
        M.Precision().update(np.ones((4, 1)), np.ones((4, 1)), np.ones(3))
    with pytest.raises(ValueError, match="one-hot"):
        M.SparseCategoricalAccuracy().update(np.ones((4, 2)), np.ones((4, 3)))
    with pytest.raises(ValueError, match="class_id"):
        M.Recall(class_id=3).update(np.ones((4, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="top_k"):
        M.Precision(top_k=3).update(np.ones((4, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="one Precision per threshold"):
        M.Precision(thresholds=[0.3, 0.5])
    with pytest.raises(ValueError, match="thresholds"):
        M.Recall(thresholds=1.5)
    with pytest.raises(ValueError, match="curve"):
        M.AUC(curve="PRGAIN")
    with pytest.raises(ValueError, match="summation_method"):
        M.AUC(curve="PR", summation_method="majoring")
    with pytest.raises(ValueError, match="num_labels"):
        M.AUC(num_labels=3)
    with pytest.raises(ValueError, match="num_labels"):
        M.AUC(multi_label=True, num_labels=3).update(np.ones((4, 2)), np.ones((4, 2)))


# ---------------------------------------------------------------------- names
@pytest.mark.parametrize("name, cls", [
    ("binary_accuracy", M.BinaryAccuracy), ("categorical_accuracy", M.CategoricalAccuracy),
    ("sparse_categorical_accuracy", M.SparseCategoricalAccuracy), ("mse", M.MeanSquaredError),
    ("mean_squared_error", M.MeanSquaredError), ("MSE", M.MeanSquaredError),
    ("mae", M.MeanAbsoluteError), ("Mean_Absolute_Error", M.MeanAbsoluteError),
    ("precision", M.Precision), ("Recall", M.Recall), ("auc", M.AUC), ("AUC", M.AUC),
    ("MeanSquaredError", M.MeanSquaredError), ("BinaryAccuracy", M.BinaryAccuracy)])
def test_every_name_any_case_is_logged_as_written(name, cls):
    metric = M.get(name, categorical=False)
    assert type(metric) is cls and metric.name == name == M.canonical_name(name)


def test_accuracy_follows_the_output_and_takes_labels_or_one_hot():
    assert type(M.get("acc", categorical=False)) is M.BinaryAccuracy
    metric = M.get("accuracy", categorical=True)
    assert metric.name == "accuracy"
    onehot, p, labels, _ = _categorical()
    expected = sk.accuracy_score(labels, p.argmax(axis=1))
    assert abs(_run(metric, onehot, p) - expected) < TOL
    assert abs(_run(metric, labels.reshape(-1, 1), p) - expected) < TOL


def test_neuralkits_classes_and_functions_stand_for_their_names():
    assert M.canonical_name(M.AUC) == "auc" and type(M.get(M.AUC, False)) is M.AUC
    assert M.canonical_name(M.mean_squared_error) == "mean_squared_error"
    assert M.canonical_name(M.mae) == "mae"
    assert M.canonical_name(M.Precision(name="p")) == "p"


def test_unknown_names_say_what_they_might_mean():
    with pytest.raises(ValueError, match=r"did you mean 'precision'\?"):
        M.canonical_name("precison")
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        M.canonical_name("f1")
    with pytest.raises(TypeError, match="MeanMetricWrapper"):
        M.canonical_name(lambda y_true, y_pred: y_pred)
    with pytest.raises(TypeError, match="instance"):
        M.canonical_name(type("Mine", (M.MeanMetric,), {}))


def test_direction_says_which_way_is_better():
    assert {M.get(n, False).direction for n in ("accuracy", "precision", "recall", "auc")} == {"up"}
    assert {M.get(n, False).direction for n in ("mse", "mae")} == {"down"}


# ---------------------------------------------------------------------- configs and files
EVERY_METRIC = [M.BinaryAccuracy(threshold=0.3, name="ba"), M.CategoricalAccuracy(),
                M.SparseCategoricalAccuracy(), M.MeanSquaredError(), M.MeanAbsoluteError(name="e"),
                M.RootMeanSquaredError(), M.MeanAbsolutePercentageError(name="percent"),
                M.Precision(thresholds=[0.4], class_id=1), M.Recall(top_k=2),
                M.AUC(curve="pr", multi_label=True, num_labels=2, label_weights=[1, 3],
                      num_thresholds=50, thresholds=[0.5], from_logits=True, name="pr_auc")]


def test_every_exported_metric_class_is_covered():
    classes = {getattr(M, n) for n in M.__all__ if isinstance(getattr(M, n), type)}
    assert classes - {M.Metric, M.MeanMetric, M.MeanMetricWrapper} == {type(m) for m in EVERY_METRIC}


@pytest.mark.parametrize("metric", EVERY_METRIC, ids=lambda m: type(m).__name__)
def test_get_config_rebuilds_the_metric(metric):
    rebuilt = type(metric)(**metric.get_config())
    assert rebuilt.get_config() == metric.get_config() and rebuilt.name == metric.name
    y, p, w = _binary(n_out=2)
    if isinstance(metric, M.SparseCategoricalAccuracy | M.CategoricalAccuracy):
        y = np.eye(2)[y[:, 0].astype(int)]
    assert _run(rebuilt, y, p, w) == _run(copy.deepcopy(metric), y, p, w)


@pytest.mark.parametrize("metric", [
    pytest.param(m, id=type(m).__name__) for m in EVERY_METRIC])
def test_a_metric_object_in_compile_survives_save_and_load(tmp_path, metric):
    model = Sequential([Dense(2, input_dim=3), Sigmoid()], seed=0)
    model.compile(loss="binary_crossentropy", metrics=[metric, "acc", "auc"])
    loaded = load_model(model.save(tmp_path / "model.npz"))
    assert [M.canonical_name(m) for m in loaded.metrics] == [metric.name, "acc", "auc"]
    assert type(loaded.metrics[0]) is type(metric)
    assert loaded.metrics[0].get_config() == metric.get_config()


# ---------------------------------------------------------------------- through fit and evaluate
def test_evaluate_and_validation_logs_are_sklearns_on_the_models_outputs():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((120, 3))
    y = (X[:, 0] + 0.5 * rng.standard_normal(120) > 0).astype(float)
    model = Sequential([Dense(4, input_dim=3), Dense(1), Sigmoid()], seed=0)
    model.compile(loss="binary_crossentropy", optimizer="adam",
                  metrics=["acc", "precision", M.Recall(thresholds=0.3), "AUC",
                           M.AUC(curve="PR", name="ap"), "mse"])
    history = model.fit(X[:80], y[:80], epochs=2, batch_size=7, verbose=0,
                        validation_data=(X[80:], y[80:]))
    scores = model.predict(X[80:]).ravel()
    expected = {"acc": sk.accuracy_score(y[80:], scores > 0.5),
                "precision": sk.precision_score(y[80:], scores > 0.5, zero_division=0),
                "recall": sk.recall_score(y[80:], scores > 0.3, zero_division=0),
                "AUC": sk.roc_auc_score(y[80:], scores), "ap": sk.average_precision_score(y[80:], scores),
                "mse": sk.mean_squared_error(y[80:], scores)}
    results = model.evaluate(X[80:], y[80:], batch_size=9, return_dict=True)
    for key, value in expected.items():
        assert abs(results[key] - value) < TOL, key
        assert abs(history.history["val_" + key][-1] - value) < TOL, key
        assert key in history.history


def test_a_softmax_model_logs_categorical_metrics_per_class():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((90, 3))
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    model = Sequential([Dense(3, input_dim=3), Softmax()], seed=0)
    model.compile(loss="categorical_crossentropy",
                  metrics=["accuracy", "sparse_categorical_accuracy", M.Precision(class_id=2),
                           M.Recall(top_k=1), M.AUC(multi_label=True)])
    model.fit(X, labels, epochs=1, batch_size=16, verbose=0)
    results = model.evaluate(X, labels, batch_size=25, return_dict=True)
    A = model.predict(X)
    onehot = np.eye(3)[labels]
    assert abs(results["accuracy"] - sk.accuracy_score(labels, A.argmax(1))) < TOL
    assert results["sparse_categorical_accuracy"] == results["accuracy"]
    assert abs(results["precision"] - sk.precision_score(labels == 2, A[:, 2] > 0.5, zero_division=0)) < TOL
    # top_k=1: recall over the one-hot entries is the arg-max accuracy.
    assert abs(results["recall"] - sk.accuracy_score(labels, A.argmax(1))) < TOL
    assert abs(results["auc"] - sk.roc_auc_score(onehot, A, average="macro")) < TOL


def test_metrics_module_is_what_neuralkit_exports():
    assert neuralkit.metrics is M


def test_rmse_and_mape_over_uneven_batches_are_sklearns():
    rng = np.random.default_rng(11)
    y_true, y_pred = rng.uniform(1, 3, (97, 2)), rng.uniform(0, 4, (97, 2))
    w = rng.uniform(0, 2, 97)
    for weights in (None, w):
        rmse, mape = M.RootMeanSquaredError(), M.MeanAbsolutePercentageError()
        for start, stop in ((0, 1), (1, 14), (14, 54), (54, 97)):
            part = None if weights is None else weights[start:stop]
            rmse.update(y_true[start:stop], y_pred[start:stop], part)
            mape.update(y_true[start:stop], y_pred[start:stop], part)
        expected = np.sqrt(sk.mean_squared_error(y_true, y_pred, sample_weight=weights))
        assert abs(rmse.result() - expected) < TOL
        percent = 100 * sk.mean_absolute_percentage_error(y_true, y_pred, sample_weight=weights)
        assert abs(mape.result() - percent) < 1e-10
