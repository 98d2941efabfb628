"""Saving and loading: exact round trips, resumable training, safe reading, atomic writing."""

import json
import os
import zipfile

import numpy as np
import pytest

import neuralkit
from neuralkit import ModelFileError, Sequential, initializers, load_model, saving
from neuralkit.layers import (
    ELU,
    GELU,
    SELU,
    AveragePooling2D,
    BatchNormalization,
    Conv2D,
    Dense,
    Dropout,
    Exponential,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    HardSigmoid,
    Layer,
    LeakyReLU,
    Linear,
    MaxPooling2D,
    Mish,
    ReLU,
    ReLU6,
    Reshape,
    Sigmoid,
    Softmax,
    Softplus,
    Softsign,
    Swish,
    Tanh,
)
from neuralkit.optimizers import SGD, Adam, Optimizer, RMSprop
from tests.conv_helpers import bars
from tests.helpers import Square, assert_same_parameters


def _data(m=60, n=4, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    labels = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int) + (X[:, 2] > 1).astype(int)
    return X, labels % k


def _every_layer_model(dtype):
    # Every built-in layer type, in one stack that ends in a Softmax.
    return Sequential([Dense(6, input_dim=4), BatchNormalization(momentum=0.9), ReLU(), Dropout(0.25),
                       Dense(5, kernel_initializer="he_normal", l2=0.01),
                       LeakyReLU(alpha=0.3), Dense(5, kernel_initializer="small_random"), Tanh(),
                       Dense(4), Sigmoid(), Dense(4), Linear(), Dense(4), ELU(alpha=0.5),
                       Dense(4), GELU(), Dense(4), GELU(approximate=True), Dense(4), Softplus(),
                       Dense(4), Swish(), Dense(4), SELU(), Dense(4), Softsign(), Dense(4),
                       ReLU6(), Dense(4), HardSigmoid(), Dense(4), Mish(), Dense(4),
                       Exponential(), Dense(3), Softmax()],
                      seed=3, dtype=dtype, name="every_layer")


def _image_model(dtype):
    # Every image layer, on images (6, 6, 2), with parameters below them so that training
    # passes gradients through all of them.
    return Sequential([Dense(72, input_dim=4), Reshape((6, 6, 2)),
                       Conv2D(4, 3, padding="same", activation="relu"),
                       Conv2D(3, (2, 3), strides=(2, 1), padding=1, use_bias=False,
                              kernel_initializer="he_normal", kernel_regularizer="l2"),
                       MaxPooling2D(2, strides=1, padding="same"), AveragePooling2D((3, 2), 2),
                       GlobalMaxPooling2D(keepdims=True), GlobalAveragePooling2D(), Dense(4),
                       Reshape((2, -1)), Flatten(data_format="channels_first"), Dense(3),
                       Softmax()], seed=5, dtype=dtype, name="image_layers")


def _assert_same_optimizer(a, b):
    assert type(a) is type(b) and a.get_config() == b.get_config()
    assert a.iterations == b.iterations
    assert sorted(a.state) == sorted(b.state)
    for key in a.state:
        assert sorted(a.state[key]) == sorted(b.state[key])
        for slot in a.state[key]:
            assert a.state[key][slot].dtype == b.state[key][slot].dtype
            assert np.array_equal(a.state[key][slot], b.state[key][slot])


def test_the_round_trip_model_covers_every_exported_layer():
    exported = {value for value in map(neuralkit.layers.__dict__.get, neuralkit.layers.__all__)
                if isinstance(value, type) and issubclass(value, Layer)}
    used = {type(layer) for make in (_every_layer_model, _image_model) for layer in make("float64").layers}
    assert exported - {Layer} <= used, (f"add {exported - {Layer} - used} to _every_layer_model or "
                                        "_image_model")


