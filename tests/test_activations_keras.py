"""Keras 3's activations: ELU, GELU, Softplus, Swish/SiLU, the registry of names and ``Activation``
(SELU, Softsign, ReLU6, HardSigmoid, Mish and Exponential: tests/test_more_activations.py).

Oracles, never the code under test: the formulas written with other SciPy/NumPy functions
(``ndtr``, ``erf``, ``sinh``, ``log1p(exp)``, the tanh form of the approximate GELU), mpmath at
1000 digits and PyTorch when they are importable, finite differences (``gradcheck``, the course's
1e-7), the looped twins (1e-12) and ONNX Runtime. Every activation, old and new, runs forward
and backward on saturating inputs under ``np.errstate(all="raise")``.
"""

from __future__ import annotations

import ast
import inspect
import math
import textwrap

import numpy as np
import pytest
from scipy.special import erf, expit, ndtr

import neuralkit
from neuralkit import Sequential, config, gradcheck, load_model
from neuralkit.layers import (
    ELU,
    GELU,
    SELU,
    Activation,
    Dense,
    Exponential,
    HardSigmoid,
    Layer,
    LeakyReLU,
    Linear,
    Mish,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Softsign,
    Swish,
    Tanh,
    activations,
)
from neuralkit.reference import (
    LoopELU,
    LoopExponential,
    LoopGELU,
    LoopHardSigmoid,
    LoopLeakyReLU,
    LoopLinear,
    LoopMish,
    LoopReLU,
    LoopReLU6,
    LoopSELU,
    LoopSigmoid,
    LoopSoftmax,
    LoopSoftplus,
    LoopSoftsign,
    LoopSwish,
    LoopTanh,
    smooth_layers,
)

C = math.sqrt(2 / math.pi)  # the tanh approximation's constants, as Keras writes them
K = 0.044715


# ---------------------------------------------------------------------- oracles
def elu_oracle(z, alpha):
    # alpha (exp(z) - 1) = 2 alpha exp(z/2) sinh(z/2): no cancellation near 0, another function.
    return np.where(z > 0, z, 2 * alpha * np.exp(np.minimum(z, 0) / 2) * np.sinh(np.minimum(z, 0) / 2))


def elu_grad_oracle(z, alpha):
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0)))


def gelu_oracle(z):
    return z * ndtr(z)


def gelu_grad_oracle(z):
    return ndtr(z) + z * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def gelu_keras_erf(z):
    return 0.5 * z * (1 + erf(z / math.sqrt(2)))


def gelu_tanh_oracle(z):
    return 0.5 * z * (1 + np.tanh(C * (z + K * z ** 3)))


def gelu_tanh_grad_oracle(z):
    t = np.tanh(C * (z + K * z ** 3))
    return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * C * (1 + 3 * K * z * z)


def softplus_oracle(z):
    return np.where(z > 0, z + np.log1p(np.exp(-np.abs(z))), np.log1p(np.exp(np.minimum(z, 0))))


def swish_oracle(z):
    return z * expit(z)


def swish_grad_oracle(z):
    s = expit(z)
    return s + z * s * (1 - s)


#: name -> (make the layer, A oracle, dA/dZ oracle)
SMOOTH = {
    "elu": (lambda: ELU(), lambda z: elu_oracle(z, 1.0), lambda z: elu_grad_oracle(z, 1.0)),
    "elu_0.3": (lambda: ELU(alpha=0.3), lambda z: elu_oracle(z, 0.3),
                lambda z: elu_grad_oracle(z, 0.3)),
    "gelu": (GELU, gelu_oracle, gelu_grad_oracle),
    "gelu_tanh": (lambda: GELU(approximate=True), gelu_tanh_oracle, gelu_tanh_grad_oracle),
    "softplus": (Softplus, softplus_oracle, expit),
    "swish": (Swish, swish_oracle, swish_grad_oracle),
}

# Every activation, vectorized and looped, for the stability checks.
VECTORIZED = {"linear": Linear, "relu": ReLU, "leaky_relu": lambda: LeakyReLU(0.2),
              "sigmoid": Sigmoid, "tanh": Tanh, "softmax": Softmax, "elu": lambda: ELU(0.5),
              "gelu": GELU, "gelu_tanh": lambda: GELU(approximate=True), "softplus": Softplus,
              "swish": Swish, "selu": SELU, "softsign": Softsign, "relu6": ReLU6,
              "hard_sigmoid": HardSigmoid, "mish": Mish, "exponential": Exponential}
