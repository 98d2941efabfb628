"""Keras's callbacks and weights files, against Keras's documented behaviour.

ReduceLROnPlateau, LambdaCallback, EarlyStopping's baseline and start_from_epoch,
ModelCheckpoint's Keras arguments, the callbacks' verbose messages; save_weights and
load_weights (atomic, checked before anything is written).
"""

import json
import zipfile

import numpy as np
import pytest

from neuralkit import ModelFileError, Sequential, load_model, saving
from neuralkit.layers import Dense, Layer, ReLU, Sigmoid, Tanh
from neuralkit.optimizers import SGD
from tests.helpers import binary_data, layer_params, same_arrays


def _data(m=40, seed=0):
    return binary_data(m, 3, lambda X: X[:, 0] + 0.5 * X[:, 2], seed)


def _model(seed=0, lr=0.1, hidden=5, dtype="float64"):
    model = Sequential([Dense(hidden, input_dim=3), Tanh(), Dense(1), Sigmoid()], seed=seed,
                       dtype=dtype)
    model.compile("binary_crossentropy", SGD(lr), ["accuracy"])
    return model


class Scale(Layer):
    """A layer with a parameter of its own: saved under 'scale/s', as get_parameters keys it."""

    def build(self, input_shape):
        self.params = {"s": np.linspace(0.5, 1.5, input_shape[0]).astype(self.dtype)}
        self.grads = {"s": np.zeros_like(self.params["s"])}
        super().build(input_shape)

    def forward(self, A, training=True):
        self.cache = A
        return A * self.params["s"]

    def backward(self, dA):
        self.grads["s"][...] = np.sum(dA * self.cache, axis=0)
        return dA * self.params["s"]


# ---------------------------------------------------------------------- weights files
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_save_weights_then_load_weights_predicts_identically(tmp_path, dtype):
    X, y = _data()
    model = _model(dtype=dtype)
    model.fit(X, y, epochs=3, batch_size=8, verbose=0)
    path = model.save_weights(tmp_path / "model.weights.npz")
    assert path == tmp_path / "model.weights.npz"
    fresh = _model(seed=1, dtype=dtype)
    assert not same_arrays(layer_params(fresh), layer_params(model))
    optimizer_before = fresh.optimizer.get_config()
    fresh.load_weights(path)
    assert same_arrays(layer_params(fresh), layer_params(model))
    assert np.array_equal(fresh.predict(X), model.predict(X))
    assert fresh.optimizer.get_config() == optimizer_before  # weights only


def test_a_weights_file_is_the_course_parameters_and_a_small_metadata_entry(tmp_path):
    model = Sequential([Dense(4, input_dim=3), Scale(), ReLU(), Dense(1)], seed=0)
    model.save_weights(tmp_path / "w.npz")
    with np.load(tmp_path / "w.npz", allow_pickle=False) as archive:
        files = {name: archive[name] for name in archive.files}
    metadata = json.loads(files.pop("__neuralkit__").tobytes())
    parameters = model.get_parameters()
    assert list(files) == list(parameters) == ["W1", "b1", "scale/s", "W2", "b2"]
    assert all(np.array_equal(files[k], v) for k, v in parameters.items())
    assert files["b1"].shape == (4, 1) and files["scale/s"].shape == (4, 1)
    assert metadata["format"] == "neuralkit.weights" and metadata["format_version"] == 1
    assert metadata["keys"] == list(parameters) and metadata["dtype"] == "float64"
    restored = Sequential([Dense(4, input_dim=3), Scale(), ReLU(), Dense(1)], seed=5)
    restored.load_weights(tmp_path / "w.npz")
    assert same_arrays(layer_params(restored), layer_params(model))


def _refused(model, path, error, match):
    before = layer_params(model)
    with pytest.raises(error, match=match):
        model.load_weights(path)
    assert same_arrays(layer_params(model), before)  # nothing was written


def test_weights_of_another_architecture_are_refused_and_change_nothing(tmp_path):
    _model(hidden=5).save_weights(tmp_path / "w.npz")
    _refused(_model(hidden=6), tmp_path / "w.npz", ValueError,
             r"load_weights: 'W1' .*shape \(5, 3\) in .*w\.npz.*the model's is \(6, 3\)")
    deeper = Sequential([Dense(5, input_dim=3), Tanh(), Dense(4), Tanh(), Dense(1)], seed=0)
    _refused(deeper, tmp_path / "w.npz", ValueError,
             r"does not fit this model.*missing from the file: \['W3', 'b3'\]")


