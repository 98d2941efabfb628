"""Property-based tests (hypothesis): layers, losses, save/load and bad input, on random cases."""

import math
import os
import tempfile
import traceback
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neuralkit
from neuralkit import Sequential, gradcheck, load_model
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
from neuralkit.losses import BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError
from neuralkit.optimizers import SGD, Adam, RMSprop
from tests.helpers import SameDraws

FAST = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
# Cheap examples with many kinds of input: more of them.
MANY = settings(FAST, max_examples=120)

# How to make each built-in layer from a hypothesis draw (widths, slopes, initializers).
LAYERS = {
    Dense: lambda d: Dense(d(st.integers(1, 5)),
                           kernel_initializer=d(st.sampled_from(
                               ["glorot_uniform", "he_normal", "small_random"]))),
    Linear: lambda d: Linear(),
    ReLU: lambda d: ReLU(),
    LeakyReLU: lambda d: LeakyReLU(alpha=d(st.floats(0.0, 0.5))),
    Sigmoid: lambda d: Sigmoid(),
    Tanh: lambda d: Tanh(),
    Softmax: lambda d: Softmax(),
    Dropout: lambda d: Dropout(rate=d(st.floats(0.0, 0.8))),
    ELU: lambda d: ELU(alpha=d(st.floats(0.0, 2.0))),
    GELU: lambda d: GELU(approximate=d(st.booleans())),
    Softplus: lambda d: Softplus(),
    Swish: lambda d: Swish(),
    SELU: lambda d: SELU(),
    Softsign: lambda d: Softsign(),
    ReLU6: lambda d: ReLU6(),
    HardSigmoid: lambda d: HardSigmoid(),
    Mish: lambda d: Mish(),
    Exponential: lambda d: Exponential(),
    # epsilon of the order of the variance: with m = 2, x_hat = +-d / sqrt(d^2 + epsilon) is
    # nearly constant for a small epsilon, and central differences cannot resolve its tiny
    # gradient to the course's 1e-7 relative error (tests/test_batchnorm.py checks 1e-3).
    BatchNormalization: lambda d: BatchNormalization(
        momentum=d(st.floats(0.0, 1.0)), epsilon=d(st.floats(0.5, 2.0)),
        center=d(st.booleans()), scale=d(st.booleans())),
}


def _window(d):
    return dict(pool_size=d(st.integers(1, 3)), strides=d(st.none() | st.integers(1, 3)),
                padding=d(st.sampled_from(["valid", "same"])))


# The layers that take images (m, H, W, C), from a draw.
IMAGE_LAYERS = {
    MaxPooling2D: lambda d: MaxPooling2D(**_window(d)),
    AveragePooling2D: lambda d: AveragePooling2D(**_window(d)),
    GlobalAveragePooling2D: lambda d: GlobalAveragePooling2D(keepdims=d(st.booleans())),
    GlobalMaxPooling2D: lambda d: GlobalMaxPooling2D(keepdims=d(st.booleans())),
    Flatten: lambda d: Flatten(data_format=d(st.sampled_from([None, "channels_first"]))),
    Reshape: lambda d: Reshape(d(st.sampled_from([(-1,), (-1, 1), (1, -1, 1)]))),
}


# The layers with parameters that take images (m, n_H, n_W, n_C), drawn the same way.
CONV_LAYERS = {
    Conv2D: lambda d: Conv2D(d(st.integers(1, 3)), d(st.sampled_from([1, 2, 3, (2, 1), (1, 3)])),
                             strides=d(st.sampled_from([1, 2, (1, 2)])),
                             padding=d(st.sampled_from(["valid", "same", 0, 1, (2, 1)])),
                             use_bias=d(st.booleans()),
                             kernel_initializer=d(st.sampled_from(["glorot_uniform", "he_normal"]))),
}


NEURALKIT_DIR = Path(neuralkit.__file__).resolve().parent


def test_every_exported_layer_has_a_property_test():
    exported = {value for value in map(neuralkit.layers.__dict__.get, neuralkit.layers.__all__)
                if isinstance(value, type) and issubclass(value, Layer)} - {Layer}
    covered = set(LAYERS) | set(IMAGE_LAYERS) | set(CONV_LAYERS)
    assert exported <= covered, f"add {exported - covered} to LAYERS, IMAGE_LAYERS or CONV_LAYERS"