LOOPED = {"linear": LoopLinear, "relu": LoopReLU, "leaky_relu": lambda: LoopLeakyReLU(0.2),
          "sigmoid": LoopSigmoid, "tanh": LoopTanh, "softmax": LoopSoftmax,
          "elu": lambda: LoopELU(0.5), "gelu": LoopGELU,
          "gelu_tanh": lambda: LoopGELU(approximate=True), "softplus": LoopSoftplus,
          "swish": LoopSwish, "selu": LoopSELU, "softsign": LoopSoftsign, "relu6": LoopReLU6,
          "hard_sigmoid": LoopHardSigmoid, "mish": LoopMish, "exponential": LoopExponential}
EVERY = {**VECTORIZED, **{f"loop_{k}": v for k, v in LOOPED.items()}}


def _grid(dtype):
    """Saturating, moderate, tiny and zero inputs of both signs, as a (m, 40) array."""
    finfo = np.finfo(dtype)
    magnitudes = np.concatenate([
        [0.0, 1e-30, 1e-3, 0.5, 1, 3, 5, 10, 14, 20, 30, 38, 40, 45, 50, 80, 87, 88, 89, 90, 100,
         103, 104, 200, 354, 500, 700, 708, 709, 710, 740, 745, 746, 800, 1000, 3000, 1e4],
        np.geomspace(1e-3, 1e4, 43),
    ])
    values = np.concatenate([magnitudes, -magnitudes, [finfo.tiny, -finfo.tiny]])
    values = values[np.isfinite(values.astype(dtype))].astype(dtype)
    values = np.resize(values, (len(values) + 39) // 40 * 40).reshape(-1, 40)
    return np.random.default_rng(0).permuted(values, axis=1)  # Softmax rows mix magnitudes


# ---------------------------------------------------------------------- names and Activation
@pytest.mark.parametrize("name, cls", [
    ("relu", ReLU), ("sigmoid", Sigmoid), ("tanh", Tanh), ("softmax", Softmax),
    ("linear", Linear), ("leaky_relu", LeakyReLU), ("elu", ELU), ("gelu", GELU),
    ("softplus", Softplus), ("swish", Swish), ("silu", Swish), ("selu", SELU),
    ("softsign", Softsign), ("relu6", ReLU6), ("hard_sigmoid", HardSigmoid), ("mish", Mish),
    ("exponential", Exponential)])
def test_keras_names_make_their_layers(name, cls):
    assert activations.ACTIVATIONS[name] is cls
    for identifier in (name, name.upper()):
        assert type(activations.get(identifier)) is cls
        layer = Activation(identifier)
        assert type(layer) is cls and layer.name == neuralkit.layers.base._snake_case(cls.__name__)
    assert type(Activation(cls)) is cls


def test_silu_is_swish_and_defaults_are_keras_defaults():
    assert SiLU is Swish and type(Activation("silu")) is Swish
    assert ELU().alpha == 1.0 and GELU().approximate is False
    assert activations.get("gelu").approximate is False


def test_activation_returns_a_given_layer_and_passes_arguments_through():
    relu = ReLU()
    assert Activation(relu) is relu
    assert Activation(relu, name="hidden") is relu and relu.name == "hidden"
    assert Activation("relu", name="r1").name == "r1"
    elu = Activation("elu", name="e", alpha=0.5, input_dim=3)
    assert type(elu) is ELU and elu.alpha == 0.5 and elu.input_dim == 3 and elu.name == "e"
    assert type(Activation(None)) is Linear
    with pytest.raises(TypeError, match=r"not with a layer instance.*got \['alpha'\]"):
        Activation(ELU(), alpha=2.0)
    with pytest.raises(TypeError, match="name must be a string or None; got int"):
        Activation(ReLU(), name=3)


def test_a_bad_activation_name_raises_the_registry_error():
    with pytest.raises(ValueError, match=r"activation must be .*'gelu'.*did you mean 'gelu'\?\); "
                                         r"got 'gelux'"):
        Activation("gelux")
    with pytest.raises(ValueError, match=r"did you mean 'swish'"):
        activations.get("swissh")
    with pytest.raises(ValueError, match="got 3"):
        Activation(3)


@pytest.mark.parametrize("fast", [True, False])
def test_activation_softmax_trains_exactly_as_softmax_fused_with_the_cross_entropy(fast):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 4)), rng.integers(0, 3, 40)
    runs = []
    previous = config.set_fast_paths(fast)
    try:
        for output in (Softmax(), Activation("softmax")):
            model = Sequential([Dense(5, input_dim=4), Activation("gelu"), Dense(3), output], seed=1)
            model.compile(loss="categorical_crossentropy", optimizer="adam")
            assert model.loss.fuses_with(model.layers[-1])
            history = model.fit(X, y, epochs=3, batch_size=16, verbose=0)
            runs.append((history.history["loss"], model.get_parameters()))
    finally:
        config.set_fast_paths(previous)
    (loss_a, params_a), (loss_b, params_b) = runs
    assert loss_a == loss_b
    assert all(np.array_equal(params_a[k], params_b[k]) for k in params_a)


