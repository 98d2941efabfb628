"""The house rules of the package: no import cycle, small modules, explicit public names,
errors in their leaf module, and the training machinery's contracts (fast-path switch,
restored flags, gradients without the guard, callbacks' hooks, layer shapes)."""

import ast
import importlib
import pkgutil
from pathlib import Path

import numpy as np
import pytest

import neuralkit
from neuralkit import Sequential, config, gradcheck
from neuralkit.callbacks import Callback
from neuralkit.layers import Dense, Layer, ReLU, Sigmoid, Softmax, Tanh
from neuralkit.optimizers import LBFGS, SGD
from neuralkit.training.guard import UpdateGuard
from neuralkit.training.step import TrainStep

PACKAGE = Path(neuralkit.__file__).parent


def _module_file(name):
    parts = name.split(".")[1:]
    path = PACKAGE.joinpath(*parts)
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


# The compiled accelerator (neuralkit/_accelerator.c, when built) has no Python source to read.
MODULES = sorted(m.name for m in pkgutil.walk_packages(neuralkit.__path__, "neuralkit.")
                 if _module_file(m.name).exists())


def _imports(name):
    """Every neuralkit module that ``name`` imports, at its top or inside a function."""
    tree = ast.parse(_module_file(name).read_text())
    package = name if _module_file(name).name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []  # annotations only: never imported at run time
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("neuralkit")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if not module.startswith("neuralkit"):
                continue
            for alias in node.names:  # `from . import losses` imports a module
                candidate = f"{module}.{alias.name}"
                found.add(candidate if candidate in MODULES else module)
    return {m for m in found if m in MODULES and m != name}


def _with_parents(name):
    # Importing neuralkit.a.b runs neuralkit/__init__ and neuralkit/a/__init__ first.
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(2, len(parts) + 1)}


def test_no_import_cycle_at_run_time():
    graph = {name: set().union(*map(_with_parents, _imports(name))) - {name} for name in MODULES}
    # A package's __init__ importing its own submodules is how packages work, not a cycle.
    graph = {name: {m for m in deps if not m.startswith(name + ".")} for name, deps in graph.items()}
    graph["neuralkit"] = set()  # the top level imports everything, by design
    state = {}

    def visit(name, path):
        if state.get(name) == "done":
            return
        if state.get(name) == "open":
            cycle = path[path.index(name):] + [name]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        state[name] = "open"
        for dep in sorted(graph[name]):
            visit(dep, path + [name])
        state[name] = "done"

    for name in MODULES:
        visit(name, [])


def test_no_module_is_over_400_lines():
    sizes = {name: len(_module_file(name).read_text().splitlines()) for name in MODULES}
    assert {name: n for name, n in sizes.items() if n > 400} == {}


@pytest.mark.parametrize("name", MODULES)
def test_every_module_says_what_it_exports(name):
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    for public in module.__all__:
        assert hasattr(module, public), f"{name}.__all__ names {public!r}, which it lacks"
    namespace = {}
    exec(f"from {name} import *", namespace)
    assert "expit" not in namespace and "np" not in namespace


def test_errors_live_in_their_leaf_module():
    for error in (neuralkit.DivergenceError, neuralkit.ModelFileError,
                  neuralkit.gradcheck.GradientCheckError, neuralkit.export.UnsupportedLayerError):
        assert error.__module__ == "neuralkit.errors"
    assert _imports("neuralkit.errors") == set() and _imports("neuralkit._version") == set()
    assert _imports("neuralkit._numerics") == set()


def _classification(m=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 3))
    return X, (X[:, 0] + X[:, 1] > 0).astype(float)


def test_the_plain_path_calls_every_layers_public_methods():
    model = Sequential([Dense(4, input_dim=3), ReLU(), Dense(3), Tanh(), Dense(2), Softmax()])
    model.compile("categorical_crossentropy", SGD(0.1))
    previous = config.set_fast_paths(False)
    try:
        step = TrainStep(model.layers, model.loss, model.optimizer)
    finally:
        config.set_fast_paths(previous)
    forward = [getattr(f, "__self__", None) for f in step.plan.forward_calls]
    backward = [getattr(f, "__self__", None) for f in step.plan.backward_calls]
    assert forward == model.layers[:-1] and backward == model.layers[:-1][::-1]
    assert all(f.__name__ == "forward" for f in step.plan.forward_calls)
    assert not step.plan.loss_makes_output and step.plan.bounded is None
    with pytest.raises(TypeError, match="True or False"):
        config.set_fast_paths("no")


def test_fit_restores_every_layers_needs_input_grad():
    X, y = _classification()
    model = Sequential([Dense(4, input_dim=3), Tanh(), Dense(1), Sigmoid()], seed=0)
    model.fit(X, y, epochs=1, verbose=0)
    assert all(layer.needs_input_grad for layer in model.layers)
    dense = model.layers[0]
    dense.forward(X[:5])
    dA_prev = dense.backward(np.ones((5, 4)))
    np.testing.assert_allclose(dA_prev, np.ones((5, 4)) @ dense.params["W"])


