"""Run-time settings: which path ``fit`` takes through each training step.

The training step has fast paths (arrays reused across batches, activations computed in
place, plain SGD's bounded update; see :mod:`neuralkit.training.fast_paths`). They give the
numbers of the plain path, every layer's public ``forward`` and ``backward`` and the
optimizer's ``step`` under the update guard's snapshot, up to rounding. Turn them off to
read, debug or profile the plain path:

* ``neuralkit.config.set_fast_paths(False)`` in a program, or
* the environment variable ``NEURALKIT_FAST_PATHS=0`` before Python starts.

The compiled accelerator (fused optimizer steps, :mod:`neuralkit.training.accelerator`), when
it was built, gives the NumPy code's numbers bit for bit; it is one of the fast paths, and has
its own switch too:

* ``neuralkit.config.set_accelerator(False)``, or
* ``NEURALKIT_ACCELERATOR=0`` before Python starts.

``neuralkit.show_config()`` prints which paths are on.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

__all__ = ["fast_paths_enabled", "set_fast_paths", "accelerator_enabled", "set_accelerator",
           "set_default_seed", "next_model_seed"]


def _switch(variable: str) -> bool:
    return os.environ.get(variable, "1").strip().lower() not in ("0", "false", "off", "no")


_fast_paths = _switch("NEURALKIT_FAST_PATHS")
_accelerator = _switch("NEURALKIT_ACCELERATOR")


#: Where models made without a seed draw theirs from, once set_default_seed was called.
_seeds: Any = None


def set_default_seed(seed: int | None) -> None:
    """Models made from now on without ``seed=`` take seeds drawn from ``seed`` (in order of
    creation), so a program that sets it once runs the same every time; None undoes it.
    ``neuralkit.utils.set_random_seed`` (Keras's) calls it."""
    global _seeds
    if seed is None:
        _seeds = None
        return
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise TypeError(f"seed must be an integer >= 0 or None; got {seed!r}.")
    _seeds = iter(np.random.SeedSequence(seed).generate_state(1 << 10, dtype=np.uint32))


def next_model_seed() -> int | None:
    """The seed of a model made without one: None (fresh entropy) unless a default was set."""
    if _seeds is None:
        return None
    return int(next(_seeds))


def fast_paths_enabled() -> bool:
    """True when fit takes the training step's fast paths (the default)."""
    return _fast_paths


def set_fast_paths(enabled: bool) -> bool:
    """Turn the fast paths on or off for the fits that start from now on; returns the old value."""
    global _fast_paths
    if not isinstance(enabled, bool):
        raise TypeError(f"set_fast_paths expects True or False; got {enabled!r}.")
    previous, _fast_paths = _fast_paths, enabled
    return previous


def accelerator_enabled() -> bool:
    """True when fit may take the accelerator's fused steps (the default; they run only where
    it was built, and with the fast paths on)."""
    return _accelerator


def set_accelerator(enabled: bool) -> bool:
    """Turn the accelerator on or off for the fits that start from now on; returns the old
    value."""
    global _accelerator
    if not isinstance(enabled, bool):
        raise TypeError(f"set_accelerator expects True or False; got {enabled!r}.")
    previous, _accelerator = _accelerator, enabled
    return previous
