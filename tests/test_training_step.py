"""The fast paths of the training step give the textbook numbers and touch nothing of the user's.

Oracles: a procedural NumPy step from the course's formulas (tests/course_oracle.py, samples as
rows), and the public ``forward``/``backward`` of the same layers.
"""

import numpy as np
import pytest

from neuralkit import Sequential
from neuralkit.layers import Dense, ReLU, Sigmoid, Softmax, Tanh
from neuralkit.losses import CategoricalCrossEntropy
from neuralkit.optimizers import SGD
from neuralkit.training import fast_paths
from neuralkit.training.guard import _finite
from neuralkit.training.step import TrainStep
from tests import course_oracle as oracle


def _procedural_sgd_step(Ws, bs, X, Y, lr):
    """One SGD step of Dense-ReLU-...-Dense-Softmax with cross-entropy, in the course's oracle
    (rows layout, backpropagation from dZ = A - Y). Returns the cost and the new Ws and bs."""
    L = len(Ws)
    params = {**{f"W{l}": W for l, W in enumerate(Ws, 1)}, **{f"b{l}": b for l, b in enumerate(bs, 1)}}
    net = {"activations": ["relu"] * (L - 1) + ["softmax"], "layout": "rows"}
    AL, caches = oracle.L_model_forward(X, params, **net)
    cost = oracle.compute_cost(AL, Y, "categorical_crossentropy", layout="rows")
    grads = oracle.L_model_backward(AL, Y, caches, loss="categorical_crossentropy", fused_output=True,
                                    **net)
    new = oracle.update_parameters(params, grads, lr)
    return cost, [new[f"W{l}"] for l in range(1, L + 1)], [new[f"b{l}"] for l in range(1, L + 1)]


def _relu_softmax_problem(seed, n_x, hidden, n_classes, lr, m=32):
    """Data, a compiled Dense-ReLU-Dense-ReLU-Dense-Softmax model, its Dense layers and their
    starting W and b (copies)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n_x))
    labels = rng.integers(0, n_classes, m)
    model = Sequential([Dense(hidden[0], input_dim=n_x), ReLU(), Dense(hidden[1]), ReLU(),
                        Dense(n_classes), Softmax()], seed=seed + 1)
    model.compile("categorical_crossentropy", SGD(lr))
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    Ws = [layer.params["W"].copy() for layer in dense]
    bs = [layer.params["b"].copy() for layer in dense]
    return X, labels, np.eye(n_classes)[labels], model, dense, Ws, bs


def test_a_fit_step_of_a_relu_network_equals_the_course_formulas():
    X, labels, Y, model, dense, Ws, bs = _relu_softmax_problem(0, 6, (8, 5), 4, 0.3)
    # Both ReLUs sit between Dense layers: the step uses their in-place twins.
    step = TrainStep(model.layers, model.loss, model.optimizer)
    assert [f.__name__ for f in step.plan.forward_calls] == [
        "reused_forward", "relu_forward_in_place", "reused_forward", "relu_forward_in_place",
        "reused_forward"]
    # The first Dense's dA_prev is not needed: its plain linear backward, which skips it.
    assert [f.__name__ for f in step.plan.backward_calls] == [
        "reused_backward", "relu_backward_in_place", "reused_backward", "relu_backward_in_place",
        "linear_backward"]

    history = model.fit(X, labels, epochs=1, batch_size=32, verbose=0)
    cost, new_Ws, new_bs = _procedural_sgd_step(Ws, bs, X, Y, 0.3)
    assert history.history["loss"][0] == pytest.approx(cost, rel=1e-12)
    for layer, W, b in zip(dense, new_Ws, new_bs, strict=True):
        np.testing.assert_allclose(layer.params["W"], W, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer.params["b"], b, rtol=1e-12, atol=1e-15)


def test_fit_leaves_the_callers_arrays_alone():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 3))
    y = (X[:, 0] > 0).astype(float)
    X_before, y_before = X.copy(), y.copy()
    model = Sequential([Dense(4, input_dim=3), Tanh(), Dense(3), ReLU(), Dense(1), Sigmoid()], seed=0)
    model.fit(X, y, epochs=3, batch_size=7, verbose=0)
    model.fit(X, y, epochs=1, batch_size=20, verbose=0)  # one batch: the batch is X itself
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


@pytest.mark.parametrize("layer_cls", [ReLU, Sigmoid, Tanh])
def test_public_forward_and_backward_never_overwrite_their_input(layer_cls):
    rng = np.random.default_rng(2)
    Z, dA = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    Z_before, dA_before = Z.copy(), dA.copy()
    layer = layer_cls()
    layer.build(4)
    layer.forward(Z)
    layer.backward(dA)
    np.testing.assert_array_equal(Z, Z_before)
    np.testing.assert_array_equal(dA, dA_before)


def _twin(layer, method):
    """The fast path's in-place twin of ``layer.<method>``, bound to the layer."""
    return fast_paths._TWINS[method][getattr(type(layer), method)](layer)