@pytest.mark.parametrize("make", [_every_layer_model, _image_model], ids=["dense", "images"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_round_trip_is_exact_for_every_layer_type(tmp_path, dtype, make):
    X, y = _data()
    model = make(dtype)
    model.compile(loss="categorical_crossentropy", optimizer=Adam(learning_rate=0.01, beta_1=0.8),
                  metrics=["accuracy"])
    model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    path = model.save(tmp_path / "model.npz")
    loaded = load_model(path)

    assert loaded.predict(X).dtype == np.dtype(dtype)
    assert np.array_equal(loaded.predict(X), model.predict(X))
    assert loaded.name == model.name and loaded.seed == model.seed and loaded.dtype == np.dtype(dtype)
    assert [type(x) for x in loaded.layers] == [type(x) for x in model.layers]
    assert [x.get_config() for x in loaded.layers] == [x.get_config() for x in model.layers]
    assert_same_parameters(loaded, model)
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):  # state too
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert type(loaded.loss) is type(model.loss) and loaded.metrics == ["accuracy"]
    _assert_same_optimizer(loaded.optimizer, model.optimizer)
    assert loaded.evaluate(X, y, return_dict=True) == model.evaluate(X, y, return_dict=True)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_round_trip_of_a_cnn_is_exact_and_training_resumes(tmp_path, dtype):
    X, y = bars(24, size=6)
    y = y + (X.sum(axis=(1, 2, 3)) > 0)                # 3 classes
    model = Sequential([Conv2D(4, 3, padding="same", activation="relu", input_shape=(6, 6, 1)),
                        Conv2D(3, (2, 3), strides=(2, 1), padding=1, use_bias=False,
                               kernel_initializer="he_normal", kernel_regularizer="l2"),
                        Flatten(), Dense(3), Softmax()], seed=5, dtype=dtype, name="images")
    model.compile(loss="categorical_crossentropy", optimizer=Adam(learning_rate=0.01))
    model.fit(X, y, epochs=2, batch_size=8, verbose=0)
    loaded = load_model(model.save(tmp_path / "images.npz"))
    assert loaded.input_shape == (None, 6, 6, 1) and loaded.dtype == np.dtype(dtype)
    assert [x.get_config() for x in loaded.layers] == [x.get_config() for x in model.layers]
    assert_same_parameters(loaded, model)
    _assert_same_optimizer(loaded.optimizer, model.optimizer)
    assert np.array_equal(loaded.predict(X), model.predict(X))
    h1 = model.fit(X, y, epochs=2, batch_size=8, verbose=0)       # training continues bit for bit
    h2 = loaded.fit(X, y, epochs=2, batch_size=8, verbose=0)
    assert h1.history == h2.history
    assert_same_parameters(loaded, model)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("optimizer", [lambda: SGD(0.05, momentum=0.9, nesterov=True),
                                       lambda: RMSprop(0.01), lambda: Adam(0.01)],
                         ids=["sgd-nesterov", "rmsprop", "adam"])
def test_resumed_training_equals_uninterrupted_training_bit_for_bit(tmp_path, dtype, optimizer):
    X, y = _data()

    def make():
        model = Sequential([Dense(8, input_dim=4), Tanh(), Dense(3), Softmax()], seed=11,
                           dtype=dtype)
        model.compile(loss="categorical_crossentropy", optimizer=optimizer(), metrics=["accuracy"])
        return model

    straight = make()
    full = straight.fit(X, y, epochs=5, batch_size=7, validation_split=0.2, verbose=0)

    first = make()
    first.fit(X, y, epochs=2, batch_size=7, validation_split=0.2, verbose=0)
    first.save(tmp_path / "half.npz")
    resumed = load_model(tmp_path / "half.npz")
    rest = resumed.fit(X, y, epochs=3, batch_size=7, validation_split=0.2, verbose=0)

    assert_same_parameters(resumed, straight)
    _assert_same_optimizer(resumed.optimizer, straight.optimizer)
    for key, values in rest.history.items():
        assert values == full.history[key][2:], key


def test_include_optimizer_false_keeps_compile_settings_but_not_the_state(tmp_path):
    X, y = _data()
    model = Sequential([Dense(3, input_dim=4), Softmax()], seed=0)
    model.compile("categorical_crossentropy", RMSprop(0.02, rho=0.8), ["accuracy"])
    model.fit(X, y, epochs=1, verbose=0)
    assert model.optimizer.state and model.optimizer.iterations > 0
    loaded = load_model(model.save(tmp_path / "m.npz", include_optimizer=False))
    assert isinstance(loaded.optimizer, RMSprop)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.state == {} and loaded.optimizer.iterations == 0
    assert np.array_equal(loaded.predict(X), model.predict(X))


def test_unbuilt_uncompiled_model_round_trips_and_trains_like_the_original(tmp_path):
    X, y = _data()
    model = Sequential([Dense(5), ReLU(), Dense(1), Sigmoid()], seed=4, name="lazy")
    loaded = load_model(model.save(tmp_path / "lazy.npz"))
    assert not loaded.built and loaded.loss is None and loaded.optimizer is None
    assert loaded.name == "lazy"
    Y = (y > 0).astype(float)
    h1 = model.fit(X, Y, epochs=2, verbose=0)
    h2 = loaded.fit(X, Y, epochs=2, verbose=0)
    assert h1.history == h2.history
    assert_same_parameters(loaded, model)


def test_random_generator_state_is_restored(tmp_path):
    model = Sequential([Dense(2, input_dim=3)], seed=5)
    model.rng.standard_normal(7)  # move the generator away from its seeded state
    loaded = load_model(model.save(tmp_path / "m.npz"))
    assert np.array_equal(loaded.rng.standard_normal(10), model.rng.standard_normal(10))
    assert all(layer.rng is loaded.rng for layer in loaded.layers)


def test_other_bit_generators_are_restored_too(tmp_path):
    model = Sequential([Dense(2, input_dim=3)], seed=5)
    model.rng = np.random.Generator(np.random.MT19937(9))
    loaded = load_model(model.save(tmp_path / "m.npz"))
    assert isinstance(loaded.rng.bit_generator, np.random.MT19937)
    assert np.array_equal(loaded.rng.random(5), model.rng.random(5))


# ---------------------------------------------------------------- custom objects
# Square (tests/helpers.py): A = Z**2, no parameters, no constructor arguments.
class Scale(Layer):
    """A = s * Z with a learned s per unit, and a constructor argument."""

    def __init__(self, init=1.5, **kwargs):
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_dim):
        self.params = {"s": np.full(input_dim, self.init, dtype=self.dtype)}
        self.grads = {"s": np.zeros(input_dim, dtype=self.dtype)}
        super().build(input_dim)

    def forward(self, Z, training=True):
        self.cache = Z
        return Z * self.params["s"]

    def backward(self, dA):
        self.grads["s"][...] = np.sum(dA * self.cache, axis=0)
        return dA * self.params["s"]

    def get_config(self):
        return {**super().get_config(), "init": self.init}