def _away_from_kinks(m, n):
    # 0.05 <= |z| <= 2.95: central differences (eps 1e-6) never straddle ReLU's kink at 0 nor
    # HardSigmoid's at -3 and 3.
    magnitude = hnp.arrays(np.float64, (m, n), elements=st.floats(0.05, 2.95))
    signs = hnp.arrays(np.float64, (m, n), elements=st.sampled_from([-1.0, 1.0]))
    return st.tuples(magnitude, signs).map(lambda pair: pair[0] * pair[1])


@FAST
@given(data=st.data(), cls=st.sampled_from(sorted(LAYERS, key=lambda c: c.__name__)),
       m=st.integers(1, 6), n=st.integers(1, 5), dtype=st.sampled_from(["float64", "float32"]))
def test_every_layer_shapes_dtypes_and_gradients(data, cls, m, n, dtype):
    layer = LAYERS[cls](data.draw)
    seed = data.draw(st.integers(0, 2**32 - 1))
    layer.rng = SameDraws(seed) if cls is Dropout else np.random.default_rng(seed)
    layer.dtype = np.dtype(dtype)
    X = data.draw(_away_from_kinks(m, n))
    layer._ensure_built(n)
    A = layer.forward(X.astype(dtype), True)
    assert A.shape == (m, layer.output_dim) and A.dtype == np.dtype(dtype)
    assert np.isfinite(A).all()
    dA = layer.backward(np.ones_like(A))
    assert dA.shape == (m, n)
    for name, param in layer.params.items():
        assert param.dtype == np.dtype(dtype)
        assert layer.grads[name].shape == param.shape
    errors = gradcheck.check_layer(layer, X)  # float64 central differences, course threshold
    assert set(errors) >= {"X", *layer.params}


@FAST
@given(data=st.data(), cls=st.sampled_from(sorted(IMAGE_LAYERS, key=lambda c: c.__name__)),
       shape=st.tuples(st.integers(1, 3), st.integers(3, 6), st.integers(3, 6), st.integers(1, 3)),
       dtype=st.sampled_from(["float64", "float32"]))
def test_every_image_layer_shapes_dtypes_and_gradients(data, cls, shape, dtype):
    layer = IMAGE_LAYERS[cls](data.draw)
    # Distinct values 0.1 apart: central differences never move a window's maximum.
    order = data.draw(st.permutations(range(math.prod(shape))))
    X = np.array(order, dtype=np.float64).reshape(shape) * 0.1 - 1.0
    layer._ensure_built(shape[1:])
    A = layer.forward(X.astype(dtype), True)
    assert A.shape == (shape[0], *layer.output_shape) and A.dtype == np.dtype(dtype)
    assert np.isfinite(A).all()
    dA = layer.backward(np.ones_like(A))
    assert dA.shape == shape and dA.dtype == np.dtype(dtype)
    # Each output's gradient is passed on exactly once: to one maximum, or spread over a
    # window's entries inside the image (the padding takes none).
    assert np.isclose(dA.sum(dtype=np.float64), A.size, rtol=1e-5)
    assert gradcheck.check_layer(layer, X)["X"] < gradcheck.TOLERANCE


@FAST
@given(data=st.data(), cls=st.sampled_from(sorted(CONV_LAYERS, key=lambda c: c.__name__)),
       m=st.integers(1, 3), hw=st.tuples(st.integers(3, 6), st.integers(3, 6)),
       channels=st.integers(1, 5), dtype=st.sampled_from(["float64", "float32"]))
def test_every_conv_layer_shapes_dtypes_and_gradients(data, cls, m, hw, channels, dtype):
    layer = CONV_LAYERS[cls](data.draw)
    layer.rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    layer.dtype = np.dtype(dtype)
    shape = (*hw, channels)
    X = data.draw(hnp.arrays(np.float64, (m, *shape), elements=st.floats(-3, 3)))
    layer._ensure_built(shape)
    A = layer.forward(X.astype(dtype), True)
    assert A.shape == (m, *layer.output_shape) and A.dtype == np.dtype(dtype)
    assert np.isfinite(A).all()
    dX = layer.backward(np.ones_like(A))
    assert dX.shape == X.shape and dX.dtype == np.dtype(dtype)
    for name, param in layer.params.items():
        assert param.dtype == np.dtype(dtype) and layer.grads[name].shape == param.shape
    errors = gradcheck.check_layer(layer, X)  # float64 central differences, course threshold
    assert set(errors) == {"X", *layer.params}


