"""Conv2D to ONNX: ONNX Runtime gives model.predict's numbers, in float32 (ONNX's Conv) and
float64 (im2col from standard ops, where ONNX Runtime has no double Conv)."""

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from neuralkit import Sequential
from neuralkit.export import to_onnx
from neuralkit.layers import Conv2D, Dense, Flatten, Softmax

# A float32 convolution sums up to f_h f_w n_C_prev products: ONNX Runtime's order is not ours.
TOLERANCE = {"float32": 2e-6, "float64": 1e-12}

CONFIGS = [
    dict(shape=(7, 6, 1), layers=[dict(filters=4, kernel_size=3), dict(filters=2, kernel_size=2)]),
    dict(shape=(7, 6, 3), layers=[dict(filters=5, kernel_size=3, strides=2, padding="same",
                                       activation="relu"),
                                  dict(filters=3, kernel_size=(2, 3), padding=1, use_bias=False)]),
    dict(shape=(8, 8, 8), layers=[dict(filters=4, kernel_size=(3, 2), strides=(2, 1),
                                       padding="same", activation="tanh"),
                                  dict(filters=2, kernel_size=4, strides=3, padding="same")]),
    dict(shape=(5, 5, 2), layers=[dict(filters=3, kernel_size=5, padding=(2, 1), activation="elu"),
                                  dict(filters=1, kernel_size=1)]),
    dict(shape=(6, 4, 3), layers=[dict(filters=4, kernel_size=2, activation="sigmoid"),
                                  dict(filters=3, kernel_size=(1, 3), activation="softmax")]),
]


def _run(proto, X):
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(["Y"], {"X": X})[0]


def _model(config, dtype):
    first, *rest = config["layers"]
    return Sequential([Conv2D(**first, input_shape=config["shape"]),
                       *(Conv2D(**kw) for kw in rest)], seed=2, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("config", CONFIGS, ids=["valid", "same-stride-relu", "same-pairs-tanh",
                                                 "pad-pair-elu", "sigmoid-softmax"])
def test_onnxruntime_matches_predict(tmp_path, config, dtype):
    model = _model(config, dtype)
    rng = np.random.default_rng(0)
    for layer in model.layers:
        if "b" in layer.params:                       # trained-looking, nonzero biases
            layer.params["b"][...] = rng.standard_normal(layer.params["b"].shape)
    proto = to_onnx(model, tmp_path / "conv.onnx")
    tol = TOLERANCE[dtype]
    for m in (1, 6):                                  # the batch dimension is dynamic
        X = rng.standard_normal((m, *config["shape"])).astype(dtype)
        out = _run(proto, X)
        assert out.dtype == np.dtype(dtype) and out.shape == (m, *model.output_shape[1:])
        np.testing.assert_allclose(out, model.predict(X), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_graph_is_conv_in_float32_and_im2col_in_float64(dtype):
    model = _model(CONFIGS[1], dtype)
    proto = to_onnx(model)
    onnx.checker.check_model(proto, full_check=True)
    ops = [node.op_type for node in proto.graph.node]
    (x,) = proto.graph.input
    assert [d.dim_param or d.dim_value for d in x.type.tensor_type.shape.dim] == ["batch", 7, 6, 3]
    weights = {i.name: onnx.numpy_helper.to_array(i) for i in proto.graph.initializer}
    W = model.layers[0].params["W"]
    if dtype == "float32":
        assert ops.count("Conv") == 2 and ops.count("Transpose") == 4 and "Slice" not in ops
        conv = next(node for node in proto.graph.node if node.op_type == "Conv")
        np.testing.assert_array_equal(weights[conv.input[1]], W.transpose(3, 2, 0, 1))
        attributes = {a.name: list(a.ints) for a in conv.attribute}
        assert attributes == {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 0, 1, 1]}
    else:
        assert "Conv" not in ops and "Transpose" not in ops
        assert ops.count("Slice") == 9 + 6 and ops.count("MatMul") == 2 and ops.count("Pad") == 2
        matmul = next(node for node in proto.graph.node if node.op_type == "MatMul")
        np.testing.assert_array_equal(weights[matmul.input[1]], W.reshape(27, 5))
    assert "Relu" in ops


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_whole_cnn_exports(tmp_path, dtype):
    rng = np.random.default_rng(1)
    model = Sequential([Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1)),
                        Conv2D(6, 3, strides=2, padding="same", activation="relu"),
                        Flatten(), Dense(5, activation="relu"), Dense(3), Softmax()],
                       seed=0, dtype=dtype)
    X = rng.standard_normal((40, 8, 8, 1)).astype(dtype)
    model.fit(X, rng.integers(0, 3, 40), epochs=2, batch_size=8, verbose=0)
    proto = to_onnx(model, tmp_path / "cnn.onnx")
    out = _run(proto, X)
    assert out.shape == (40, 3)
    np.testing.assert_allclose(out, model.predict(X), rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])
