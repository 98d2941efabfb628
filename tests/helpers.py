"""Helpers shared by the test modules: data, small layers, comparisons, and running scripts.

Import them as ``from tests.helpers import ...`` (pytest's pythonpath holds the repository root).
The fixtures built on them are in ``tests/conftest.py``; the course's formulas, the oracle for
neuralkit's numbers, are in ``tests/course_oracle.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from neuralkit.layers import Layer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


# ---------------------------------------------------------------------- the accelerator
def require_accelerator() -> None:
    """At the top of a test module of the compiled accelerator: skip the module when it was not
    built (no C compiler at install), or fail it under NEURALKIT_REQUIRE_ACCELERATOR=1, which
    ``.ci/run`` sets because a C compiler is there."""
    import pytest

    from neuralkit.training import accelerator

    if accelerator.built():
        return
    if os.environ.get("NEURALKIT_REQUIRE_ACCELERATOR") == "1":
        pytest.fail("NEURALKIT_REQUIRE_ACCELERATOR=1 but neuralkit._accelerator is not built "
                    "(pip install -e . with a C compiler)", pytrace=False)
    pytest.skip("the accelerator is not built here (no C compiler at install)",
                allow_module_level=True)


# ---------------------------------------------------------------------- data
def binary_data(m, n_x, label, seed=0):
    """X (m, n_x) of standard normals from default_rng(seed), and y = (label(X) > 0) as floats."""
    X = np.random.default_rng(seed).standard_normal((m, n_x))
    return X, (label(X) > 0).astype(float)


def write_catvnoncat(directory, m_train=5, m_test=3, size=64, seed=0):
    """Tiny HDF5 files in the layout of the course's train/test_catvnoncat.h5 (random pixels,
    labels 0, 1, 0, ...). Returns the two paths and the arrays written, by split."""
    import h5py

    rng = np.random.default_rng(seed)
    paths, arrays = [], {}
    for split, m in (("train", m_train), ("test", m_test)):
        x = rng.integers(0, 256, (m, size, size, 3), dtype=np.uint8)
        y = np.arange(m) % 2
        path = Path(directory) / f"{split}_catvnoncat.h5"
        with h5py.File(path, "w") as f:
            f.create_dataset(f"{split}_set_x", data=x)
            f.create_dataset(f"{split}_set_y", data=y)
            f.create_dataset("list_classes", data=np.array([b"non-cat", b"cat"]))
        paths.append(path)
        arrays[split] = (x, y)
    return paths, arrays


# ---------------------------------------------------------------------- layers and generators
class Square(Layer):
    """A = Z**2: no parameters, no constructor arguments (the base get_config is enough)."""

    def forward(self, Z, training=True):
        self.cache = Z
        return Z ** 2

    def backward(self, dA):
        return 2 * self.cache * dA


class Spy(Layer):
    """Identity that records what flows through it: the last forward input and backward
    gradient (copies), and the dtypes of every one."""

    def forward(self, Z, training=True):
        self.cache = None
        self.seen_forward = Z.copy()
        self.forward_dtypes = getattr(self, "forward_dtypes", set()) | {Z.dtype}
        return Z

    def backward(self, dA):
        self.seen_backward = dA.copy()
        self.backward_dtypes = getattr(self, "backward_dtypes", set()) | {dA.dtype}
        return dA


class SameDraws:
    """A generator stand-in whose random() gives the same numbers on every call, so that a
    Dropout mask stays fixed while finite differences perturb the parameters."""

    def __init__(self, seed):
        self.seed = seed

    def random(self, size, dtype=np.float64):
        return np.random.default_rng(self.seed).random(size, dtype=dtype)


# ---------------------------------------------------------------------- comparisons
def layer_params(model):
    """Copies of every layer's parameter arrays, in model order."""
    return [p.copy() for layer in model.layers for p in layer.params.values()]


def same_arrays(a, b):
    """Two lists of arrays, equal in length and entry by entry."""
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def copy_state(optimizer):
    """A copy of the optimizer's per-parameter state (arrays copied, other slots as they are)."""
    return {k: dict((s, v.copy() if isinstance(v, np.ndarray) else v) for s, v in slots.items())
            for k, slots in optimizer.state.items()}


def assert_same_state(a, b):
    """Optimizer states (as copy_state gives them) with the same keys, slots and values."""
    assert sorted(a) == sorted(b)
    for key in a:
        assert sorted(a[key]) == sorted(b[key])
        for slot in a[key]:
            x, y = a[key][slot], b[key][slot]
            assert np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y


def _parameters(model_or_dict):
    return model_or_dict.get_parameters() if hasattr(model_or_dict, "get_parameters") else model_or_dict


def assert_same_parameters(a, b):
    """Two models (or parameter dicts) with the same parameter names, dtypes and values, bit for
    bit."""
    pa, pb = _parameters(a), _parameters(b)
    assert sorted(pa) == sorted(pb)
    for key in pa:
        assert pa[key].dtype == pb[key].dtype
        assert np.array_equal(pa[key], pb[key]), key


def assert_parameters_close(got, expected, rtol, atol=0.0):
    """Two models (or parameter dicts) with the same parameter names and shapes, each array of
    ``got`` within rtol/atol of ``expected``'s (np.testing.assert_allclose)."""
    got, expected = _parameters(got), _parameters(expected)
    assert sorted(got) == sorted(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(got[key], value, rtol=rtol, atol=atol, err_msg=key)


# ---------------------------------------------------------------------- scripts in subprocesses
def python_env(root=ROOT, **extra):
    """os.environ with ``root`` first on PYTHONPATH (the tree under test), plus ``extra``."""
    path = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def run_python(args, *, cwd, timeout=120, env=None):
    """Run ``python *args`` in ``cwd``; assert it succeeded and return the CompletedProcess."""
    result = subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True,
                            text=True, env=python_env() if env is None else env, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result


# ---------------------------------------------------------------------- the repository stays clean
_TOOL_CACHES = {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}


def repository_files(root=ROOT):
    """What a test could have left in the repository: git's untracked and ignored entries
    (``git status --porcelain --ignored``; tool caches left out), or, outside a git checkout,
    the names in the repository's root folder."""
    git = shutil.which("git")
    if git and (root / ".git").exists():
        out = subprocess.run([git, "status", "--porcelain", "-z", "--ignored"], cwd=root,
                             capture_output=True, text=True, check=True).stdout
        entries = {entry[3:] for entry in out.split("\0") if entry[:2] in ("??", "!!")}
    else:
        entries = set(os.listdir(root))
    return {e for e in entries if not _TOOL_CACHES & set(Path(e).parts)}