def test_lbfgs_and_the_gradient_check_never_run_the_update_guard(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the update guard ran")

    monkeypatch.setattr(UpdateGuard, "apply", refuse)
    X, y = _classification()
    model = Sequential([Dense(3, input_dim=3), Tanh(), Dense(1), Sigmoid()], seed=0)
    model.compile(optimizer=LBFGS(max_iter=5))
    history = model.fit(X, y, verbose=0)
    assert 1 <= len(history.history["loss"]) <= 5
    errors = gradcheck.check_model(model, X[:6], y[:6])
    assert max(errors.values()) < gradcheck.TOLERANCE


class _Hooks(Callback):
    def __init__(self, quiet=False, fail_at=None):
        super().__init__()
        self.quiet, self.fail_at = quiet, fail_at
        self.interrupted, self.diverged = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.fail_at:
            raise RuntimeError("stop here")

    def on_epoch_interrupted(self, epoch, logs=None):
        self.interrupted.append((epoch, logs))

    def on_divergence(self, error):
        self.diverged.append(error)
        return self.quiet


def test_an_interrupted_epoch_goes_to_every_callbacks_public_hook():
    X, y = _classification()
    model = Sequential([Dense(4, input_dim=3), Tanh(), Dense(1), Sigmoid()], seed=0)
    model.compile(metrics=["accuracy"])
    hooks = _Hooks(fail_at=(1, 2))
    with pytest.raises(RuntimeError, match="stop here"):
        model.fit(X, y, epochs=3, batch_size=8, verbose=0, callbacks=[hooks])
    (epoch, logs), = hooks.interrupted
    assert epoch == 1 and logs["batches"] == 3 and logs["steps"] == 5
    assert set(logs) == {"batches", "steps", "loss", "accuracy"}
    assert model.history.partial_epoch == {"epoch": 1, **logs}


@pytest.mark.parametrize("quiet", [False, True])
def test_a_divergence_goes_to_on_divergence_which_may_end_training_quietly(quiet):
    X, y = _classification()
    model = Sequential([Dense(4, input_dim=3), ReLU(), Dense(1)], seed=0)
    model.compile("mse", SGD(1e3))
    hooks = _Hooks(quiet=quiet)
    if quiet:
        history = model.fit(X, y * 1e6, epochs=20, verbose=0, callbacks=[hooks])
        assert model.stop_training and len(history.epoch) < 20
    else:
        with pytest.raises(neuralkit.DivergenceError):
            model.fit(X, y * 1e6, epochs=20, verbose=0, callbacks=[hooks])
    (error,), = [hooks.diverged]
    assert isinstance(error, neuralkit.DivergenceError)
    assert all(np.isfinite(p).all() for p in model.get_parameters().values())


class _Scale(Layer):
    """A neuralkit 0.1 layer: build(self, input_dim) and compute_output_dim."""

    def build(self, input_dim):
        self.params = {"s": np.ones(int(input_dim), dtype=self.dtype)}
        self.grads = {"s": np.zeros_like(self.params["s"])}
        self.built_with = input_dim
        super().build(input_dim)

    def compute_output_dim(self, input_dim):
        return input_dim

    def forward(self, A, training=True):
        self.cache = A
        return A * self.params["s"]

    def backward(self, dA):
        self.grads["s"][...] = np.sum(dA * self.cache, axis=0)
        return dA * self.params["s"]


class _Pairs(Layer):
    """A layer on the shapes of this version: (n,) in, (n // 2,) out."""

    def build(self, input_shape):
        self.built_with = input_shape
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0] // 2,)

    def forward(self, A, training=True):
        return A[:, ::2] + A[:, 1::2]

    def backward(self, dA):
        return np.repeat(dA, 2, axis=1)


def test_layers_see_shapes_as_tuples_and_layers_of_0_1_still_get_an_int():
    model = Sequential([Dense(6, input_dim=3), _Scale(), _Pairs(), Dense(1), Sigmoid()], seed=0)
    assert model.example_shape == (3,) and model.output_shape == (None, 1)  # Keras: (None, ...)
    assert model.input_shape == (None, 3)
    scale, pairs = model.layers[1], model.layers[2]
    assert scale.built_with == 6 and isinstance(scale.built_with, int)
    assert pairs.built_with == (6,) and pairs.output_shape == (3,) and pairs.output_dim == 3
    assert [row["output_shape"] for row in model.summary(print_fn=lambda s: None)["layers"]] == [
        (None, 6), (None, 6), (None, 3), (None, 1), (None, 1)]
    X, y = _classification()
    model.fit(X, y, epochs=2, verbose=0)
    assert gradcheck.check_model(model, X[:5], y[:5])[f"{scale.name}/s"] < gradcheck.TOLERANCE
    with pytest.raises(ValueError, match=r"build\(self, input_dim\).*shape \(4, 4\)"):
        _Scale()._ensure_built((4, 4))
    with pytest.raises(ValueError, match=r"Dense 'dense' takes examples of n features.*\(4, 4\)"):
        Sequential([Dense(2)]).build((4, 4))
    assert Sequential([Dense(2, input_shape=(5,))]).input_dim == 5
