"""Determinism: one seed, one result, bit for bit, in this process and in another one."""

import json
from pathlib import Path

import numpy as np
import pytest

import neuralkit
from tests.helpers import python_env, run_python

# Trains with a seed and prints a fingerprint of the parameters (their exact bytes) and of the
# History (floats as their exact repr). Run here and in a fresh interpreter.
SCRIPT = """
import hashlib, json
import numpy as np
from neuralkit import Sequential
from neuralkit.layers import Dense, LeakyReLU, ReLU, Softmax, Tanh
from neuralkit.optimizers import Adam

def fingerprint(dtype, seed):
    data = np.random.default_rng(123)
    X = data.standard_normal((90, 5))
    y = (X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5).astype(int)
    model = Sequential([Dense(16), ReLU(), Dense(8), LeakyReLU(0.1), Dense(6), Tanh(), Dense(3),
                        Softmax()], seed=seed, dtype=dtype)
    model.compile("categorical_crossentropy", Adam(0.01), ["accuracy"])
    history = model.fit(X, y, epochs=4, batch_size=16, validation_split=0.2, verbose=0)
    digest = hashlib.sha256()
    for layer in model.layers:
        for name, value in layer.params.items():
            digest.update(name.encode())
            digest.update(value.tobytes())
    return {"params": digest.hexdigest(),
            "history": json.dumps({k: [repr(v) for v in vs] for k, vs in history.history.items()})}

if __name__ == "__main__":
    print(json.dumps({dtype: fingerprint(dtype, 7) for dtype in ("float64", "float32")}))
"""


def _run_here():
    namespace = {"__name__": "in_process"}
    exec(compile(SCRIPT, "<determinism>", "exec"), namespace)
    fingerprint = namespace["fingerprint"]
    return {dtype: fingerprint(dtype, 7) for dtype in ("float64", "float32")}, fingerprint


def test_same_seed_same_parameters_and_history_in_one_process():
    result, fingerprint = _run_here()
    for dtype in ("float64", "float32"):
        again = fingerprint(dtype, 7)
        assert again == result[dtype]
        assert fingerprint(dtype, 8)["params"] != again["params"]  # the seed matters


def test_same_seed_same_parameters_and_history_in_another_process(tmp_path):
    result, _ = _run_here()
    root = Path(neuralkit.__file__).resolve().parent.parent  # the neuralkit imported here
    done = run_python(["-c", SCRIPT], cwd=tmp_path, env=python_env(root, PYTHONHASHSEED="12345"))
    other = json.loads(done.stdout)
    assert other == result
    assert other["float32"]["params"] != other["float64"]["params"]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_fit_never_touches_numpy_global_random_state(dtype):
    state = np.random.get_state()
    _, fingerprint = _run_here()
    fingerprint(dtype, 1)
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]
