"""Keras 3's activations SELU, Softsign, ReLU6, HardSigmoid, Mish and Exponential.

Oracles, never the code under test: Keras 3's formulas written with other NumPy functions where
there are any (SELU's exp(z) - 1 as 2 exp(z/2) sinh(z/2), Mish's derivative in its closed form
in exponentials), PyTorch's functions and autograd, mpmath at 50 digits, finite differences
(``gradcheck``, the course's 1e-7), the looped twins (1e-12) and ONNX Runtime. The stability
checks under ``np.errstate(all="raise")`` are tests/test_activations_keras.py's, which
enumerate these layers with the others; Exponential's overflow is checked here.
"""

from __future__ import annotations

import ast
import inspect
import math
import textwrap

import numpy as np
import pytest

import neuralkit
from neuralkit import Sequential, activations, gradcheck
from neuralkit.layers import (
    SELU,
    Activation,
    Dense,
    Exponential,
    HardSigmoid,
    Mish,
    ReLU6,
    Softsign,
)
from neuralkit.layers import activations as registry
from neuralkit.reference import (
    LoopExponential,
    LoopHardSigmoid,
    LoopMish,
    LoopReLU6,
    LoopSELU,
    LoopSoftsign,
    more_layers,
)
from tests.test_activations_keras import _ALLOWED_NP, _grid, _values

# SELU's constants as PyTorch and Keras's backends write them.
ALPHA = 1.6732632423543772848170429916717
SCALE = 1.0507009873554804934193349852946


def selu_oracle(z):
    negative = np.minimum(z, 0) / 2
    return SCALE * np.where(z > 0, z, 2 * ALPHA * np.exp(negative) * np.sinh(negative))


def mish_grad_oracle(z):
    # d/dz z tanh(log(1 + e^z)) = e^z w / delta^2 (Misra, 2019), for |z| <= 40 here.
    e = np.exp(z)
    w = 4 * (z + 1) + 4 * e * e + e ** 3 + e * (4 * z + 6)
    delta = 2 * e + e * e + 2
    return e * w / (delta * delta)


#: name -> (layer class, looped twin, A oracle, dA/dZ oracle)
CASES = {
    "selu": (SELU, LoopSELU, selu_oracle,
             lambda z: SCALE * np.where(z > 0, 1.0, ALPHA * np.exp(np.minimum(z, 0)))),
    "softsign": (Softsign, LoopSoftsign, lambda z: np.sign(z) * (1 - 1 / (1 + np.abs(z))),
                 lambda z: (1 + np.abs(z)) ** -2.0),
    "relu6": (ReLU6, LoopReLU6, lambda z: np.clip(z, 0, 6), lambda z: ((z > 0) & (z < 6)) * 1.0),
    "hard_sigmoid": (HardSigmoid, LoopHardSigmoid, lambda z: np.clip(z / 6 + 0.5, 0, 1),
                     lambda z: ((z > -3) & (z < 3)) / 6),
    "mish": (Mish, LoopMish, lambda z: z * np.tanh(np.log1p(np.exp(z))), mish_grad_oracle),
    "exponential": (Exponential, LoopExponential, np.exp, np.exp),
}


# ---------------------------------------------------------------------- names
@pytest.mark.parametrize("name", CASES)
def test_keras_strings_functions_and_activation_make_the_layer(name):
    cls = CASES[name][0]
    assert registry.ACTIVATIONS[name] is cls and getattr(neuralkit.layers, cls.__name__) is cls
    dense = Dense(3, activation=name.upper())
    assert type(dense.activation) is cls
    assert type(Activation(name)) is cls
    assert type(Dense(3, activation=getattr(activations, name)).activation) is cls
    assert activations.get(name) is getattr(activations, name)


def test_default_names_follow_keras_snake_case():
    assert [c().name for c in (SELU, Softsign, ReLU6, HardSigmoid, Mish, Exponential)] == [
        "selu", "softsign", "re_lu6", "hard_sigmoid", "mish", "exponential"]