def test_in_place_twins_give_the_numbers_of_the_public_methods():
    rng = np.random.default_rng(3)
    Z, dA = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    Z[0, 0] = 0.0  # the derivative at 0 is 0 on both paths
    for layer_cls in (ReLU, Sigmoid, Tanh):
        public, twin = layer_cls(), layer_cls()
        A = public.forward(Z)
        A_twin = _twin(twin, "forward")(Z.copy())
        np.testing.assert_array_equal(A_twin, A)
        if layer_cls.backward in fast_paths._TWINS["backward"]:
            np.testing.assert_array_equal(_twin(twin, "backward")(dA.copy()), public.backward(dA))


def test_the_relu_twin_follows_each_batchs_shape_and_dtype():
    # Its zeros are kept between batches: a smaller last batch, a wider input or another
    # dtype must still give max(Z, 0) of the batch at hand, with no stale rows.
    rng = np.random.default_rng(8)
    twin = _twin(ReLU(), "forward")
    for shape, dtype in [((6, 4), np.float64), ((2, 4), np.float64), ((9, 4), np.float64),
                         ((3, 7), np.float64), ((5, 7), np.float32)]:
        Z = rng.standard_normal(shape).astype(dtype)
        Z[0, 0] = -0.0
        expected = np.where(Z > 0, Z, 0).astype(dtype)
        A = twin(Z.copy())
        assert A.dtype == dtype and A.shape == shape
        np.testing.assert_array_equal(A, expected)
        assert not np.signbit(A).any()


def test_a_subclass_that_overrides_forward_does_not_get_the_parents_twin():
    class ShiftedReLU(ReLU):
        def forward(self, Z, training=True):
            A = np.maximum(Z - 1.0, 0)
            self.cache = A
            return A

    class PlainDense(Dense):  # overrides backward: its dA may be kept, so no twin above it
        def backward(self, dZ):
            return super().backward(dZ)

    model = Sequential([Dense(3, input_dim=2), ShiftedReLU(), PlainDense(2), ReLU(), PlainDense(1)])
    model.compile("mse", SGD(0.1))
    model._build_layers((2,))
    step = TrainStep(model.layers, model.loss, model.optimizer)
    names = [f.__name__ for f in step.plan.forward_calls]
    assert names == ["reused_forward", "forward", "forward", "forward", "forward"]
    # A Dense subclass might keep its output or its dA: no twin next to it either.
    model2 = Sequential([PlainDense(3, input_dim=2), ReLU(), PlainDense(1)])
    model2.compile("mse", SGD(0.1))
    step2 = TrainStep(model2.layers, model2.loss, model2.optimizer)
    assert [f.__name__ for f in step2.plan.forward_calls] == ["forward", "forward", "forward"]
    assert [f.__name__ for f in step2.plan.backward_calls] == ["backward", "backward", "backward"]


