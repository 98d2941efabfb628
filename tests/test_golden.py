"""Numbers that must not change by accident: each golden run gives its recorded arrays bit for bit.

The recording (``tests/golden/golden.npz``) was made by ``python tests/golden/runs.py``; see
that module for the runs. Bit-for-bit equality is asserted where the libraries and BLAS
kernels are those of the recording (``env.json``); elsewhere the last bits of a matrix
product may differ, and the runs are compared to a tolerance instead. The plain path (fast
paths off, :func:`neuralkit.config.set_fast_paths`) must give the same numbers.
"""

import json

import numpy as np
import pytest

from neuralkit import config
from tests.golden import runs

RECORDED = dict(np.load(runs.GOLDEN, allow_pickle=False))  # our own file, written by runs.py
SAME_MACHINE = json.loads(runs.ENVIRONMENT.read_text()) == runs.environment()


@pytest.fixture(params=[True, False], ids=["fast-paths", "plain-path"])
def fast_paths(request):
    """Each run twice: with the training step's fast paths, and with the plain path only
    (every layer's public forward and backward, the guard's snapshot for every update)."""
    previous = config.set_fast_paths(request.param)
    yield request.param
    config.set_fast_paths(previous)


@pytest.mark.parametrize("name", sorted(runs.RUNS))
def test_golden_run_gives_the_recorded_numbers(name, fast_paths):
    got = runs.compact(runs.RUNS[name]())
    expected = {key[len(name) + 1:]: value for key, value in RECORDED.items()
                if key.startswith(f"{name}/")}
    assert sorted(got) == sorted(expected)
    for key, value in got.items():
        value = np.asarray(value)
        assert value.dtype == expected[key].dtype and value.shape == expected[key].shape, key
        if SAME_MACHINE:
            assert np.array_equal(value, expected[key]), key
        elif not key.endswith("#sha256"):  # a digest of the bits says nothing elsewhere
            tight = value.dtype == np.float64 and f"{name}/{key}" not in runs.SINGLE_PRECISION
            np.testing.assert_allclose(value, expected[key], rtol=1e-6 if tight else 1e-3,
                                       atol=1e-9 if tight else 1e-5, err_msg=key)