# ---------------------------------------------------------------------- values
@pytest.mark.parametrize("name", CASES)
def test_values_and_derivatives_against_formulas(name):
    cls, _, value, derivative = CASES[name]
    Z = _values()
    layer = cls()
    A = layer.forward(Z)
    dZ = layer.backward(np.ones_like(Z))
    dA = np.random.default_rng(0).standard_normal(Z.shape)
    dZ_scaled = layer.backward(dA)
    for got, want in ((A, value(Z)), (dZ, derivative(Z)), (dZ_scaled, dA * derivative(Z))):
        # atol for Mish's derivative at its root near -1.19, where rounding is all there is.
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("name", CASES)
def test_values_and_derivatives_against_pytorch(name):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    function = {"selu": F.selu, "softsign": F.softsign, "relu6": F.relu6,
                "hard_sigmoid": F.hardsigmoid, "mish": F.mish, "exponential": torch.exp}[name]
    Z = _values()
    z = torch.tensor(Z, requires_grad=True)
    function(z).backward(torch.ones_like(z))
    layer = CASES[name][0]()
    # PyTorch's hardsigmoid rounds (z + 3) / 6, Keras's z / 6 + 1/2: 1 ulp apart. Its float64
    # backward multiplies by 1/6 rounded to float32 (0.16666667163...), 3e-8 off 1/6 (the
    # formula oracle above checks 1/6 itself to 1e-13).
    rtol = 5e-8 if name == "hard_sigmoid" else 1e-14
    np.testing.assert_allclose(layer.forward(Z), function(z).detach().numpy(), rtol=1e-14,
                               atol=1e-16)
    np.testing.assert_allclose(layer.backward(np.ones_like(Z)), z.grad.numpy(), rtol=rtol,
                               atol=1e-15)


def test_values_and_derivatives_against_mpmath():
    mp = pytest.importorskip("mpmath").mp
    mp.dps = 50
    alpha, scale = mp.mpf("1.6732632423543772848170429916717"), mp.mpf(
        "1.0507009873554804934193349852946")

    def softplus(z):
        return mp.log1p(mp.exp(z))

    exact = {
        "selu": (lambda z: scale * (z if z > 0 else alpha * mp.expm1(z)),
                 lambda z: scale * (1 if z > 0 else alpha * mp.exp(z))),
        "softsign": (lambda z: z / (1 + abs(z)), lambda z: 1 / (1 + abs(z)) ** 2),
        "mish": (lambda z: z * mp.tanh(softplus(z)),
                 lambda z: mp.tanh(softplus(z)) + z * mp.sech(softplus(z)) ** 2 / (1 + mp.exp(-z))),
        "exponential": (mp.exp, mp.exp),
    }
    z = [-30, -12.5, -5, -2, -1, -0.3, -1e-8, 1e-8, 0.3, 1, 2, 5, 12.5, 30]
    Z = np.array([z])
    for name, (value, derivative) in exact.items():
        layer = CASES[name][0]()
        A, dZ = layer.forward(Z), layer.backward(np.ones_like(Z))
        np.testing.assert_allclose(A[0], [float(value(mp.mpf(v))) for v in z], rtol=1e-14,
                                   err_msg=name)
        np.testing.assert_allclose(dZ[0], [float(derivative(mp.mpf(v))) for v in z], rtol=1e-14,
                                   err_msg=name)


def test_saturated_limits_are_exact():
    for dtype, big in ((np.float32, 1e38), (np.float64, 1e300)):
        Z = np.array([[-big, big, -1000.0, 1000.0]], dtype)
        expected = {
            "softsign": ([-1, 1, -1000 / 1001, 1000 / 1001], [0, 0, 1 / 1001 ** 2, 1 / 1001 ** 2]),
            "relu6": ([0, 6, 0, 6], [0, 0, 0, 0]),
            "hard_sigmoid": ([0, 1, 0, 1], [0, 0, 0, 0]),
            "mish": ([0, big, 0, 1000], [0, 1, 0, 1]),
            "selu": ([-SCALE * ALPHA, SCALE * big, -SCALE * ALPHA, SCALE * 1000],
                     [0, SCALE, 0, SCALE]),
        }
        rtol = np.finfo(dtype).eps
        for name, (A, dZ) in expected.items():
            layer = CASES[name][0]()
            with np.errstate(all="raise"):
                got_A, got_dZ = layer.forward(Z), layer.backward(np.ones_like(Z))
            np.testing.assert_allclose(got_A, [A], rtol=rtol, atol=0, err_msg=name)
            np.testing.assert_allclose(got_dZ, [dZ], rtol=rtol, atol=0, err_msg=name)
            assert got_A.dtype == dtype and got_dZ.dtype == dtype