@FAST
@given(data=st.data(), m=st.integers(1, 6), k=st.integers(2, 5))
def test_cross_entropies_from_extreme_logits_are_finite(data, m, k):
    Z = data.draw(hnp.arrays(np.float64, (m, k), elements=st.sampled_from([-1e4, 1e4, 0.0, 3.0])))
    labels = data.draw(hnp.arrays(np.int64, (m,), elements=st.integers(0, k - 1)))
    Y = np.eye(k)[labels]
    cce = CategoricalCrossEntropy()
    value = cce.forward_logits(Z, Y)
    grad = cce.backward_logits()
    assert np.isfinite(value) and value >= 0 and np.isfinite(grad).all()
    # Oracle: log-sum-exp written independently, per row.
    expected = np.mean([np.max(z) + np.log(np.sum(np.exp(z - np.max(z)))) - z[c]
                        for z, c in zip(Z, labels, strict=True)])
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    # The probabilities alone (softmax of ±1e4 is exactly 0 and 1) go through the clipping.
    A = Softmax().forward(Z)
    assert np.isfinite(cce.forward(A, Y)) and np.isfinite(cce.backward()).all()

    z = Z[:, :1]
    y = Y[:, :1]
    bce = BinaryCrossEntropy()
    value = bce.forward_logits(z, y)
    assert np.isfinite(value) and np.isfinite(bce.backward_logits()).all()
    expected = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    sig = Sigmoid().forward(z)
    assert np.isfinite(bce.forward(sig, y)) and np.isfinite(bce.backward()).all()
    mse = MeanSquaredError()
    assert np.isfinite(mse.forward(z, y)) and np.isfinite(mse.backward()).all()


@FAST
@given(m=st.integers(1, 8), sign=st.sampled_from([-1.0, 1.0]),
       dtype=st.sampled_from(["float64", "float32"]),
       output=st.sampled_from(["sigmoid", "softmax"]))
def test_a_model_with_saturated_outputs_trains_without_nan(m, sign, dtype, output):
    k = 1 if output == "sigmoid" else 3
    model = Sequential([Dense(k, input_dim=2), Sigmoid() if k == 1 else Softmax()], seed=0,
                       dtype=dtype)
    model.compile(optimizer=SGD(0.1))
    W = np.full((k, 2), sign * 5e3)
    W[0] *= -1
    model.layers[0].params["W"][...] = W  # logits of about ±1e4 for inputs of ones
    X = np.ones((m, 2))
    y = np.zeros(m) if k == 1 else np.zeros(m, dtype=int)
    history = model.fit(X, y, epochs=2, batch_size=4, verbose=0)
    assert all(np.isfinite(v) for v in history.history["loss"])
    assert all(np.isfinite(p).all() for p in model.layers[0].params.values())


# ---------------------------------------------------------------- save / load
@st.composite
def architectures(draw):
    kinds = draw(st.lists(st.sampled_from([ReLU, Tanh, LeakyReLU, Sigmoid, Linear,
                                           BatchNormalization]),
                          min_size=0, max_size=3))
    layers = [Dense(draw(st.integers(1, 6)), input_dim=draw(st.integers(1, 4)))]
    for kind in kinds:
        layers.append(LAYERS[kind](draw))
        layers.append(Dense(draw(st.integers(1, 6))))
    head = draw(st.sampled_from(["sigmoid", "softmax", "linear"]))
    if head == "softmax":
        layers.append(Dense(draw(st.integers(2, 4))))
        layers.append(Softmax())
    elif head == "sigmoid":
        layers.append(Dense(1))
        layers.append(Sigmoid())
    return layers


@FAST
@given(layers=architectures(), dtype=st.sampled_from(["float64", "float32"]),
       optimizer=st.sampled_from([lambda: SGD(0.05, momentum=0.5), lambda: RMSprop(),
                                  lambda: Adam()]),
       seed=st.integers(0, 2**31), include_optimizer=st.booleans(), train=st.booleans())