# ---------------------------------------------------------------------- values
def _values(dtype=np.float64):
    z = np.concatenate([np.linspace(-12, 12, 97), [-40, -30, -20, 20, 30, 40, 1e-9, -1e-9, 0.0]])
    return z.reshape(-1, 2).astype(dtype)


@pytest.mark.parametrize("name", SMOOTH)
def test_values_and_derivatives_against_scipy_formulas(name):
    make, value, derivative = SMOOTH[name]
    Z = _values()
    layer = make()
    A = layer.forward(Z)
    dZ = layer.backward(np.ones_like(Z))
    dA = np.random.default_rng(0).standard_normal(Z.shape)  # backward scales by dA
    dZ_scaled = layer.backward(dA)
    # The tanh form's oracle, Keras's literal 0.5 Z (1 + tanh(u)), cancels for Z < -3 (|error|
    # up to ~|Z| eps): there it is checked in absolute terms; the tail's relative values are
    # checked against mpmath, below.
    exact = Z >= (-3 if name == "gelu_tanh" else -np.inf)
    for got, want in ((A, value(Z)), (dZ, derivative(Z)), (dZ_scaled, dA * derivative(Z))):
        np.testing.assert_allclose(got[exact], want[exact], rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14)


def test_gelu_is_keras_erf_formula_and_its_tanh_form_keras_tanh_formula():
    Z = _values()
    # Keras's literal formulas lose relative accuracy where 1 + erf and 1 + tanh cancel (Z < 0):
    # there they agree in absolute terms.
    np.testing.assert_allclose(GELU().forward(Z), gelu_keras_erf(Z), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(GELU(approximate=True).forward(Z), gelu_tanh_oracle(Z), rtol=1e-13,
                               atol=1e-15)
    right = Z[Z > -2].reshape(1, -1)
    np.testing.assert_allclose(GELU().forward(right), gelu_keras_erf(right), rtol=1e-13)
    # The approximation is within 1e-3 of the exact GELU everywhere.
    np.testing.assert_allclose(GELU(True).forward(Z), GELU().forward(Z), rtol=0, atol=1e-3)


def test_saturated_limits_are_exact():
    Z = np.array([[-1e4, 1e4, -1000.0, 1000.0]])
    expected = {
        "elu": ([-1.0, 1e4, -1.0, 1000.0], [0.0, 1.0, 0.0, 1.0]),
        "gelu": ([0.0, 1e4, 0.0, 1000.0], [0.0, 1.0, 0.0, 1.0]),
        "gelu_tanh": ([0.0, 1e4, 0.0, 1000.0], [0.0, 1.0, 0.0, 1.0]),
        "softplus": ([0.0, 1e4, 0.0, 1000.0], [0.0, 1.0, 0.0, 1.0]),
        "swish": ([0.0, 1e4, 0.0, 1000.0], [0.0, 1.0, 0.0, 1.0]),
    }
    for name, (A, dZ) in expected.items():
        for dtype in (np.float32, np.float64):
            layer = SMOOTH[name][0]()
            assert np.array_equal(layer.forward(Z.astype(dtype)), np.array([A], dtype)), name
            assert np.array_equal(layer.backward(np.ones((1, 4), dtype)), np.array([dZ], dtype)), name


def _mpmath_functions(mp):
    def sigma(z):
        return 1 / (1 + mp.exp(-z))

    def tanh_parts(z):
        t = mp.tanh(mp.sqrt(2 / mp.pi) * (z + mp.mpf(K) * z ** 3))
        return t

    return {
        "elu": (lambda z: z if z > 0 else mp.expm1(z), lambda z: 1 if z > 0 else mp.exp(z)),
        "elu_0.3": (lambda z: z if z > 0 else mp.mpf("0.3") * mp.expm1(z),
                    lambda z: 1 if z > 0 else mp.mpf("0.3") * mp.exp(z)),
        "gelu": (lambda z: z * mp.ncdf(z), lambda z: mp.ncdf(z) + z * mp.npdf(z)),
        "gelu_tanh": (
            lambda z: z * (1 + tanh_parts(z)) / 2,
            lambda z: (1 + tanh_parts(z)) / 2 + z * (1 - tanh_parts(z) ** 2) / 2
            * mp.sqrt(2 / mp.pi) * (1 + 3 * mp.mpf(K) * z ** 2)),
        "softplus": (lambda z: mp.log1p(mp.exp(z)), sigma),
        "swish": (lambda z: z * sigma(z), lambda z: sigma(z) * (1 + z * (1 - sigma(z)))),
    }


@pytest.mark.parametrize("name", SMOOTH)
def test_values_and_derivatives_against_mpmath(name):
    mp = pytest.importorskip("mpmath").mp
    mp.dps = 1000  # 1 + tanh(u) is 1e-857 at Z = -30: enough digits to keep it
    value, derivative = _mpmath_functions(mp)[name]
    z = [-30, -12.5, -5, -2, -1, -0.3, -1e-8, 0.0, 1e-8, 0.3, 1, 2, 5, 12.5, 30]
    Z = np.array([z])
    layer = SMOOTH[name][0]()
    A, dZ = layer.forward(Z), layer.backward(np.ones_like(Z))
    expected_A = [float(value(mp.mpf(v))) for v in z]
    expected_dZ = [float(derivative(mp.mpf(v))) for v in z]
    # erfc's relative error grows with its argument (GELU at -30 is 1.5e-196): 2e-13 there.
    np.testing.assert_allclose(A[0], expected_A, rtol=2e-13, atol=1e-300)
    np.testing.assert_allclose(dZ[0], expected_dZ, rtol=2e-13, atol=1e-300)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_matches_pytorch_when_installed(approximate):
    torch = pytest.importorskip("torch")
    Z = _values()
    z = torch.tensor(Z, requires_grad=True)
    out = torch.nn.functional.gelu(z, approximate=approximate)
    out.backward(torch.ones_like(z))
    layer = GELU(approximate=approximate == "tanh")
    # PyTorch computes 1 + erf and 1 + tanh, which cancel for Z < 0: |error| up to ~|Z| eps.
    atol = 1e-15 if approximate == "none" else 1e-14
    np.testing.assert_allclose(layer.forward(Z), out.detach().numpy(), rtol=1e-12, atol=atol)
    np.testing.assert_allclose(layer.backward(np.ones_like(Z)), z.grad.numpy(), rtol=1e-12,
                               atol=atol)


@pytest.mark.parametrize("name", SMOOTH)
def test_float32_in_float32_out_close_to_float64(name):
    layer64, layer32 = SMOOTH[name][0](), SMOOTH[name][0]()
    Z = _values()
    A = layer32.forward(Z.astype(np.float32))
    dZ = layer32.backward(np.ones_like(A))
    assert A.dtype == np.float32 and dZ.dtype == np.float32
    np.testing.assert_allclose(A, layer64.forward(Z), rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(dZ, layer64.backward(np.ones_like(Z)), rtol=2e-6, atol=1e-6)


# ---------------------------------------------------------------------- gradients
def _away_from_zero(seed, shape=(6, 5), scale=2.0):
    Z = np.random.default_rng(seed).standard_normal(shape) * scale
    Z[np.abs(Z) < 0.05] = 0.5  # ELU with alpha != 1 has a kink at 0
    return Z


@pytest.mark.parametrize("name", SMOOTH)
@pytest.mark.parametrize("looped", [False, True], ids=["vectorized", "looped"])
def test_gradient_check(name, looped):
    make = SMOOTH[name][0]
    layer = make()
    if looped:
        twin = {ELU: LoopELU, GELU: LoopGELU, Softplus: LoopSoftplus, Swish: LoopSwish}[type(layer)]
        layer = twin(**{k: v for k, v in layer.get_config().items() if k != "name"})
    for seed, scale in ((0, 2.0), (1, 6.0)):
        errors = gradcheck.check_layer(layer, _away_from_zero(seed, scale=scale))
        assert set(errors) == {"X"} and errors["X"] < gradcheck.TOLERANCE == 1e-7


# ---------------------------------------------------------------------- looped twins
TWINS = [(LoopELU, ELU, {"alpha": 0.7}), (LoopELU, ELU, {}), (LoopGELU, GELU, {}),
         (LoopGELU, GELU, {"approximate": True}), (LoopSoftplus, Softplus, {}),
         (LoopSwish, Swish, {})]


@pytest.mark.parametrize("loop_cls, vec_cls, kwargs", TWINS,
                         ids=[f"{t[0].__name__}{t[2]}" for t in TWINS])
def test_looped_twin_agrees_with_vectorized_to_1e_12(loop_cls, vec_cls, kwargs):
    loop, vec = loop_cls(**kwargs), vec_cls(**kwargs)
    assert isinstance(loop, vec_cls)
    assert loop.get_config() | {"name": None} == vec.get_config() | {"name": None}
    for Z in (_grid(np.float64), _values().reshape(2, -1)):
        dA = np.random.default_rng(1).standard_normal(Z.shape)
        np.testing.assert_allclose(loop.forward(Z), vec.forward(Z), rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(loop.backward(dA), vec.backward(dA), rtol=1e-12, atol=1e-300)
    Z32 = _values(np.float32).reshape(2, -1)
    A32 = loop.forward(Z32)
    assert A32.dtype == np.float32 and loop.backward(np.ones_like(Z32)).dtype == np.float32
    np.testing.assert_allclose(A32, vec.forward(Z32), rtol=1e-6, atol=1e-6)


_ALLOWED_NP = {"empty", "empty_like", "zeros", "result_type", "ndarray"}  # as tests/test_reference


@pytest.mark.parametrize("func", [f for _, cls in inspect.getmembers(smooth_layers, inspect.isclass)
                                  if cls.__module__ == smooth_layers.__name__
                                  for f in vars(cls).values() if inspect.isfunction(f)],
                         ids=lambda f: f.__qualname__)
def test_looped_twins_really_loop(func):
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)), "uses @"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "np":
            assert node.attr in _ALLOWED_NP, f"uses np.{node.attr}"
    assert any(isinstance(node, ast.For) for node in ast.walk(tree)), "no for-loop"


# ---------------------------------------------------------------------- stability
def test_every_exported_activation_is_in_the_stability_checks():
    exported = {getattr(neuralkit.layers, name) for name in neuralkit.layers.__all__}
    activation_classes = {c for c in exported if isinstance(c, type) and issubclass(c, Layer)}
    # Only the activations (the other layers' hard inputs are in their own tests).
    activation_classes = {c for c in activation_classes if c.__module__ in (
        "neuralkit.layers.activations", "neuralkit.layers.smooth_activations",
        "neuralkit.layers.more_activations")}
    assert activation_classes <= {type(make()) for make in VECTORIZED.values()}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", EVERY)
def test_saturating_inputs_raise_nothing_under_errstate_all_raise(name, dtype):
    Z = _grid(dtype)
    if name.endswith("exponential"):
        # exp(Z) is no float beyond log(max) (tests/test_more_activations.py checks that it is
        # inf there, signalled): up to 5 below it, headroom for dZ = dA exp(Z) with |dA| < e^5.
        Z = np.minimum(Z, np.log(np.finfo(dtype).max) - 5)
    rng = np.random.default_rng(2)
    # dA of ones (dZ is then g'(Z) itself), of normal size, and small (1e-20: a tiny gradient
    # times a saturated derivative underflows, and underflow is rounding, not an error).
    for dA in (np.ones_like(Z), rng.standard_normal(Z.shape).astype(dtype),
               (1e-20 * rng.standard_normal(Z.shape)).astype(dtype)):
        layer = EVERY[name]()
        with np.errstate(all="raise"):
            A = layer.forward(Z)
            dZ = layer.backward(dA)
        assert A.dtype == dtype and dZ.dtype == dtype
        assert np.isfinite(A).all() and np.isfinite(dZ).all()


def test_existing_activations_keep_their_numbers_for_normal_inputs():
    # The stability fixes only quiet underflow: same formulas, same bits.
    rng = np.random.default_rng(3)
    Z, dA = rng.standard_normal((8, 5)) * 3, rng.standard_normal((8, 5))
    A = expit(Z)
    assert np.array_equal(Sigmoid().forward(Z), A)
    layer = Sigmoid()
    layer.forward(Z)
    assert np.array_equal(layer.backward(dA), dA * A * (1 - A))
    layer = Tanh()
    T = layer.forward(Z)
    assert np.array_equal(layer.backward(dA), dA * (1 - T * T))
    layer = LeakyReLU(0.2)
    assert np.array_equal(layer.forward(Z), np.where(Z > 0, Z, 0.2 * Z))
    assert np.array_equal(layer.backward(dA), np.where(Z > 0, dA, 0.2 * dA))
    layer = Softmax()
    S = layer.forward(Z)
    assert np.array_equal(layer.backward(dA), S * (dA - np.sum(dA * S, axis=1, keepdims=True)))


# ---------------------------------------------------------------------- saving and configs
def test_configs_and_a_save_load_round_trip(tmp_path):
    layers = [ELU(alpha=0.4), GELU(), GELU(approximate=True, name="gelu_tanh"), Softplus(),
              SiLU(name="silu")]
    assert layers[0].get_config() == {"name": "elu", "alpha": 0.4}
    assert layers[2].get_config() == {"name": "gelu_tanh", "approximate": True}
    stack = [x for layer in layers for x in (Dense(3), layer)]
    model = Sequential([Dense(3, input_dim=2), *stack, Dense(1)], seed=0)
    X = np.random.default_rng(0).standard_normal((10, 2))
    loaded = load_model(model.save(tmp_path / "m.npz"))
    assert [type(x) for x in loaded.layers] == [type(x) for x in model.layers]
    assert [x.get_config() for x in loaded.layers] == [x.get_config() for x in model.layers]
    assert np.array_equal(loaded.predict(X), model.predict(X))


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match=r"alpha must be a finite number >= 0; got -1"):
        ELU(alpha=-1)
    with pytest.raises(TypeError, match=r"alpha must be a number; got 'big'"):
        ELU(alpha="big")
    with pytest.raises(TypeError, match=r"approximate must be True or False; got 'tanh' \(str\)"):
        GELU(approximate="tanh")