@pytest.mark.parametrize("name", CASES)
def test_float32_in_float32_out_close_to_float64(name):
    cls = CASES[name][0]
    Z = _values()
    layer32, layer64 = cls(), cls()
    A = layer32.forward(Z.astype(np.float32))
    dZ = layer32.backward(np.ones_like(A))
    assert A.dtype == np.float32 and dZ.dtype == np.float32
    np.testing.assert_allclose(A, layer64.forward(Z), rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(dZ, layer64.backward(np.ones_like(Z)), rtol=2e-6, atol=1e-6)


# ---------------------------------------------------------------------- Exponential's overflow
@pytest.mark.parametrize("dtype, z", [(np.float32, 89.0), (np.float64, 710.0)])
def test_exponential_overflows_to_inf_as_np_exp_does(dtype, z):
    Z = np.array([[z, -z, 1.0]], dtype)
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow"):
        Exponential().forward(Z)
    with np.errstate(over="warn"), pytest.warns(RuntimeWarning, match="overflow"):
        Exponential().forward(Z)
    layer = Exponential()
    with np.errstate(over="ignore"):
        A = layer.forward(Z)
    with np.errstate(all="raise"):
        dZ = layer.backward(np.ones_like(Z))
    assert A[0, 0] == np.inf and dZ[0, 0] == np.inf
    # exp(-89) is a float32 subnormal: to its spacing, 1.4e-45.
    np.testing.assert_allclose(A[0, 1:], [math.exp(-z), math.e], rtol=1e-6,
                               atol=np.finfo(dtype).smallest_subnormal)
    # Just below the range: finite, and nothing signalled.
    below = np.array([[np.log(np.finfo(dtype).max) - 1e-3]], dtype)
    with np.errstate(all="raise"):
        assert np.isfinite(Exponential().forward(below)).all()


def test_looped_exponential_gives_the_same_inf():
    Z = np.array([[800.0, 1.0]])
    with np.errstate(all="raise"):  # math.exp's OverflowError becomes inf, quietly
        A = LoopExponential().forward(Z)
    assert A[0, 0] == np.inf and A[0, 1] == math.e
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow"):
        LoopExponential().forward(np.array([[89.0]], np.float32))  # the cast into float32


# ---------------------------------------------------------------------- gradients
def _away_from_kinks(seed, scale, shape=(6, 5)):
    Z = np.random.default_rng(seed).standard_normal(shape) * scale
    for kink in (0.0, -3.0, 3.0, 6.0):  # ReLU6's and HardSigmoid's
        Z[np.abs(Z - kink) < 0.05] = kink + 0.5
    return Z


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("looped", [False, True], ids=["vectorized", "looped"])
def test_gradient_check(name, looped):
    layer = CASES[name][1 if looped else 0]()
    for seed, scale in ((0, 2.0), (1, 5.0)):
        errors = gradcheck.check_layer(layer, _away_from_kinks(seed, scale))
        assert set(errors) == {"X"} and errors["X"] < gradcheck.TOLERANCE == 1e-7


# ---------------------------------------------------------------------- looped twins
@pytest.mark.parametrize("name", CASES)
def test_looped_twin_agrees_with_vectorized_to_1e_12(name):
    cls, loop_cls = CASES[name][:2]
    loop, vec = loop_cls(), cls()
    assert isinstance(loop, cls)
    assert loop.get_config() | {"name": None} == vec.get_config() | {"name": None}
    with np.errstate(over="ignore"):  # Exponential's inf beyond exp's range, in both
        for Z in (_grid(np.float64), _values().reshape(2, -1)):
            dA = np.random.default_rng(1).standard_normal(Z.shape)
            np.testing.assert_allclose(loop.forward(Z), vec.forward(Z), rtol=1e-12, atol=1e-300)
            np.testing.assert_allclose(loop.backward(dA), vec.backward(dA), rtol=1e-12,
                                       atol=1e-300)
    Z32 = _values(np.float32).reshape(2, -1)
    A32 = loop.forward(Z32)
    assert A32.dtype == np.float32 and loop.backward(np.ones_like(Z32)).dtype == np.float32
    np.testing.assert_allclose(A32, vec.forward(Z32), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("func", [f for _, cls in inspect.getmembers(more_layers, inspect.isclass)
                                  if cls.__module__ == more_layers.__name__
                                  for f in vars(cls).values() if inspect.isfunction(f)],
                         ids=lambda f: f.__qualname__)
def test_looped_twins_really_loop(func):
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)), "uses @"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "np":
            assert node.attr in _ALLOWED_NP, f"uses np.{node.attr}"
    assert any(isinstance(node, ast.For) for node in ast.walk(tree)), "no for-loop"


