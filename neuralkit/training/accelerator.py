"""The optional compiled accelerator's Python side: which steps go to the fused kernels.

``neuralkit/_accelerator.c`` (built by ``pip install`` when a C compiler is there) runs an
optimizer's whole step, over every parameter, in one call: each element goes through clipping,
weight decay and the update while it is in registers, instead of NumPy's one pass over memory
per operation (Adam: 13) plus the update guard's snapshot copy and finiteness check. The
kernels perform the NumPy code's operations in its order, so the numbers are the same bit for
bit (``tests/test_accelerator.py`` checks every optimizer and option, float32 and float64), and
the step is all or nothing by construction: a first pass computes every new value and writes
nothing, and only when all are finite does a second pass write.

:class:`FusedStep` takes a step when the optimizer is one of the stock classes (``SGD``,
``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad``; a subclass runs its own code) and every array is
C-contiguous float32 or float64 of one dtype; otherwise it declines and the guard runs
``optimizer.step`` as usual. Turn it off with ``NEURALKIT_ACCELERATOR=0`` or
:func:`neuralkit.config.set_accelerator`; ``neuralkit.show_config()`` says which path runs.

Measured (``benchmarks/training.py``, 2 cores, float32 60000x784 -> 256 -> 128 -> 10, batch
128): see docs/performance.md.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop
from ..optimizers.clipping import global_norm_scale, l2_norm

try:
    from .. import _accelerator
except ImportError:  # not built: every step runs the NumPy code
    _accelerator = None

__all__ = ["FLOATS", "FusedStep", "NonFiniteUpdateError", "built", "kernels"]

#: The types a hyperparameter may have for the kernels (None: an unused option).
_FLOAT_OR_NONE = frozenset((float, type(None)))

#: The kernel of each stock optimizer class (exact classes only: a subclass may override update).
_KINDS: dict[type, int] = {SGD: 0, Adam: 1, AdamW: 1, RMSprop: 2, Adagrad: 3}


def built() -> bool:
    """True when the compiled accelerator was built and imports."""
    return _accelerator is not None


def kernels() -> Any:
    """The compiled module (``neuralkit._accelerator``), or None when it was not built."""
    return _accelerator


#: The dtypes the compiled kernels take.
FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


class NonFiniteUpdateError(Exception):
    """The fused step would have made parameter ``key`` NaN or inf; nothing was written."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class FusedStep:
    """``optimizer.step(triples)`` in one compiled call, or a refusal (False) to do it.

    Called by :class:`~neuralkit.training.guard.UpdateGuard` in place of its snapshot, step
    and check. Returns True when the step was taken (parameters, state and ``iterations`` as
    ``optimizer.step`` leaves them), False when it does not apply (nothing changed); raises
    :class:`NonFiniteUpdateError` when the step would make a parameter NaN or inf (nothing changed).
    """

    def __call__(self, optimizer: Optimizer, triples: list[tuple[str, np.ndarray, np.ndarray]]
                 ) -> bool:
        kind = _KINDS.get(type(optimizer))
        if kind is None or _accelerator is None:
            return False
        # Read once, as Optimizer.step reads it: a schedule is evaluated at `iterations`.
        rate = optimizer.learning_rate
        numbers = _numbers(optimizer, kind, rate)
        if numbers is None:
            return False
        names = _state_names(optimizer, kind)
        state = optimizer.state
        created: list[str] = []
        items = []
        try:
            for key, param, grad in triples:
                slots = state.get(key)
                if slots is None:
                    slots = state[key] = optimizer.init_state(param)
                    created.append(key)
                # map(slots.__getitem__, ...): no Python frame per parameter (a list
                # comprehension is one call of its own in Python 3.11).
                items.append((param, grad, *map(slots.__getitem__, names)))
            bad = _accelerator.step(kind, items, _scales(optimizer, triples), numbers)
        except (KeyError, ValueError, TypeError, BufferError):
            # A state without the expected arrays, or arrays the kernels do not take (another
            # dtype, not contiguous, read-only): the NumPy code runs the step instead.
            _forget(state, created)
            return False
        except BaseException:
            _forget(state, created)
            raise
        if bad >= 0:
            _forget(state, created)
            raise NonFiniteUpdateError(triples[bad][0])
        optimizer.iterations += 1
        return True


def _forget(state: dict[str, Any], keys: list[str]) -> None:
    for key in keys:
        del state[key]


def _state_names(optimizer: Any, kind: int) -> tuple[str, ...]:
    """The state arrays each kernel reads and writes, in its order."""
    if kind == 0:
        return ("velocity",) if optimizer.momentum != 0.0 else ()
    if kind == 1:
        return ("m", "v", "v_max") if optimizer.amsgrad else ("m", "v")
    if kind == 2:
        return (("s",) + (("g_avg",) if optimizer.centered else ())
                + (("velocity",) if optimizer.momentum > 0.0 else ()))
    return ("accumulator",)


def _numbers(optimizer: Any, kind: int, rate: float) -> tuple[Any, ...] | None:
    """``(clip, clipvalue, decay, weight_decay, rate, epsilon, flag0, flag1, h0, ..., h5)`` as
    ``_accelerator.step`` takes them; None when a hyperparameter is not a Python float (NumPy
    would compute with a float64 scalar, not with the array's type, and the kernels do not)."""
    if kind == 0:
        hyper = (rate, optimizer.momentum)
        h = hyper
        flags, eps = (int(optimizer.nesterov), 0), 0.0
    elif kind == 1:
        t = optimizer.iterations + 1
        b1, b2, eps = optimizer.beta_1, optimizer.beta_2, optimizer.epsilon
        hyper = (rate, b1, b2, eps)
        # Adam.update's numbers: 1 - beta**t rounded once, as Python computes them there.
        h = (b1, 1.0 - b1, b2, 1.0 - b2, math.sqrt(1.0 - b2**t), rate / (1.0 - b1**t))
        flags = (int(optimizer.amsgrad), 0)
    elif kind == 2:
        rho, eps = optimizer.rho, optimizer.epsilon
        hyper = (rate, rho, eps, optimizer.momentum)
        h = (rho, 1.0 - rho, eps, rate, optimizer.momentum)
        flags = (int(optimizer.centered), 0)
    else:
        eps = optimizer.epsilon
        hyper = (rate, eps)
        h = (eps, rate)
        flags = (0, 0)
    decay = optimizer.weight_decay
    clipvalue = optimizer.clipvalue
    if not _FLOAT_OR_NONE.issuperset(map(type, hyper)):  # as a generator: 0.15 us more
        return None
    clip = 2 if clipvalue is not None else int(
        optimizer.clipnorm is not None or optimizer.global_clipnorm is not None)
    return (clip, clipvalue or 0.0, int(bool(decay)), decay or 0.0, rate, eps, *flags,
            *h, *(0.0,) * (6 - len(h)))


def _scales(optimizer: Any, triples: list[tuple[str, np.ndarray, np.ndarray]]) -> list[float]:
    """Each gradient's clipping factor (1.0: unclipped), as Optimizer._clipped computes it."""
    clipnorm, global_clipnorm = optimizer.clipnorm, optimizer.global_clipnorm
    if clipnorm is not None:
        scales = []
        for _, _, grad in triples:
            norm = l2_norm([grad])
            scales.append(clipnorm / norm if norm > clipnorm else 1.0)
        return scales
    scale = None
    if global_clipnorm is not None:
        scale = global_norm_scale((grad for _, _, grad in triples), global_clipnorm)
    return [1.0 if scale is None else scale] * len(triples)