def test_save_load_round_trip_for_random_architectures(layers, dtype, optimizer, seed,
                                                       include_optimizer, train):
    model = Sequential(layers, seed=seed, dtype=dtype)
    model.compile(optimizer=optimizer())
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((12, model.input_dim))
    if train:
        out = model.output_dim
        last = model.layers[-1]
        y = (rng.integers(0, out, 12) if isinstance(last, Softmax)
             else rng.random((12, out)).round() if isinstance(last, Sigmoid)
             else rng.standard_normal((12, out)))
        model.fit(X, y, epochs=2, batch_size=5, verbose=0)
    with tempfile.TemporaryDirectory() as folder:
        loaded = load_model(model.save(os.path.join(folder, "m.npz"),
                                       include_optimizer=include_optimizer))
    assert np.array_equal(loaded.predict(X), model.predict(X))
    assert loaded.predict(X).dtype == np.dtype(dtype)
    assert [x.get_config() for x in loaded.layers] == [x.get_config() for x in model.layers]
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    if include_optimizer:
        assert loaded.optimizer.iterations == model.optimizer.iterations
        for key, slots in model.optimizer.state.items():
            for slot, value in slots.items():
                assert np.array_equal(loaded.optimizer.state[key][slot], value)
    assert np.array_equal(loaded.rng.random(4), model.rng.random(4))


# ---------------------------------------------------------------- bad input
def _bad_arrays(n_features):
    """(description, X) pairs that fit/predict/evaluate must refuse."""
    m = st.integers(1, 6)
    good = m.flatmap(lambda rows: hnp.arrays(np.float64, (rows, n_features),
                                             elements=st.floats(-10, 10)))

    def poison(X, value, data):
        X = X.copy()
        i = data.draw(st.integers(0, X.shape[0] - 1))
        j = data.draw(st.integers(0, X.shape[1] - 1))
        X[i, j] = value
        return X

    return st.one_of(
        # wrong number of features
        st.tuples(m, st.integers(1, 6).filter(lambda k: k != n_features)).flatmap(
            lambda s: hnp.arrays(np.float64, s, elements=st.floats(-1, 1))),
        # wrong number of dimensions (0-d, 1-d, 3-d)
        hnp.arrays(np.float64, st.sampled_from([(), (n_features,), (2, n_features, 2)]),
                   elements=st.floats(-1, 1)),
        # empty
        st.sampled_from([np.zeros((0, n_features)), np.zeros((3, 0)), []]),
        # NaN or inf somewhere
        st.tuples(good, st.sampled_from([np.nan, np.inf, -np.inf]), st.data()).map(
            lambda t: poison(*t)),
        # not numbers
        st.tuples(good, st.sampled_from(["complex128", "U3", "object-none", "datetime64[s]"])).map(
            lambda t: _retype(t[0], t[1])),
        # ragged nested lists
        st.just([[1.0] * n_features, [1.0] * (n_features + 1)]),
        # too large for float32
        st.tuples(good, st.sampled_from([1e39, -1e300]), st.data()).map(lambda t: poison(*t)),
        st.none(),
    )


def _retype(X, kind):
    if kind == "object-none":
        out = X.astype(object)
        out[0, 0] = None
        return out
    if kind.startswith("datetime"):
        return X.astype(np.int64).astype(kind)
    return X.astype(kind)


def _assert_refused_by_neuralkit(call):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    innermost = Path(traceback.extract_tb(info.tb)[-1].filename).resolve()
    assert NEURALKIT_DIR in innermost.parents, f"raised from {innermost}: {info.value}"
    assert "layers" not in innermost.parts and "losses.py" != innermost.name, innermost
    return info.value


@MANY
@given(X=_bad_arrays(3), target=st.sampled_from(["fit", "predict", "evaluate"]),
       dtype=st.sampled_from(["float64", "float32"]))
def test_random_bad_inputs_are_refused_by_neuralkit(X, target, dtype):
    if dtype == "float64" and isinstance(X, np.ndarray) and X.dtype == np.float64 \
            and X.ndim == 2 and X.shape[1] == 3 and X.size and np.isfinite(X).all():
        return  # values out of float32's range are fine in float64
    model = Sequential([Dense(2, input_dim=3), Softmax()], seed=0, dtype=dtype)
    model.compile("categorical_crossentropy", "adam")
    before = [p.copy() for p in model.layers[0].params.values()]
    m = len(X) if isinstance(X, list) or (isinstance(X, np.ndarray) and X.ndim >= 1) else 1
    y = np.zeros(max(m, 1), dtype=int)
    call = {"fit": lambda: model.fit(X, y, verbose=0),
            "predict": lambda: model.predict(X),
            "evaluate": lambda: model.evaluate(X, y, return_dict=True)}[target]
    _assert_refused_by_neuralkit(call)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.layers[0].params.values(),
                                                    strict=True))