# ---------------------------------------------------------------------- ONNX
ONNX_TOLERANCE = {"float32": 1e-6, "float64": 1e-12}
ONNX_LAYERS = {"elu": lambda: ELU(alpha=0.7), "gelu": GELU,
               "gelu_tanh": lambda: GELU(approximate=True), "softplus": Softplus, "swish": Swish}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ONNX_LAYERS)
def test_onnxruntime_matches_predict(tmp_path, name, dtype):
    ort = pytest.importorskip("onnxruntime")
    from neuralkit.export import to_onnx

    rng = np.random.default_rng(0)
    model = Sequential([Dense(6, input_dim=3), ONNX_LAYERS[name](), Dense(4),
                        ONNX_LAYERS[name]()], seed=0, dtype=dtype)
    model.compile(loss="mse", optimizer="adam")
    model.fit(rng.standard_normal((64, 3)), rng.standard_normal((64, 4)), epochs=2, verbose=0)
    path = tmp_path / "model.onnx"
    proto = to_onnx(model, path)
    ops = {node.op_type for node in proto.graph.node}
    native = {"elu": "Elu", "gelu": "Erf", "softplus": "Softplus"}.get(name)
    if native is not None:  # ONNX Runtime has float32 kernels only; float64 uses standard ops
        assert (native in ops) == (dtype == "float32")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    tol = ONNX_TOLERANCE[dtype]
    for m, scale in ((1, 1.0), (7, 3.0), (300, 30.0), (50, 3000.0)):  # up to saturation
        X = (scale * rng.standard_normal((m, 3))).astype(dtype)
        out = session.run(["Y"], {"X": X})[0]
        assert out.dtype == np.dtype(dtype) and out.shape == (m, 4)
        np.testing.assert_allclose(out, model.predict(X), rtol=tol, atol=tol)


def test_onnx_activation_values_on_a_grid(tmp_path):
    # Each converter alone, through an identity Dense, on the saturating grid.
    ort = pytest.importorskip("onnxruntime")
    from neuralkit.export import to_onnx

    for dtype in ("float32", "float64"):
        Z = _grid(np.dtype(dtype).type)
        Z = Z[:, :8].reshape(-1, 4)
        for name, make in ONNX_LAYERS.items():
            model = Sequential([Dense(4, input_dim=4), make()], seed=0, dtype=dtype)
            model.set_parameters({"W1": np.eye(4), "b1": np.zeros((4, 1))})
            path = tmp_path / f"{name}_{dtype}.onnx"
            to_onnx(model, path)
            out = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(
                ["Y"], {"X": Z})[0]
            tol = ONNX_TOLERANCE[dtype]
            np.testing.assert_allclose(out, model.predict(Z), rtol=tol, atol=tol, err_msg=name)