# ---------------------------------------------------------------------- ONNX
ONNX_TOLERANCE = {"float32": 1e-6, "float64": 1e-12}
#: The operator each one is in float32 (in float64 too for Clip and Exp; opset 13 has no Mish).
NATIVE = {"selu": "Selu", "softsign": "Softsign", "hard_sigmoid": "HardSigmoid", "relu6": "Clip",
          "mish": "Tanh", "exponential": "Exp"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", CASES)
def test_onnxruntime_matches_predict(tmp_path, name, dtype):
    ort = pytest.importorskip("onnxruntime")
    from neuralkit.export import to_onnx

    cls = CASES[name][0]
    rng = np.random.default_rng(0)
    model = Sequential([Dense(6, input_dim=3), cls(), Dense(4), cls()], seed=0, dtype=dtype)
    model.compile(loss="mse", optimizer="adam")
    model.fit(rng.standard_normal((64, 3)), rng.standard_normal((64, 4)), epochs=2, verbose=0)
    path = tmp_path / "model.onnx"
    ops = {node.op_type for node in to_onnx(model, path).graph.node}
    assert (NATIVE[name] in ops) == (dtype == "float32" or name in ("relu6", "exponential", "mish"))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    tol = ONNX_TOLERANCE[dtype]
    scales = (1.0, 3.0) if name == "exponential" else (1.0, 3.0, 30.0, 3000.0)  # saturation
    for m, scale in zip((1, 7, 300, 50), scales, strict=False):
        X = (scale * rng.standard_normal((m, 3))).astype(dtype)
        out = session.run(["Y"], {"X": X})[0]
        assert out.dtype == np.dtype(dtype) and out.shape == (m, 4)
        expected = model.predict(X, verbose=0)
        if name == "exponential":
            # exp turns the runtimes' different roundings of the Z before it (Gemm's) into
            # relative errors |Z| times larger: compared as logs, that is as those Z.
            out, expected = np.log(out), np.log(expected)
        np.testing.assert_allclose(out, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_onnx_activation_values_on_a_grid(tmp_path, dtype):
    # Each converter alone, through an identity Dense, on the saturating grid (Exponential's
    # inf beyond exp's range in both).
    ort = pytest.importorskip("onnxruntime")
    from neuralkit.export import to_onnx

    Z = np.concatenate([_grid(np.dtype(dtype).type).ravel(), [2.9999, -2.9999, 5.9999, 6.0001]])
    Z = np.resize(Z, (len(Z) + 3) // 4 * 4).reshape(-1, 4).astype(dtype)
    for name, (cls, *_) in CASES.items():
        model = Sequential([Dense(4, input_dim=4), cls()], seed=0, dtype=dtype)
        model.set_parameters({"W1": np.eye(4), "b1": np.zeros((4, 1))})
        path = tmp_path / f"{name}.onnx"
        to_onnx(model, path)
        out = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(
            ["Y"], {"X": Z})[0]
        with np.errstate(over="ignore"):
            expected = model.predict(Z, verbose=0)
        tol = ONNX_TOLERANCE[dtype]
        np.testing.assert_allclose(out, expected, rtol=tol, atol=tol, err_msg=name)