@MANY
@given(data=st.data(), m=st.integers(1, 6), loss=st.sampled_from(
    ["binary_crossentropy", "categorical_crossentropy", "mse"]))
def test_random_bad_targets_are_refused_by_neuralkit(data, m, loss):
    outputs = 1 if loss == "binary_crossentropy" else 3
    model = Sequential([Dense(outputs, input_dim=2)], seed=0)
    model.compile(loss, "sgd")
    X = np.ones((m, 2))
    bad = data.draw(st.one_of(
        hnp.arrays(np.float64, st.integers(1, 8).filter(lambda k: k != m)),            # wrong m
        hnp.arrays(np.float64, (m, 5), elements=st.floats(0, 1)),                      # width
        hnp.arrays(np.float64, (m, outputs, 1), elements=st.floats(0, 1)),             # 3-d
        st.just(np.full((m, outputs), np.nan)),                                        # NaN
        st.just(np.full(m, "a")),                                                      # text
    ) | (st.just(np.full((m, 1), 1.5 if loss != "mse" else np.inf)))                  # labels
        | (st.just(np.full(m, 7)) if loss == "categorical_crossentropy" else st.nothing()))
    _assert_refused_by_neuralkit(lambda: model.fit(X, bad, verbose=0))
    _assert_refused_by_neuralkit(lambda: model.evaluate(X, bad, return_dict=True))


@FAST
@given(value=st.one_of(st.integers(-3, 0), st.floats(allow_nan=True), st.text(max_size=2),
                       st.none(), st.booleans(), st.just(neuralkit.callbacks.TerminateOnNaN())),
       argument=st.sampled_from(["epochs", "batch_size", "verbose", "validation_split",
                                 "callbacks"]))
def test_random_bad_fit_arguments_are_refused_by_neuralkit(value, argument):
    if argument == "callbacks" and value is None:
        return  # no callbacks
    if argument == "validation_split" and isinstance(value, (int, float)) \
            and not isinstance(value, bool) and 0 <= value < 1:
        return  # a valid split
    if argument == "validation_split" and isinstance(value, bool) and not value:
        return  # False == 0: no split
    if argument == "verbose" and value in (0, 1, 2):
        return  # Keras's verbose: True and False are 1 and 0
    if argument == "batch_size" and value is None:
        return  # Keras's default, 32
    model = Sequential([Dense(1, input_dim=2)], seed=0)
    X, y = np.ones((4, 2)), np.ones(4)
    _assert_refused_by_neuralkit(lambda: model.fit(X, y, **{argument: value}))


# ---------------------------------------------------------------- damaged metadata
_SAVED = {}


def _saved_contents():
    """The arrays and metadata of one saved model (made once)."""
    if not _SAVED:
        import json

        model = Sequential([Dense(3, input_dim=2), LeakyReLU(0.2), Dense(2), Softmax()], seed=0)
        model.compile("categorical_crossentropy", Adam(), ["accuracy"])
        model.fit(np.ones((4, 2)), np.array([0, 1, 0, 1]), epochs=1, verbose=0)
        with tempfile.TemporaryDirectory() as folder:
            with np.load(model.save(os.path.join(folder, "m.npz")), allow_pickle=False) as archive:
                _SAVED.update({k: archive[k] for k in archive.files})
        _SAVED["metadata"] = json.loads(_SAVED.pop("__neuralkit__").tobytes())
    return _SAVED


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**20) | st.floats(allow_nan=True)
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=6)


@MANY
@given(data=st.data())
def test_any_damage_to_the_metadata_gives_a_model_file_error(data):
    import json

    with tempfile.TemporaryDirectory() as folder:
        saved = _saved_contents()
        arrays = {k: v for k, v in saved.items() if k != "metadata"}
        metadata = json.loads(json.dumps(saved["metadata"]))  # a deep copy
        where = data.draw(st.sampled_from(list(_paths(metadata))[1:]))
        node = metadata
        for key in where[:-1]:
            node = node[key]
        if data.draw(st.booleans()) and isinstance(node, dict):
            del node[where[-1]]
        else:
            node[where[-1]] = data.draw(JSON_VALUES)
        arrays["__neuralkit__"] = np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8)
        damaged = os.path.join(folder, "damaged.npz")
        with open(damaged, "wb") as file:
            np.savez(file, **arrays)
        try:
            load_model(damaged)
        except neuralkit.ModelFileError as exc:
            assert "damaged.npz" in str(exc)
