"""neuralkit.reference: every looped twin against its vectorized twin, and the benchmark's agreement.

Oracles: the vectorized layers and losses (independently written), the course's column-layout
logistic-regression formulas (tests/course_oracle.py), math.fsum for the dot product, and finite
differences for the logistic gradient. Float64 throughout, tolerance ~1e-12.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import json
import math
import sys
import textwrap

import numpy as np
import pytest

from neuralkit import Sequential, gradcheck
from neuralkit.layers import Dense, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from neuralkit.losses import BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError
from neuralkit.optimizers import SGD, Adam
from neuralkit.reference import (
    LoopBinaryCrossEntropy,
    LoopCategoricalCrossEntropy,
    LoopDense,
    LoopLeakyReLU,
    LoopLinear,
    LoopMeanSquaredError,
    LoopReLU,
    LoopSigmoid,
    LoopSoftmax,
    LoopTanh,
    dot_looped,
    dot_vectorized,
    logistic_step_looped,
    logistic_step_vectorized,
)
from neuralkit.reference import layers as ref_layers
from neuralkit.reference import losses as ref_losses
from tests import course_oracle as oracle
from tests.helpers import ROOT, run_python

BENCHMARK = ROOT / "benchmarks" / "vectorization.py"
TOL = 1e-12

ACTIVATION_PAIRS = [
    (LoopLinear, Linear, {}),
    (LoopReLU, ReLU, {}),
    (LoopLeakyReLU, LeakyReLU, {"alpha": 0.1}),
    (LoopSigmoid, Sigmoid, {}),
    (LoopTanh, Tanh, {}),
    (LoopSoftmax, Softmax, {}),
]


def _close(a, b, tol=TOL):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=0, atol=tol)


def _Z(seed=0, m=7, n=5, scale=3.0):
    Z = np.random.default_rng(seed).standard_normal((m, n)) * scale
    Z[0, 0] = 0.0  # the kink of ReLU / LeakyReLU
    Z[1, 1] = -0.0
    return Z


# ---------------------------------------------------------------------- activations
@pytest.mark.parametrize("loop_cls, vec_cls, kwargs", ACTIVATION_PAIRS,
                         ids=[p[0].__name__ for p in ACTIVATION_PAIRS])
def test_looped_activation_matches_vectorized(loop_cls, vec_cls, kwargs):
    Z = _Z()
    dA = np.random.default_rng(1).standard_normal(Z.shape)
    loop, vec = loop_cls(**kwargs), vec_cls(**kwargs)
    assert isinstance(loop, vec_cls)  # the fused paths of Sequential depend on it
    A_loop, A_vec = loop.forward(Z.copy()), vec.forward(Z.copy())
    _close(A_loop, A_vec)
    _close(loop.backward(dA.copy()), vec.backward(dA.copy()))
    assert loop.get_config() | {"name": None} == vec.get_config() | {"name": None}


@pytest.mark.parametrize("loop_cls, vec_cls, kwargs", ACTIVATION_PAIRS,
                         ids=[p[0].__name__ for p in ACTIVATION_PAIRS])
def test_looped_activation_passes_gradient_check(loop_cls, vec_cls, kwargs):
    # Away from the ReLU kink, so that central differences are meaningful.
    Z = np.random.default_rng(2).uniform(0.2, 2.0, (4, 3)) * np.array([1, -1, 1])
    errors = gradcheck.check_layer(loop_cls(**kwargs), Z)
    assert errors["X"] < gradcheck.TOLERANCE


@pytest.mark.parametrize("loop_cls, vec_cls, kwargs", ACTIVATION_PAIRS,
                         ids=[p[0].__name__ for p in ACTIVATION_PAIRS])
def test_looped_activation_keeps_float32(loop_cls, vec_cls, kwargs):
    Z = _Z(scale=1.0).astype(np.float32)
    loop, vec = loop_cls(**kwargs), vec_cls(**kwargs)
    A = loop.forward(Z)
    dZ = loop.backward(np.ones_like(Z))
    assert A.dtype == np.float32 and dZ.dtype == np.float32
    np.testing.assert_allclose(A, vec.forward(Z), rtol=1e-6, atol=1e-6)


def test_looped_sigmoid_and_softmax_saturate_without_overflow():
    # pytest turns RuntimeWarnings into errors; math.exp would raise OverflowError.
    Z = np.array([[-1000.0, 1000.0, 0.0], [745.0, -745.0, 40.0]])
    A = LoopSigmoid().forward(Z)
    assert A[0, 0] == 0.0 and A[0, 1] == 1.0 and A[0, 2] == 0.5
    _close(A, Sigmoid().forward(Z))
    _close(LoopSoftmax().forward(Z), Softmax().forward(Z))
    _close(LoopTanh().forward(Z), np.tanh(Z))


def test_looped_relu_lets_nan_through_like_vectorized():
    Z = np.array([[np.nan, -1.0, 2.0]])
    A = LoopReLU().forward(Z)
    assert np.isnan(A[0, 0]) and A[0, 1] == 0.0 and A[0, 2] == 2.0


# ---------------------------------------------------------------------- Dense
def _dense_pair(units, n_prev, initializer="glorot_uniform", seed=3):
    loop, vec = LoopDense(units, kernel_initializer=initializer), Dense(units, kernel_initializer=initializer)
    loop.rng, vec.rng = np.random.default_rng(seed), np.random.default_rng(seed)
    loop.build(n_prev)
    vec.build(n_prev)
    return loop, vec


@pytest.mark.parametrize("initializer", ["glorot_uniform", "he_normal", "small_random"])
def test_loop_dense_has_the_parameters_of_dense(initializer):
    loop, vec = _dense_pair(4, 6, initializer)
    assert isinstance(loop, Dense)
    assert loop.params.keys() == vec.params.keys() == {"W", "b"}
    assert loop.params["W"].shape == (4, 6) and loop.params["b"].shape == (4,)
    np.testing.assert_array_equal(loop.params["W"], vec.params["W"])
    np.testing.assert_array_equal(loop.params["b"], vec.params["b"])
    assert {k: v for k, v in loop.get_config().items() if k != "name"} == {
        k: v for k, v in vec.get_config().items() if k != "name"}


def test_loop_dense_forward_and_backward_match_dense():
    loop, vec = _dense_pair(5, 6)
    rng = np.random.default_rng(4)
    loop.params["b"][:] = vec.params["b"][:] = rng.standard_normal(5)
    A_prev = rng.standard_normal((8, 6))
    dZ = rng.standard_normal((8, 5))
    _close(loop.forward(A_prev), vec.forward(A_prev))
    dA_loop, dA_vec = loop.backward(dZ), vec.backward(dZ)
    _close(dA_loop, dA_vec)
    _close(loop.grads["W"], vec.grads["W"])
    _close(loop.grads["b"], vec.grads["b"])
    # A second backward overwrites (does not add to) the gradients, like Dense.
    grads_before = loop.grads["W"].copy()
    loop.forward(A_prev)
    loop.backward(dZ)
    _close(loop.grads["W"], grads_before)


def test_loop_dense_matches_the_course_formulas():
    # Independent of Dense: the course's column layout, Z = W A + b, dW = dZ A^T, dA_prev = W^T dZ.
    loop, _ = _dense_pair(3, 4)
    rng = np.random.default_rng(5)
    loop.params["b"][:] = rng.standard_normal(3)
    A_prev, dZ = rng.standard_normal((6, 4)), rng.standard_normal((6, 3))
    W, b = loop.params["W"], loop.params["b"].reshape(-1, 1)
    _close(loop.forward(A_prev), (np.dot(W, A_prev.T) + b).T)
    dA_prev = loop.backward(dZ)
    _close(loop.grads["W"], np.dot(dZ.T, A_prev))
    _close(loop.grads["b"], np.sum(dZ.T, axis=1))
    _close(dA_prev, np.dot(W.T, dZ.T).T)


def test_loop_dense_passes_gradient_check():
    loop, _ = _dense_pair(3, 4)
    errors = gradcheck.check_layer(loop, np.random.default_rng(6).standard_normal((5, 4)))
    assert set(errors) == {"X", "W", "b"} and max(errors.values()) < gradcheck.TOLERANCE


def test_loop_dense_skips_input_gradient_when_not_needed():
    loop, vec = _dense_pair(2, 3)
    loop.needs_input_grad = False
    A_prev, dZ = np.ones((4, 3)), np.arange(8.0).reshape(4, 2)
    loop.forward(A_prev)
    vec.forward(A_prev)
    assert loop.backward(dZ) is None
    vec.backward(dZ)
    _close(loop.grads["W"], vec.grads["W"])


def test_loop_dense_rejects_bad_input_clearly():
    loop, _ = _dense_pair(2, 3)
    with pytest.raises(ValueError, match=r"A_prev must be a 2-D array.*got \(3,\)"):
        loop.forward(np.ones(3))
    with pytest.raises(ValueError, match=r"A_prev has 4 features but W expects 3"):
        loop.forward(np.ones((2, 4)))
    loop.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"dZ must have shape \(2, 2\).*got \(2, 3\)"):
        loop.backward(np.ones((2, 3)))


def test_loop_dense_in_float32_model_keeps_float32():
    model = Sequential([LoopDense(3, input_dim=2), LoopReLU(), LoopDense(1)], dtype="float32", seed=0)
    out = model.predict(np.ones((4, 2)))
    assert out.dtype == np.float32
    assert model.layers[0].params["W"].dtype == np.float32


# ---------------------------------------------------------------------- losses
def _probabilities(seed, shape):
    return Softmax().forward(np.random.default_rng(seed).standard_normal(shape))


LOSS_CASES = [
    ("mse", LoopMeanSquaredError, MeanSquaredError),
    ("bce", LoopBinaryCrossEntropy, BinaryCrossEntropy),
    ("cce", LoopCategoricalCrossEntropy, CategoricalCrossEntropy),
]


@pytest.mark.parametrize("kind, loop_cls, vec_cls", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
def test_looped_loss_matches_vectorized(kind, loop_cls, vec_cls):
    rng = np.random.default_rng(7)
    if kind == "mse":
        Y_hat, Y = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    elif kind == "bce":
        Y_hat = rng.uniform(0.01, 0.99, (6, 2))
        Y_hat[0, 0], Y_hat[1, 1] = 0.0, 1.0  # clipped to [EPSILON, 1 - EPSILON]
        Y = (rng.random((6, 2)) < 0.5).astype(float)
    else:
        Y_hat = _probabilities(8, (6, 3))
        Y = np.eye(3)[rng.integers(0, 3, 6)]
    loop, vec = loop_cls(), vec_cls()
    assert isinstance(loop, vec_cls)
    assert abs(loop.forward(Y_hat, Y) - vec.forward(Y_hat, Y)) < TOL
    _close(loop.backward(), vec.backward())


@pytest.mark.parametrize("kind, loop_cls, vec_cls", LOSS_CASES[1:], ids=["bce", "cce"])
@pytest.mark.parametrize("pass_A", [False, True])
def test_looped_fused_loss_matches_vectorized(kind, loop_cls, vec_cls, pass_A):
    rng = np.random.default_rng(9)
    if kind == "bce":
        Z = rng.standard_normal((6, 2)) * 4
        Z[0, 0], Z[1, 1] = 1000.0, -1000.0  # saturated logits: finite loss, no warnings
        Y = (rng.random((6, 2)) < 0.5).astype(float)
        A = Sigmoid().forward(Z)
    else:
        Z = rng.standard_normal((6, 3)) * 4
        Z[0] = [1000.0, -1000.0, 0.0]
        Y = np.eye(3)[rng.integers(0, 3, 6)]
        A = Softmax().forward(Z)
    loop, vec = loop_cls(), vec_cls()
    value = loop.forward_logits(Z, Y, A if pass_A else None)
    assert math.isfinite(value)
    assert abs(value - vec.forward_logits(Z, Y, A if pass_A else None)) < TOL
    _close(loop.backward_logits(), vec.backward_logits())


def test_looped_categorical_cross_entropy_takes_integer_labels():
    labels = np.array([2, 0, 1, 1])
    Y_hat = _probabilities(10, (4, 3))
    Z = np.random.default_rng(11).standard_normal((4, 3))
    loop, vec = LoopCategoricalCrossEntropy(), CategoricalCrossEntropy()
    assert abs(loop.forward(Y_hat, labels) - vec.forward(Y_hat, labels)) < TOL
    _close(loop.backward(), vec.backward())
    assert abs(loop.forward_logits(Z, labels) - vec.forward_logits(Z, labels)) < TOL
    _close(loop.backward_logits(), vec.backward_logits())
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, 3\); got 3"):
        loop.forward(Y_hat, np.array([0, 1, 3, 1]))


@pytest.mark.parametrize("kind, loop_cls, vec_cls", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
def test_looped_loss_passes_gradient_check(kind, loop_cls, vec_cls):
    rng = np.random.default_rng(12)
    Y_hat = rng.uniform(0.2, 0.8, (4, 3))
    Y = np.eye(3)[rng.integers(0, 3, 4)]
    errors = gradcheck.check_loss(loop_cls(), Y_hat, Y)
    assert errors["Y_hat"] < gradcheck.TOLERANCE


def test_looped_loss_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"Y must have the shape of Y_hat \(3, 1\); got Y of shape \(3, 2\)"):
        LoopMeanSquaredError().forward(np.zeros((3, 1)), np.zeros((3, 2)))


# ---------------------------------------------------------------------- whole models
def _train(layers, loss, optimizer, X, Y, epochs=6, batch_size=16):
    model = Sequential(layers, seed=42)
    model.compile(loss=loss, optimizer=optimizer)
    model.build(X.shape[1])
    start = model.get_parameters()
    history = model.fit(X, Y, epochs=epochs, batch_size=batch_size, verbose=0)
    return model, start, history.history["loss"], model.get_parameters()


def _assert_same_training(looped_run, vectorized_run):
    (_, l_start, l_losses, l_end), (_, v_start, v_losses, v_end) = looped_run, vectorized_run
    assert l_start.keys() == v_start.keys() == l_end.keys()
    for key in v_start:
        np.testing.assert_array_equal(l_start[key], v_start[key])  # same starting parameters
    assert len(l_losses) == len(v_losses)
    _close(l_losses, v_losses)
    for key in v_end:
        _close(l_end[key], v_end[key])
        assert np.max(np.abs(v_end[key] - v_start[key])) > 1e-3  # training did move the parameters
    assert v_losses[-1] < v_losses[0]


def test_looped_sequential_trains_exactly_like_vectorized_sigmoid_bce():
    rng = np.random.default_rng(13)
    X = rng.standard_normal((64, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    looped = _train([LoopDense(4), LoopReLU(), LoopDense(1), LoopSigmoid()], LoopBinaryCrossEntropy(),
                    SGD(learning_rate=0.5), X, y)
    vectorized = _train([Dense(4), ReLU(), Dense(1), Sigmoid()], BinaryCrossEntropy(),
                        SGD(learning_rate=0.5), X, y)
    assert looped[0].loss.fuses_with(looped[0].layers[-1])  # the looped model takes the fused path too
    _assert_same_training(looped, vectorized)


def test_looped_sequential_trains_exactly_like_vectorized_softmax_cce():
    rng = np.random.default_rng(14)
    X = rng.standard_normal((48, 4))
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    looped = _train([LoopDense(5), LoopTanh(), LoopDense(3), LoopSoftmax()],
                    LoopCategoricalCrossEntropy(), Adam(learning_rate=0.05), X, labels)
    vectorized = _train([Dense(5), Tanh(), Dense(3), Softmax()], CategoricalCrossEntropy(),
                        Adam(learning_rate=0.05), X, labels)
    _assert_same_training(looped, vectorized)


def test_looped_sequential_trains_exactly_like_vectorized_mse():
    rng = np.random.default_rng(15)
    X = rng.standard_normal((40, 5))
    Y = np.stack([X[:, 0] - X[:, 1], 0.5 * X[:, 2]], axis=1)
    looped = _train([LoopDense(6), LoopLeakyReLU(alpha=0.1), LoopDense(2), LoopLinear()],
                    LoopMeanSquaredError(), SGD(learning_rate=0.05, momentum=0.9), X, Y)
    vectorized = _train([Dense(6), LeakyReLU(alpha=0.1), Dense(2), Linear()], MeanSquaredError(),
                        SGD(learning_rate=0.05, momentum=0.9), X, Y)
    _assert_same_training(looped, vectorized)


# ---------------------------------------------------------------------- logistic regression, dot
def _course_logistic_step(X_course, Y, w, b, alpha):
    """The course's vectorized step, samples as columns: logistic regression is the one-layer
    network W = w^T with a sigmoid, backpropagation from dZ = A - Y (tests/course_oracle.py)."""
    params = {"W1": w.T, "b1": b}
    A, caches = oracle.L_model_forward(X_course, params, ["sigmoid"])
    cost = oracle.compute_cost(A, Y)
    grads = oracle.L_model_backward(A, Y, caches, ["sigmoid"], fused_output=True)
    dw, db = grads["dW1"].T, float(grads["db1"])
    return w - alpha * dw, b - alpha * db, cost, dw, db


def _logistic_data(m=30, n_x=4, seed=16):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n_x))
    y = (X[:, 0] - X[:, 1] + 0.3 * rng.standard_normal(m) > 0).astype(float)
    return X, y, rng.standard_normal(n_x) * 0.5, 0.2


def test_logistic_step_looped_matches_vectorized_and_the_course():
    X, y, w, b = _logistic_data()
    looped = logistic_step_looped(X, y, w, b, learning_rate=0.3)
    vectorized = logistic_step_vectorized(X, y, w, b, learning_rate=0.3)
    course = _course_logistic_step(X.T, y.reshape(1, -1), w.reshape(-1, 1), b, 0.3)
    for got in (looped, vectorized):
        _close(got.w, course[0].ravel())
        assert abs(got.b - course[1]) < TOL
        assert abs(got.cost - course[2]) < TOL
        _close(got.dw, course[3].ravel())
        assert abs(got.db - course[4]) < TOL


def test_logistic_step_keeps_the_course_column_shapes():
    X, y, w, b = _logistic_data()
    col = logistic_step_looped(X, y.reshape(-1, 1), w.reshape(-1, 1), b)
    flat = logistic_step_vectorized(X, y, w, b)
    assert col.w.shape == col.dw.shape == (4, 1)
    _close(col.w.ravel(), flat.w)
    _close(col.dw.ravel(), flat.dw)


def test_logistic_step_gradient_matches_finite_differences():
    X, y, w, b = _logistic_data(m=12, n_x=3)

    def cost(w_, b_):
        return logistic_step_looped(X, y, w_, b_, 0.0).cost

    step = logistic_step_looped(X, y, w, b, 0.0)
    eps = 1e-6
    dw_approx = [(cost(w + eps * e, b) - cost(w - eps * e, b)) / (2 * eps) for e in np.eye(3)]
    db_approx = (cost(w, b + eps) - cost(w, b - eps)) / (2 * eps)
    assert gradcheck.relative_error(np.append(step.dw, step.db), np.append(dw_approx, db_approx)) < 1e-7
    np.testing.assert_array_equal(step.w, w)  # learning_rate 0: no move


def test_logistic_step_saturated_logits_stay_finite_and_agree():
    X, y, _, _ = _logistic_data()
    w = np.full(4, 400.0)  # |z| in the hundreds: a = 0 or 1 exactly
    looped, vectorized = logistic_step_looped(X, y, w, 0.0), logistic_step_vectorized(X, y, w, 0.0)
    assert math.isfinite(looped.cost) and looped.cost > 1.0
    assert abs(looped.cost - vectorized.cost) < 1e-9 * looped.cost
    _close(looped.dw, vectorized.dw)


def test_logistic_step_rejects_bad_input_clearly():
    X, y, w, b = _logistic_data()
    with pytest.raises(ValueError, match=r"w must have shape \(4,\) or \(4, 1\).*got shape \(3,\)"):
        logistic_step_looped(X, y, w[:3], b)
    with pytest.raises(ValueError, match=r"y must hold one label per row of X, shape \(30,\)"):
        logistic_step_vectorized(X, y[:5], w, b)
    with pytest.raises(ValueError, match=r"X must be 2-D"):
        logistic_step_looped(X[0], y, w, b)
    with pytest.raises(TypeError, match=r"b must be a number; got 'x'"):
        logistic_step_looped(X, y, w, "x")
    with pytest.raises(ValueError, match=r"learning_rate must be >= 0; got -1"):
        logistic_step_vectorized(X, y, w, b, learning_rate=-1)


def test_dot_looped_matches_vectorized_and_exact_sum():
    rng = np.random.default_rng(17)
    a, b = rng.standard_normal(1000), rng.standard_normal(1000)
    exact = math.fsum(float(x) * float(y) for x, y in zip(a, b, strict=True))
    assert abs(dot_looped(a, b) - exact) < 1e-11
    assert abs(dot_vectorized(a, b) - exact) < 1e-11
    with pytest.raises(ValueError, match="same length; got 1000 and 999"):
        dot_looped(a, b[:-1])


# ---------------------------------------------------------------------- really looped
_ALLOWED_NP = {"empty", "empty_like", "zeros", "result_type", "ndarray"}


def _looped_functions():
    import neuralkit.reference.dot as ref_dot
    import neuralkit.reference.logistic as ref_logistic

    funcs = [ref_dot.dot_looped, ref_logistic.logistic_step_looped]
    for module in (ref_layers, ref_losses):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__:
                funcs += [f for name, f in vars(cls).items() if inspect.isfunction(f)]
    return funcs


@pytest.mark.parametrize("func", _looped_functions(), ids=lambda f: f.__qualname__)
def test_looped_code_uses_no_matmul_dot_or_array_maths(func):
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)), "uses @"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "np":
            assert node.attr in _ALLOWED_NP, f"uses np.{node.attr}"
    assert any(isinstance(node, ast.For) for node in ast.walk(tree)), "no for-loop"


# ---------------------------------------------------------------------- the benchmark
def _load_benchmark(monkeypatch):
    spec = importlib.util.spec_from_file_location("vectorization_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_benchmark_smallest_configuration_agrees(tmp_path):
    out_json, out_png = tmp_path / "results.json", tmp_path / "plot.png"
    done = run_python(
        # Numerical warnings are errors, as in the suite (third-party import noise is not).
        ["-W", "error::RuntimeWarning", BENCHMARK, "--smallest", "--no-progress",
         "--json", out_json, "--plot", out_png],
        cwd=tmp_path,
    )
    results = json.loads(out_json.read_text())
    assert [r["case"] for r in results] == ["dot", "logreg_step", "dense", "epoch", "conv", "pool"]
    for r in results:
        assert set(r) == {"case", "size", "looped_s", "vectorized_s", "speedup", "max_abs_diff"}
        assert r["max_abs_diff"] < 1e-10, r  # looped and vectorized computed the same numbers
        assert r["looped_s"] > 0 and r["vectorized_s"] > 0
        assert r["speedup"] == pytest.approx(r["looped_s"] / r["vectorized_s"])
    for word in ("case", "speedup", "max |diff|", "numpy", "blas", "cores"):
        assert word in done.stdout
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_benchmark_says_how_to_get_matplotlib(monkeypatch, tmp_path):
    bench = _load_benchmark(monkeypatch)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(SystemExit, match=r"--plot needs matplotlib.*pip install \"neuralkit\[plot\]\""):
        bench.main(["--smallest", "--plot", str(tmp_path / "never.png")])