class HalvingSGD(Optimizer):
    """A custom optimizer with an extra hyperparameter."""

    def __init__(self, learning_rate=0.01, factor=0.5):
        super().__init__(learning_rate)
        self.factor = factor

    def update(self, param, grad, state):
        param -= self.factor * self.learning_rate * grad

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_custom_layers_and_optimizers_load_through_custom_objects(tmp_path):
    X, y = _data()
    Y = (y > 0).astype(float)
    model = Sequential([Dense(4, input_dim=4), Scale(init=0.7), Square(), Dense(1), Sigmoid()],
                       seed=2)
    model.compile("binary_crossentropy", HalvingSGD(0.1, factor=0.25))
    model.fit(X, Y, epochs=2, verbose=0)
    path = model.save(tmp_path / "custom.npz")

    with pytest.raises(ModelFileError, match=r"custom\.npz.*'Scale'.*custom_objects"):
        load_model(path)
    with pytest.raises(ModelFileError, match=r"'HalvingSGD'.*custom_objects"):
        load_model(path, custom_objects={"Scale": Scale, "Square": Square})
    loaded = load_model(path, custom_objects={"Scale": Scale, "Square": Square,
                                              "HalvingSGD": HalvingSGD})
    assert loaded.layers[1].init == 0.7 and loaded.optimizer.factor == 0.25
    assert np.array_equal(loaded.predict(X), model.predict(X))
    assert_same_parameters(loaded, model)


