"""Many fits at once across processes: GridSearchCV over the estimators through joblib's dask
backend on a Dask cluster, and its ray backend on a Ray cluster, as on a real cluster (worker
processes receive the pickled estimators), giving the single-process search's results."""

import joblib
import numpy as np
import pytest
from dask.distributed import Client, LocalCluster, get_task_stream
from sklearn.model_selection import GridSearchCV, cross_val_score

from neuralkit import datasets
from neuralkit.sklearn import NeuralKitClassifier, NeuralKitRegressor

GRID = {"hidden_layer_sizes": [(8,), (16,)], "l2": [0.0, 1e-3], "learning_rate": [0.01]}


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def test_grid_search_on_dask_equals_the_single_process_search(client):
    X, y = datasets.moons(m=160, noise=0.25)
    estimator = NeuralKitClassifier(epochs=25, random_state=0)
    local = GridSearchCV(estimator, GRID, cv=3).fit(X, y)
    with get_task_stream(client) as stream, joblib.parallel_backend("dask"):
        distributed = GridSearchCV(estimator, GRID, cv=3, n_jobs=-1).fit(X, y)
    workers = {task["worker"] for task in stream.data}
    assert len(workers) == 2                   # the 12 fits ran on both worker processes
    np.testing.assert_array_equal(distributed.cv_results_["mean_test_score"],
                                  local.cv_results_["mean_test_score"])
    assert distributed.best_params_ == local.best_params_
    np.testing.assert_allclose(distributed.best_estimator_.predict_proba(X),
                               local.best_estimator_.predict_proba(X), rtol=1e-12, atol=0)
    assert local.best_score_ > 0.8


def test_cross_validation_of_a_regressor_on_dask(client):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(150, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=150)
    regressor = NeuralKitRegressor(hidden_layer_sizes=(16,), epochs=40, learning_rate=0.01,
                                   random_state=1)
    local = cross_val_score(regressor, X, y, cv=4)
    with joblib.parallel_backend("dask"):
        distributed = cross_val_score(regressor, X, y, cv=4, n_jobs=-1)
    np.testing.assert_allclose(distributed, local, rtol=1e-12)
    assert local.min() > 0.9


def test_grid_search_on_ray_equals_the_single_process_search():
    import ray
    from ray.util.joblib import register_ray

    X, y = datasets.moons(m=120, noise=0.25)
    estimator = NeuralKitClassifier(epochs=15, random_state=0)
    local = GridSearchCV(estimator, GRID, cv=3).fit(X, y)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        register_ray()
        with joblib.parallel_backend("ray"):
            distributed = GridSearchCV(estimator, GRID, cv=3, n_jobs=-1).fit(X, y)
    finally:
        ray.shutdown()
    np.testing.assert_array_equal(distributed.cv_results_["mean_test_score"],
                                  local.cv_results_["mean_test_score"])
    assert distributed.best_params_ == local.best_params_
