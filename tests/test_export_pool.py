"""to_onnx of the pooling and reshaping layers: ONNX Runtime gives predict's numbers, in float32
(named ONNX pooling ops) and float64 (the same functions from ops ONNX Runtime has float64
kernels for), for any batch size."""

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from neuralkit import Sequential
from neuralkit.export import to_onnx
from neuralkit.layers import (
    AveragePooling2D,
    Dense,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
    ReLU,
    Reshape,
    Softmax,
)

TOLERANCE = {"float32": 1e-6, "float64": 1e-12}

MODELS = {
    "max-valid": lambda: [MaxPooling2D(2, input_shape=(7, 6, 3)), Flatten(), Dense(4), Softmax()],
    "max-same-overlap": lambda: [MaxPooling2D(3, 2, "same", input_shape=(7, 6, 3)), Flatten(),
                                 Dense(4)],
    "average-valid": lambda: [AveragePooling2D((2, 3), (1, 2), input_shape=(7, 6, 3)), Flatten(),
                              Dense(4)],
    "average-same": lambda: [AveragePooling2D(3, 2, "same", input_shape=(7, 6, 3)),
                             AveragePooling2D(2, 1, "same"), Flatten(), Dense(4)],
    "global": lambda: [MaxPooling2D(2, 1, input_shape=(7, 6, 3)), GlobalMaxPooling2D(keepdims=True),
                       GlobalAveragePooling2D(), Dense(4)],
    "global-keepdims": lambda: [GlobalAveragePooling2D(keepdims=True, input_shape=(7, 6, 3)),
                                Flatten(), Dense(2)],
    "reshape": lambda: [Reshape((-1, 3), input_shape=(7, 6, 3)), Flatten(data_format="channels_first"),
                        Dense(5), ReLU(), Reshape((5, 1, 1)), GlobalMaxPooling2D()],
    "dense-to-images": lambda: [Dense(48, input_shape=(10,)), Reshape((4, 4, 3)), MaxPooling2D(),
                                Flatten(), Dense(3)],
}


def _run(proto, X):
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(["Y"], {"X": X})[0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", MODELS)
def test_onnxruntime_matches_predict(name, dtype):
    rng = np.random.default_rng(0)
    model = Sequential(MODELS[name](), seed=0, dtype=dtype)
    proto = to_onnx(model)
    tol = TOLERANCE[dtype]
    for m in (1, 6):                                        # the batch dimension is dynamic
        X = rng.standard_normal((m, *model.example_shape)).astype(dtype)
        out = _run(proto, X)
        assert out.dtype == np.dtype(dtype) and out.shape == (m, *model.output_shape[1:])
        np.testing.assert_allclose(out, model.predict(X, verbose=0), rtol=tol, atol=tol)


def test_ties_and_padding_export_too():
    # Integer images: tied maxima; 'same' windows that hang over the edge.
    X = np.random.default_rng(1).integers(-2, 3, (4, 5, 5, 2)).astype(np.float64)
    X[0] = -5.0                                             # padding must not win a max
    model = Sequential([MaxPooling2D(2, 2, "same", input_shape=(5, 5, 2)), Flatten()], seed=0)
    np.testing.assert_array_equal(_run(to_onnx(model), X), model.predict(X, verbose=0))


@pytest.mark.parametrize("dtype, expected, absent", [
    ("float32", {"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Flatten",
                 "Reshape", "Transpose"}, {"Slice", "ReduceMean"}),
    ("float64", {"MaxPool", "Slice", "Pad", "ReduceMean", "ReduceMax", "Flatten", "Reshape"},
     {"AveragePool", "GlobalAveragePool", "GlobalMaxPool"}),
])
def test_the_graph_uses_the_stated_ops(tmp_path, dtype, expected, absent):
    model = Sequential([AveragePooling2D(2, 1, "same", input_shape=(6, 6, 2)), MaxPooling2D(2),
                        GlobalMaxPooling2D(keepdims=True), Reshape((2, 1, 1)),
                        GlobalAveragePooling2D(), Flatten(), Dense(2)], seed=0, dtype=dtype)
    to_onnx(model, tmp_path / "pool.onnx")
    loaded = onnx.load(str(tmp_path / "pool.onnx"))
    onnx.checker.check_model(loaded, full_check=True)
    ops = {node.op_type for node in loaded.graph.node}
    assert expected <= ops and not absent & ops
    (x,) = loaded.graph.input
    assert [d.dim_param or d.dim_value for d in x.type.tensor_type.shape.dim] == ["batch", 6, 6, 2]