def test_custom_objects_must_be_the_right_kind(tmp_path):
    model = Sequential([Dense(2, input_dim=3), Square()])
    path = model.save(tmp_path / "m.npz")
    with pytest.raises(TypeError, match="Square.*subclass of Layer"):
        load_model(path, custom_objects={"Square": HalvingSGD})
    with pytest.raises(TypeError, match="custom_objects must be a dict"):
        load_model(path, custom_objects=[Square])


def test_callable_initializers_are_saved_by_name(tmp_path):
    def my_init(shape, rng):
        return rng.uniform(-0.1, 0.1, size=shape)

    model = Sequential([Dense(3, input_dim=2, kernel_initializer=initializers.he_normal),
                        Dense(2, kernel_initializer=my_init)], seed=0)
    assert model.layers[1].get_config()["kernel_initializer"] is my_init
    path = model.save(tmp_path / "m.npz")
    with pytest.raises(ModelFileError, match=r"'my_init'.*custom_objects=\{'my_init': my_init\}"):
        load_model(path)
    loaded = load_model(path, custom_objects={"my_init": my_init})
    # A neuralkit initializer passed as a function needs no custom_objects.
    assert loaded.layers[0].kernel_initializer is initializers.he_normal
    assert loaded.layers[1].kernel_initializer is my_init
    assert_same_parameters(loaded, model)


def test_a_layer_whose_config_cannot_rebuild_it_gives_a_clear_error(tmp_path):
    class NeedsArg(Square):
        def __init__(self, power, **kwargs):
            super().__init__(**kwargs)
            self.power = power

    path = Sequential([Dense(2, input_dim=3), NeedsArg(3)]).save(tmp_path / "m.npz")
    with pytest.raises(ModelFileError, match=r"could not rebuild layer 1 \(NeedsArg\).*get_config"):
        load_model(path, custom_objects={"NeedsArg": NeedsArg})


def test_unsavable_config_values_fail_before_anything_is_written(tmp_path):
    class Weird(Square):
        def get_config(self):
            return {**super().get_config(), "thing": object()}

    path = tmp_path / "m.npz"
    with pytest.raises(TypeError, match="cannot save layer 'weird'"):
        Sequential([Dense(2, input_dim=3), Weird()]).save(path)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- reading safely
def _write_npz(path, metadata=None, **arrays):
    if metadata is not None:
        arrays["__neuralkit__"] = np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8)
    with open(path, "wb") as file:
        np.savez(file, **arrays)


def _metadata(path):
    with np.load(path, allow_pickle=False) as archive:
        return json.loads(archive["__neuralkit__"].tobytes()), {
            k: archive[k] for k in archive.files if k != "__neuralkit__"}


@pytest.fixture
def saved(tmp_path):
    X, y = _data()
    model = Sequential([Dense(4, input_dim=4), ReLU(), Dense(3), Softmax()], seed=1)
    model.compile("categorical_crossentropy", "adam")
    model.fit(X, y, epochs=1, verbose=0)
    return model, model.save(tmp_path / "good.npz"), X


def test_names_in_the_file_are_never_imported(saved, tmp_path):
    _, path, _ = saved
    metadata, arrays = _metadata(path)
    metadata["layers"][1]["class"] = "os.system"
    _write_npz(tmp_path / "evil.npz", metadata, **arrays)
    with pytest.raises(ModelFileError, match=r"evil\.npz.*'os\.system'.*not part of neuralkit"):
        load_model(tmp_path / "evil.npz")
    metadata, arrays = _metadata(path)
    metadata["layers"][0]["config"]["kernel_initializer"] = {"__function__": "eval"}
    _write_npz(tmp_path / "evil2.npz", metadata, **arrays)
    with pytest.raises(ModelFileError, match="'eval'.*not part of neuralkit"):
        load_model(tmp_path / "evil2.npz")


