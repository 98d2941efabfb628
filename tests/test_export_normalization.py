"""ONNX export of the layers that compute differently in training: BatchNormalization by its
moving statistics and Dropout as the identity, checked against ONNX Runtime in float32 and
float64."""

import numpy as np
import onnxruntime as ort
import pytest

from neuralkit import Sequential
from neuralkit.export import to_onnx
from neuralkit.layers import BatchNormalization, Dense, Dropout, ReLU, Sigmoid


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape, axis", [((3,), -1), ((4, 5, 3), -1), ((3, 4, 5), 1),
                                         ((4, 3, 5), 2)])
@pytest.mark.parametrize("center, scale", [(True, True), (False, True), (True, False)])
def test_onnx_export_matches_predict(dtype, shape, axis, center, scale):
    model = Sequential([BatchNormalization(axis=axis, center=center, scale=scale,
                                           input_shape=shape), Dropout(0.5)], seed=0, dtype=dtype)
    bn = model.layers[0]
    rng = np.random.default_rng(6)
    C = bn.state["moving_mean"].shape[0]
    bn.set_weights([rng.standard_normal(C) for _ in bn.params] + [rng.standard_normal(C),
                                                                  rng.uniform(0.1, 3.0, C)])
    X = (rng.standard_normal((6, *shape)) * 3).astype(dtype)
    proto = to_onnx(model)
    ops = [node.op_type for node in proto.graph.node]
    if dtype == "float32":
        moved = bn.channel_axis(len(shape) + 1) != 1  # ONNX's channels are on axis 1
        assert "BatchNormalization" in ops and ("Transpose" in ops) == moved
    else:  # ONNX's epsilon attribute is a 32-bit float: elementwise ops in float64
        assert "BatchNormalization" not in ops and "Sub" in ops
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    got = session.run(None, {"X": X})[0]
    expected = model.predict(X, verbose=0)
    assert got.dtype == expected.dtype
    tolerance = 1e-6 if dtype == "float32" else 1e-15
    assert np.max(np.abs(got - expected)) <= tolerance * np.max(np.abs(expected))


def test_onnx_export_of_a_trained_model(tmp_path):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((64, 3)) * [1.0, 5.0, 0.2] + [0.0, 10.0, -3.0]
    y = (X[:, 0] > 0).astype(float)
    model = Sequential([Dense(8, input_dim=3), BatchNormalization(momentum=0.8), Dropout(0.3),
                        ReLU(), Dense(1), Sigmoid()], seed=0)
    model.fit(X, y, epochs=3, batch_size=16, verbose=0)
    path = tmp_path / "bn.onnx"
    to_onnx(model, path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"X": X})[0], model.predict(X, verbose=0),
                               rtol=1e-12)