def _rewrite(path, change):
    """The weights file at ``path`` with ``change(arrays, metadata)`` applied."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    metadata = json.loads(arrays.pop("__neuralkit__").tobytes())
    change(arrays, metadata)
    saving.archive.write_archive(path, metadata, arrays)


def test_damaged_weights_files_are_refused_and_change_nothing(tmp_path):
    model = _model()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    data = path.read_bytes()
    target = _model(seed=2)

    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    _refused(target, tmp_path / "cut.npz", ModelFileError, r"cut\.npz.*truncated or corrupted")
    flipped = bytearray(data)
    start = data.index(b"W1.npy") + 200  # inside W1's values: its CRC-32 no longer matches
    flipped[start] ^= 0xFF
    (tmp_path / "flip.npz").write_bytes(bytes(flipped))
    _refused(target, tmp_path / "flip.npz", ModelFileError, r"flip\.npz")
    (tmp_path / "empty.npz").write_bytes(b"")
    _refused(target, tmp_path / "empty.npz", ModelFileError, r"empty.*not a neuralkit weights file")
    with pytest.raises(FileNotFoundError, match="load_weights: no file"):
        target.load_weights(tmp_path / "none.npz")

    _rewrite(path, lambda arrays, meta: arrays["b2"].fill(np.nan))
    _refused(target, path, ValueError, r"'b2' in .* contains NaN or inf")
    model.save_weights(path)
    _rewrite(path, lambda arrays, meta: meta.update(format_version=2))
    _refused(target, path, ModelFileError, r"newer neuralkit.*Upgrade")
    model.save_weights(path)
    _rewrite(path, lambda arrays, meta: arrays.pop("b2"))
    _refused(target, path, ModelFileError, r"corrupted: its metadata lists")


def test_a_pickled_array_is_refused_without_being_unpickled(tmp_path):
    path = tmp_path / "w.npz"
    _model().save_weights(path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["W1"] = np.array([object()], dtype=object)
    with open(path, "wb") as file:
        np.savez(file, **arrays)
    _refused(_model(), path, ModelFileError, r"truncated or corrupted.*allow_pickle")


def test_whole_model_files_and_weights_files_point_to_each_other(tmp_path):
    model = _model()
    model.save(tmp_path / "model.npz")
    model.save_weights(tmp_path / "w.npz")
    _refused(_model(seed=1), tmp_path / "model.npz", ModelFileError,
             r"not a neuralkit weights file.*whole model: load it with neuralkit\.load_model")
    with pytest.raises(ModelFileError, match=r"weights only: build the same model and call "
                                             r"model\.load_weights"):
        load_model(tmp_path / "w.npz")


def test_load_weights_needs_a_built_model_and_says_how(tmp_path):
    _model().save_weights(tmp_path / "w.npz")
    unbuilt = Sequential([Dense(5), Tanh(), Dense(1)], seed=0)
    with pytest.raises(ValueError, match=r"not built yet.*shape \(3,\): call model\.build\(3\)"):
        unbuilt.load_weights(tmp_path / "w.npz")
    assert not unbuilt.built
    with pytest.raises(ValueError, match="save_weights: the model is not built"):
        unbuilt.save_weights(tmp_path / "x.npz")


def test_save_weights_overwrite_false_and_bad_paths(tmp_path):
    model = _model()
    model.save_weights(tmp_path / "w.npz")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        model.save_weights(tmp_path / "w.npz", overwrite=False)
    with pytest.raises(ValueError, match="is a folder"):
        model.save_weights(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        model.save_weights(tmp_path / "missing" / "w.npz")
    with pytest.raises(TypeError, match="path must be a str"):
        model.save_weights(3)


def test_a_save_weights_that_fails_half_way_keeps_the_previous_file(tmp_path, monkeypatch):
    model = _model()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    before = path.read_bytes()
    X, y = _data()
    model.fit(X, y, epochs=1, verbose=0)
    real = saving.archive._write_arrays

    def half_then_fail(file, arrays):
        import io

        buffer = io.BytesIO()
        real(buffer, arrays)
        file.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(saving.archive, "_write_arrays", half_then_fail)
    with pytest.raises(OSError, match="No space"):
        model.save_weights(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