def test_pickled_arrays_are_refused(saved, tmp_path):
    _, path, _ = saved
    metadata, arrays = _metadata(path)
    arrays["p0"] = np.array([{"a": 1}, None], dtype=object)  # np.savez pickles object arrays
    _write_npz(tmp_path / "pickled.npz", metadata, **arrays)
    with pytest.raises(ModelFileError, match=r"pickled\.npz.*(truncated or corrupted|pickle)"):
        load_model(tmp_path / "pickled.npz")


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"hello, I am a text file", "not a .npz archive"),
    (b"\x93NUMPY\x01\x00", "single NumPy array"),
    (b"\x89HDF\r\n\x1a\n" + bytes(64), "HDF5 file, as Keras 2's .h5.*set_weights"),
])
def test_foreign_files_are_refused_with_the_file_named(tmp_path, content, message):
    path = tmp_path / "foreign.npz"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=f"foreign\\.npz.*{message}"):
        load_model(path)


def test_a_keras_3_file_is_named_as_one(tmp_path):
    import zipfile

    path = tmp_path / "model.keras"                   # the members Keras 3's saving writes
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", '{"keras_version": "3.6.0"}')
        archive.writestr("config.json", '{"class_name": "Sequential"}')
        archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n")
    with pytest.raises(ModelFileError, match=r"model\.keras' is a Keras 3 \.keras file.*set_weights"):
        load_model(path)


def test_a_npz_that_is_not_a_model_is_refused(tmp_path):
    _write_npz(tmp_path / "data.npz", None, x=np.zeros(3))
    with pytest.raises(ModelFileError, match=r"data\.npz.*not a neuralkit model file.*'x'"):
        load_model(tmp_path / "data.npz")
    _write_npz(tmp_path / "other.npz", {"format": "something.else", "format_version": 1})
    with pytest.raises(ModelFileError, match=r"other\.npz.*format 'something\.else'"):
        load_model(tmp_path / "other.npz")


def test_a_future_format_version_is_refused(saved, tmp_path, monkeypatch):
    _, path, _ = saved
    metadata, arrays = _metadata(path)
    metadata["format_version"] = saving.FORMAT_VERSION + 1
    _write_npz(tmp_path / "future.npz", metadata, **arrays)
    with pytest.raises(ModelFileError, match=r"future\.npz.*newer neuralkit.*Upgrade"):
        load_model(tmp_path / "future.npz")


