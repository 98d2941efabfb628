"""to_onnx: the written file, run in ONNX Runtime, gives model.predict's numbers."""

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from neuralkit import Sequential
from neuralkit.export import UnsupportedLayerError, register_converter, to_onnx
from neuralkit.layers import Dense, Layer, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from tests.helpers import Square

TOLERANCE = {"float32": 1e-6, "float64": 1e-12}


def _every_layer_model(dtype):
    return Sequential([Dense(6, input_dim=3), ReLU(), Dense(5), LeakyReLU(0.2), Dense(5), Tanh(),
                       Dense(4), Sigmoid(), Dense(4), Linear(), Dense(3), Softmax()],
                      seed=0, dtype=dtype)


def _run(path, X):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["Y"], {"X": X})[0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_onnxruntime_matches_predict_for_any_batch_size(tmp_path, dtype):
    rng = np.random.default_rng(0)
    model = _every_layer_model(dtype)
    X_train = rng.standard_normal((64, 3))
    model.fit(X_train, rng.integers(0, 3, 64), epochs=3, verbose=0)   # trained, not initial, weights
    path = tmp_path / "model.onnx"
    to_onnx(model, path)
    tol = TOLERANCE[dtype]
    for m in (1, 7, 300):                                             # the batch dimension is dynamic
        X = (3 * rng.standard_normal((m, 3))).astype(dtype)
        out = _run(path, X)
        assert out.dtype == np.dtype(dtype) and out.shape == (m, 3)
        np.testing.assert_allclose(out, model.predict(X), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype, elem", [("float32", onnx.TensorProto.FLOAT),
                                         ("float64", onnx.TensorProto.DOUBLE)])
def test_graph_is_standard_onnx_with_a_dynamic_batch(tmp_path, dtype, elem):
    model = _every_layer_model(dtype)
    proto = to_onnx(model, tmp_path / "m.onnx")
    loaded = onnx.load(str(tmp_path / "m.onnx"))
    onnx.checker.check_model(loaded, full_check=True)
    assert loaded.SerializeToString() == proto.SerializeToString()
    (x,), (y,) = loaded.graph.input, loaded.graph.output
    assert x.type.tensor_type.elem_type == elem == y.type.tensor_type.elem_type
    assert [d.dim_param or d.dim_value for d in x.type.tensor_type.shape.dim] == ["batch", 3]
    assert [d.dim_param or d.dim_value for d in y.type.tensor_type.shape.dim] == ["batch", 3]
    ops = [node.op_type for node in loaded.graph.node]
    assert ops.count("Gemm") == 6
    assert {"Relu", "Tanh", "Sigmoid", "Softmax", "Identity"} <= set(ops)
    assert ("LeakyRelu" in ops) == (dtype == "float32")
    first = next(n for n in loaded.graph.node if n.op_type == "Gemm")
    W = onnx.numpy_helper.to_array(next(i for i in loaded.graph.initializer if i.name == first.input[1]))
    np.testing.assert_array_equal(W, model.get_parameters()["W1"])    # the course's (n[1], n[0])
    assert [a.i for a in first.attribute if a.name == "transB"] == [1]


def test_a_layer_without_mapping_is_named_and_nothing_is_written(tmp_path):
    model = Sequential([Dense(2, input_dim=2), Square(name="my_square")], seed=0)
    path = tmp_path / "m.onnx"
    with pytest.raises(UnsupportedLayerError, match=r"layer 'my_square' of type Square has no ONNX"):
        to_onnx(model, path)
    assert not path.exists()
    assert issubclass(UnsupportedLayerError, TypeError)


def test_a_registered_converter_exports_a_custom_layer(tmp_path):
    class Cube(Layer):
        def forward(self, Z, training=True):
            self.cache = Z
            return Z ** 3

        def backward(self, dA):
            return 3 * self.cache ** 2 * dA

    @register_converter(Cube)
    def _cube(layer, graph, x):
        return graph.node("Mul", [graph.node("Mul", [x, x], "sq"), x], layer.name)

    model = Sequential([Dense(3, input_dim=2), Cube(), Dense(1)], seed=0)
    to_onnx(model, tmp_path / "cube.onnx")
    X = np.random.default_rng(1).standard_normal((5, 2))
    np.testing.assert_allclose(_run(tmp_path / "cube.onnx", X), model.predict(X), rtol=1e-12,
                               atol=1e-12)


def test_subclasses_export_only_when_they_keep_the_parent_forward(tmp_path):
    class PenalisedDense(Dense):
        def regularization_loss(self):
            return 0.1 * float(np.sum(self.params["W"] ** 2))

    class ScaledDense(Dense):
        def forward(self, A_prev, training=True):
            return 2 * super().forward(A_prev, training)

    model = Sequential([PenalisedDense(2, input_dim=3), Tanh()], seed=0)
    X = np.random.default_rng(2).standard_normal((4, 3))
    to_onnx(model, tmp_path / "ok.onnx")
    np.testing.assert_allclose(_run(tmp_path / "ok.onnx", X), model.predict(X), atol=1e-12)
    with pytest.raises(UnsupportedLayerError, match="ScaledDense"):
        to_onnx(Sequential([ScaledDense(2, input_dim=3)], seed=0))


def test_unbuilt_model_and_wrong_object_are_refused():
    with pytest.raises(ValueError, match="to_onnx: the model is not built yet"):
        to_onnx(Sequential([Dense(2), ReLU()]))
    with pytest.raises(TypeError, match="to_onnx expects a Sequential model; got dict"):
        to_onnx({})


def test_estimator_network_exports(tmp_path):
    from neuralkit.sklearn import NeuralKitClassifier

    rng = np.random.default_rng(3)
    X = rng.standard_normal((80, 4))
    y = np.where(X[:, 0] > 0, "a", np.where(X[:, 1] > 0, "b", "c"))
    clf = NeuralKitClassifier(hidden_layer_sizes=(8,), epochs=20, l2=1e-3, random_state=0).fit(X, y)
    to_onnx(clf.model_, tmp_path / "clf.onnx")
    np.testing.assert_allclose(_run(tmp_path / "clf.onnx", X), clf.predict_proba(X), atol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_dense_with_an_activation_and_no_bias_exports_its_activation(dtype):
    rng = np.random.default_rng(5)
    model = Sequential([Dense(6, input_dim=4, activation="tanh"), Dense(5, activation="relu"),
                        Dense(3, activation="softmax", use_bias=False)], seed=2, dtype=dtype)
    X = rng.standard_normal((9, 4)).astype(dtype)
    session = ort.InferenceSession(to_onnx(model).SerializeToString())
    tolerance = 1e-6 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(session.run(None, {"X": X})[0], model.predict(X, verbose=0),
                               rtol=tolerance, atol=tolerance)