def test_the_fused_softmax_cross_entropy_matches_the_formula_and_the_layer():
    rng = np.random.default_rng(4)
    Z = rng.standard_normal((7, 5)) * 30  # large spreads: exp would overflow without the shift
    Z[0] = [800.0, -800.0, 0.0, 1.0, 2.0]
    labels = rng.integers(0, 5, 7)
    Y = np.eye(5)[labels]
    value, A = CategoricalCrossEntropy().forward_fused(Z, Y)
    # log-softmax written out with the row max
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    assert value == pytest.approx(-np.sum(Y * log_softmax) / 7, rel=1e-13)
    np.testing.assert_allclose(A, np.exp(log_softmax), rtol=1e-13, atol=1e-300)
    np.testing.assert_array_equal(A, Softmax().forward(Z))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_guards_finiteness_check_is_exact(dtype):
    big = np.finfo(dtype).max / 4  # finite, but its square overflows
    cases = {
        "ordinary": (np.array([1.0, -2.0, 3.0]), True),
        "nan": (np.array([1.0, np.nan]), False),
        "inf": (np.array([np.inf, 1.0]), False),
        "-inf": (np.array([-np.inf]), False),
        "huge but finite": (np.array([big, -big, 1.0]), True),
        "huge and nan": (np.array([big, np.nan]), False),
        "empty": (np.array([]), True),
    }
    for name, (values, expected) in cases.items():
        assert _finite(values.astype(dtype)) is expected, name
    strided = np.zeros((4, 6), dtype=dtype)[:, ::2]
    strided[2, 1] = np.nan
    assert _finite(strided) is False


# ---------------------------------------------------------------- SGD's bounded step
def _triples(dtype=np.float64, scale=1.0):
    rng = np.random.default_rng(5)
    W = rng.standard_normal((4, 3)).astype(dtype)
    return [("d/W", W, (rng.standard_normal((4, 3)) * scale).astype(dtype))]


def test_plain_sgd_promises_a_bounded_step_only_when_it_can_keep_it():
    assert fast_paths.bounded_sgd_step(SGD(0.1), _triples()) is not None
    assert fast_paths.bounded_sgd_step(SGD(0.1), _triples(np.float32)) is not None
    assert fast_paths.bounded_sgd_step(SGD(0.1, momentum=0.9), _triples()) is None  # velocity is state too
    assert fast_paths.bounded_sgd_step(SGD(1e30), _triples(np.float32)) is None  # lr * |dW| could overflow
    assert fast_paths.bounded_sgd_step(SGD(1e300), _triples(np.float64, scale=1e10)) is None
    nan = _triples()
    nan[0][2][1, 1] = np.nan
    assert fast_paths.bounded_sgd_step(SGD(0.1), nan) is None
    inf = _triples(np.float32)
    inf[0][2][0, 0] = np.inf
    assert fast_paths.bounded_sgd_step(SGD(0.1), inf) is None

    class MySGD(SGD):  # a subclass may write anything: no promise
        def update(self, param, grad, state):
            param -= 2 * self.learning_rate * grad

    assert fast_paths.bounded_sgd_step(MySGD(0.1), _triples()) is None


def test_a_bounded_step_turns_the_largest_finite_parameters_into_finite_ones():
    for dtype in (np.float32, np.float64):
        big = np.finfo(dtype).max
        W = np.array([big, -big, big / 2, 0.0], dtype=dtype)
        grad = np.array([-1.0, 1.0, -1.0, 1.0], dtype=dtype)
        optimizer = SGD(np.sqrt(big) / 8)  # the step is as large as the bound allows
        commit = fast_paths.bounded_sgd_step(optimizer, [("w", W, grad)])
        assert commit is not None
        commit()
        assert np.isfinite(W).all() and optimizer.iterations == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_bounded_step_writes_the_numbers_of_a_plain_step_and_nothing_before_commit(dtype):
    triples = _triples(dtype) + [("d/b", np.arange(3, dtype=dtype), np.ones(3, dtype=dtype))]
    expected = [param - dtype(0.05) * grad for _, param, grad in triples]
    before = [param.copy() for _, param, _ in triples]
    optimizer = SGD(0.05)
    commit = fast_paths.bounded_sgd_step(optimizer, triples)
    for (_, param, _), old in zip(triples, before, strict=True):
        np.testing.assert_array_equal(param, old)  # preparing touches nothing
    commit()
    for (_, param, _), new in zip(triples, expected, strict=True):
        np.testing.assert_array_equal(param, new)
    assert optimizer.state == {"d/W": {}, "d/b": {}} and optimizer.iterations == 1