def test_a_truncated_file_is_refused(saved, tmp_path):
    _, path, _ = saved
    raw = path.read_bytes()
    for cut in (10, len(raw) // 3, len(raw) // 2, len(raw) - 1):
        (tmp_path / "cut.npz").write_bytes(raw[:cut])
        with pytest.raises(ModelFileError, match=r"cut\.npz.*truncated or corrupted"):
            load_model(tmp_path / "cut.npz")


def test_a_flipped_byte_anywhere_never_gives_a_wrong_model(saved, tmp_path):
    model, path, X = saved
    expected = model.predict(X)
    raw = path.read_bytes()
    target = tmp_path / "flipped.npz"
    refused = 0
    for position in range(0, len(raw), max(1, len(raw) // 200)):
        damaged = bytearray(raw)
        damaged[position] ^= 0x5A
        target.write_bytes(bytes(damaged))
        try:
            loaded = load_model(target)
        except ModelFileError as exc:
            assert "flipped.npz" in str(exc)
            refused += 1
        else:  # a byte no reader uses (a zip timestamp, say): the model must be intact
            assert np.array_equal(loaded.predict(X), expected), position
    assert refused > 0


def test_damaged_metadata_is_refused(saved, tmp_path):
    _, path, _ = saved
    metadata, arrays = _metadata(path)
    del arrays["p1"]
    _write_npz(tmp_path / "missing.npz", metadata, **arrays)
    with pytest.raises(ModelFileError, match=r"missing\.npz.*array 'p1' is missing"):
        load_model(tmp_path / "missing.npz")
    metadata, arrays = _metadata(path)
    arrays["p0"] = arrays["p0"][:, :2]
    _write_npz(tmp_path / "shape.npz", metadata, **arrays)
    with pytest.raises(ModelFileError, match=r"shape\.npz.*parameter 'W' is saved with shape"):
        load_model(tmp_path / "shape.npz")
    with open(tmp_path / "json.npz", "wb") as file:
        np.savez(file, __neuralkit__=np.frombuffer(b"{not json", dtype=np.uint8))
    with pytest.raises(ModelFileError, match=r"json\.npz.*corrupted metadata"):
        load_model(tmp_path / "json.npz")


# ---------------------------------------------------------------- writing atomically
def _half_then_fail(exception):
    real = saving.archive._write_arrays

    def write(file, arrays):
        import io

        buffer = io.BytesIO()
        real(buffer, arrays)
        file.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
        raise exception

    return write


@pytest.mark.parametrize("exception", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_save_that_fails_half_way_never_destroys_the_previous_file(saved, tmp_path, monkeypatch,
                                                                     exception):
    model, path, X = saved
    before = path.read_bytes()
    expected = model.predict(X)
    model.fit(X, np.zeros(X.shape[0], dtype=int), epochs=1, verbose=0)  # now different
    monkeypatch.setattr(saving.archive, "_write_arrays", _half_then_fail(exception))
    with pytest.raises(type(exception)):
        model.save(path)
    assert path.read_bytes() == before
    assert np.array_equal(load_model(path).predict(X), expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.npz"]  # no temporary left


def test_a_failed_rename_keeps_the_previous_file_and_removes_the_temporary(saved, tmp_path,
                                                                          monkeypatch):
    model, path, _ = saved
    before = path.read_bytes()

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(saving.os, "replace", refuse)
    with pytest.raises(PermissionError):
        model.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.npz"]


def test_save_writes_beside_the_target_fsyncs_then_renames(saved, tmp_path, monkeypatch):
    model, path, X = saved
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(saving.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd)))

    def replace(src, dst):
        events.append(("replace", os.path.dirname(src), os.path.dirname(dst)))
        assert zipfile.is_zipfile(src)  # complete before it is moved into place
        real_replace(src, dst)

    monkeypatch.setattr(saving.os, "replace", replace)
    model.save(path)
    assert events[0] == "fsync"
    assert events[1] == ("replace", str(tmp_path), str(tmp_path))
    assert np.array_equal(load_model(path).predict(X), model.predict(X))


def test_save_argument_errors(tmp_path):
    model = Sequential([Dense(2, input_dim=3)])
    with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
        model.save(42)
    with pytest.raises(ValueError, match="is a folder"):
        model.save(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.save(tmp_path / "no" / "such" / "m.npz")
    with pytest.raises(TypeError, match="include_optimizer must be True or False"):
        model.save(tmp_path / "m.npz", include_optimizer="yes")
    with pytest.raises(ValueError, match="no layers"):
        Sequential().save(tmp_path / "m.npz")
    with pytest.raises(FileNotFoundError, match="no file"):
        load_model(tmp_path / "absent.npz")


def test_a_custom_layer_whose_config_leaves_out_name_and_input_dim_still_round_trips(tmp_path):
    class Bare(Scale):
        def get_config(self):
            return {"init": self.init}  # no name, no input_dim

    X, y = _data()
    model = Sequential([Bare(init=0.5, name="first_scale", input_dim=4), Dense(3), Softmax()],
                       seed=0)
    model.compile("categorical_crossentropy", "adam")
    model.fit(X, y, epochs=1, verbose=0)
    loaded = load_model(model.save(tmp_path / "bare.npz"), custom_objects={"Bare": Bare})
    assert loaded.layers[0].name == "first_scale" and loaded.built
    assert np.array_equal(loaded.predict(X), model.predict(X))
    _assert_same_optimizer(loaded.optimizer, model.optimizer)