def test_fit_over_uneven_batches_equals_the_course_formulas_step_by_step():
    # Batches of 12, 12 and 8 rows: the arrays reused across batches are sliced to each batch.
    X, labels, Y, model, dense, Ws, bs = _relu_softmax_problem(6, 5, (7, 6), 3, 0.2)
    history = model.fit(X, labels, epochs=2, batch_size=12, shuffle=False, verbose=0)
    for _ in range(2):
        costs = []
        for start in range(0, 32, 12):
            cost, Ws, bs = _procedural_sgd_step(Ws, bs, X[start:start + 12], Y[start:start + 12], 0.2)
            costs.append(cost)
        expected_epoch_loss = np.mean(costs)
    assert history.history["loss"][-1] == pytest.approx(expected_epoch_loss, rel=1e-12)
    for layer, W, b in zip(dense, Ws, bs, strict=True):
        np.testing.assert_allclose(layer.params["W"], W, rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(layer.params["b"], b, rtol=1e-11, atol=1e-14)
    # The first Dense returns no dA_prev, so it gets no array for one.
    step = TrainStep(model.layers, model.loss, model.optimizer)
    assert not isinstance(step.plan.backward_calls[-1], fast_paths._ReusedOutput)
    assert all(isinstance(f, fast_paths._ReusedOutput) for f in step.plan.backward_calls[:-1:2])


def test_the_reused_output_follows_each_batch_size():
    # It keeps its view of the last batch size: a smaller last batch, then a full one again,
    # and a larger one, each get exactly their rows, the numbers of the public method.
    dense = Dense(3, input_dim=4)
    dense._ensure_built((4,))
    reused = fast_paths._ReusedOutput(dense, "forward")
    rng = np.random.default_rng(5)
    for m in (6, 6, 2, 6, 9):
        A = rng.standard_normal((m, 4))
        Z = reused(A, True)
        assert Z.shape == (m, 3)
        np.testing.assert_array_equal(Z, A @ dense.params["W"].T + dense.params["b"])


@pytest.mark.parametrize("accelerated", [True, False])
def test_a_parameter_array_replaced_between_batches_is_the_one_updated(accelerated):
    # The guard and the fused step read the layers' arrays at each step: a callback that rebinds
    # a parameter to a copy (same values) gets the copy trained, to the same numbers.
    from neuralkit import config
    from neuralkit.callbacks import Callback

    class Rebind(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                layer = self.model.layers[0]
                layer.params["W"] = layer.params["W"].copy()
                self.replaced, self.values = layer.params["W"], layer.params["W"].copy()

    config.set_accelerator(accelerated)
    results = []
    for callbacks in ([], [Rebind()]):
        X, labels, _, model, dense, _, _ = _relu_softmax_problem(6, 5, (7, 6), 3, 0.2)
        model.fit(X, labels, epochs=2, batch_size=8, shuffle=False, verbose=0, callbacks=callbacks)
        results.append([p.tobytes() for p in model.get_weights()])
    rebind = callbacks[0]
    assert dense[0].params["W"] is rebind.replaced
    assert not np.array_equal(rebind.replaced, rebind.values)  # trained after the rebinding
    assert results[0] == results[1]
