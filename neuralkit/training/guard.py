"""The optimizer step as a transaction: every parameter is updated, or none is.

A training step changes many arrays one after the other: each layer's parameters and the
optimizer's per-parameter state (momentum, moment estimates) and step count. Two things can
stop it half-way or make it wrong:

* an exception raised while the optimizer runs (Ctrl-C, a bug in a custom optimizer), which
  would leave some layers updated and others not;
* an update that overflows: a finite loss and finite gradients can still give parameters of
  inf or NaN (a huge learning rate, float32's range), after which every later step is NaN.

:class:`UpdateGuard` copies the parameters and the optimizer state into one reused buffer
before the step, checks after it that every parameter is finite, and copies everything back
if the step raised or produced a non-finite value. The arrays are restored in place, so
references to ``layer.params[name]`` stay valid.

Cost per step: one copy of the parameters and of the optimizer state and one finiteness pass
over the parameters, each done by a single NumPy call over all arrays when they share a dtype
(the usual case), so that small models do not pay a Python loop per array.

A *bounded* step needs neither: a step prepared from the gradients, before anything is touched,
in a form whose application can neither raise nor turn a finite parameter into inf or NaN
(plain SGD's, :func:`neuralkit.training.fast_paths.bounded_sgd_step`). Then the only way to
stop it half-way is Ctrl-C, and during a fit (:meth:`UpdateGuard.holding_interrupts`) a Ctrl-C
that arrives while such a step is being written is held until the step is complete, then
honoured: the training loop raises KeyboardInterrupt after the batch's bookkeeping.

A *fused* step needs neither either: the compiled accelerator's
(:class:`neuralkit.training.accelerator.FusedStep`) computes every new value before it writes
any, so it is all or nothing by itself, and the snapshot and the check are skipped. It runs
where a Ctrl-C cannot cut its bookkeeping short: inside :meth:`UpdateGuard.holding_interrupts`,
or in a thread other than the main one (where no KeyboardInterrupt is ever raised).
"""

from __future__ import annotations

import contextlib
import math
import operator
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from .._parameters import ParameterSlot
from ..errors import DivergenceError
from .accelerator import NonFiniteUpdateError

__all__ = ["UpdateGuard"]

#: ``bounded(optimizer, triples) -> commit() or None``: a step that needs no snapshot.
BoundedStep = Callable[[Any, list[tuple[str, np.ndarray, np.ndarray]]], Callable[[], None] | None]
#: ``fused(optimizer, triples) -> bool``: the whole step taken (True) or declined (False).
FusedStepCall = Callable[[Any, list[tuple[str, np.ndarray, np.ndarray]]], bool]

#: Up to this many parameters, the finiteness check gathers them into one buffer first.
_GATHER_LIMIT = 1 << 16


class UpdateGuard:
    """Applies ``optimizer.step`` to a model's parameters all-or-nothing.

    Parameters
    ----------
    slots : sequence of ParameterSlot
        Every parameter of the model; the optimizer sees each as ``(slot.key, value, grad)``.
    bounded : callable, optional
        Prepares a bounded step (see the module's docstring), or declines with None; used only
        while Ctrl-C is held (inside :meth:`holding_interrupts`).
    fused : callable, optional
        Takes the whole step all or nothing by itself (see the module's docstring), or declines
        with False; raises :class:`~neuralkit.training.accelerator.NonFiniteUpdateError` for a step
        that would make a parameter NaN or inf.
    """

    def __init__(self, slots: Sequence[ParameterSlot], bounded: BoundedStep | None = None,
                 fused: FusedStepCall | None = None) -> None:
        self.slots = list(slots)
        # (key, layer, name): read each step from the layers, without the slots' properties.
        self._refs = [(slot.key, slot.layer, slot.name) for slot in self.slots]
        self.bounded = bounded
        self.fused = fused
        # The plan, rebuilt only when the arrays change (first step, new optimizer state):
        self._values: list[Any] = []              # parameters, then every optimizer-state value
        self._arrays: list[np.ndarray] = []      # parameters, then optimizer-state arrays
        self._structure: dict[str, tuple[dict, dict]] = {}
        self._views: list[np.ndarray] | None = None  # flat views of _arrays (fast path)
        self._flat: np.ndarray | None = None      # their copy, one buffer
        self._copies: list[np.ndarray] = []       # per-array copies (views into _flat)
        self._param_views: list[np.ndarray] | None = None
        self._check: np.ndarray | None = None     # the parameters, gathered for the check
        self._holding = False      # our SIGINT handler is installed (inside holding_interrupts)
        self._no_signals = False   # inside holding_interrupts, in a thread that gets none
        self._writing = False      # a step or a restore is being written: Ctrl-C waits
        #: Set when a held Ctrl-C arrived; the training loop raises KeyboardInterrupt.
        self.interrupted = False

    @contextlib.contextmanager
    def holding_interrupts(self) -> Iterator[None]:
        """For a fit's duration: a Ctrl-C that arrives while an update is written waits for it.

        Installed only in the main thread over Python's own handler; elsewhere every step takes
        the snapshot path, which undoes an interrupted step instead.
        """
        if not _own_sigint():
            self._no_signals = threading.current_thread() is not threading.main_thread()
            try:
                yield
            finally:
                self._no_signals = False
            return
        previous = signal.signal(signal.SIGINT, self._on_sigint)
        self._holding, self.interrupted = True, False
        try:
            yield
        finally:
            self._holding = False
            signal.signal(signal.SIGINT, previous)

    def _on_sigint(self, signum: int, frame: Any) -> None:
        if not self._writing:
            raise KeyboardInterrupt
        self.interrupted = True

    def apply(self, optimizer: Any, epoch: int, step: int, loss: float) -> None:
        """Run one optimizer step; on an exception or a non-finite parameter, undo it.

        Raises
        ------
        DivergenceError
            When the step made a parameter NaN or inf; parameters and optimizer state are
            those from before the step.
        """
        try:
            # One pass over the slots, read from the layers (a callback may have replaced an
            # array since the last step); the parameters alone only on the snapshot path below.
            triples = [(key, layer.params[name], layer.grads[name]) for key, layer, name in self._refs]
        except KeyError:
            _raise_missing_gradient(self.slots)
            raise
        if self.fused is not None and (self._holding or self._no_signals):
            self._writing = True
            try:
                if self.fused(optimizer, triples):
                    return
            except NonFiniteUpdateError as bad:
                raise _diverged(bad.key, epoch, step, loss) from None
            finally:
                self._writing = False
        if self._holding and self.bounded is not None:
            commit = self.bounded(optimizer, triples)
            if commit is not None:
                self._writing = True
                try:
                    commit()
                finally:
                    self._writing = False
                return
        params = [param for _, param, _ in triples]
        iterations = self._save(optimizer, params)
        try:
            optimizer.step(triples)
            finite = self._all_finite(params)
        except BaseException:
            self._restore(optimizer, iterations)
            raise
        if not finite:
            bad = next(slot.key for slot, param in zip(self.slots, params, strict=True)
                       if not np.isfinite(param).all())
            self._restore(optimizer, iterations)
            raise _diverged(bad, epoch, step, loss)

    # ------------------------------------------------------------------ internals
    def _save(self, optimizer: Any, params: list[np.ndarray]) -> int | None:
        state = getattr(optimizer, "state", None)
        if not isinstance(state, dict):
            state = {}
        # Every state value counts for "unchanged" (a scalar slot that a step rebinds must be
        # re-saved), but only arrays are copied.
        values = list(params)
        for slots in state.values():
            values.extend(slots.values())
        seen = self._values
        if not (len(values) == len(seen) and all(map(operator.is_, values, seen))):
            self._values = values
            self._plan([v for v in values if isinstance(v, np.ndarray)], state, len(params))
        arrays = self._arrays
        if self._views is not None:
            np.concatenate(self._views, out=self._flat)
        else:
            for copy, array in zip(self._copies, arrays, strict=True):
                np.copyto(copy, array)
        return getattr(optimizer, "iterations", None)

    def _plan(self, arrays: list[np.ndarray], state: dict, n_params: int) -> None:
        self._arrays = arrays
        # The slot dicts and shallow copies of them: a step may add, remove or rebind slots,
        # and a restore must give back exactly these arrays under these keys.
        self._structure = {key: (slots, dict(slots)) for key, slots in state.items()}
        dtypes = {a.dtype for a in arrays}
        if len(dtypes) == 1 and all(a.flags.c_contiguous for a in arrays):
            self._views = [a.reshape(-1) for a in arrays]  # views, not copies: contiguous
            self._flat = np.empty(sum(v.size for v in self._views), dtype=dtypes.pop())
            self._copies, start = [], 0
            for a in arrays:
                self._copies.append(self._flat[start:start + a.size].reshape(a.shape))
                start += a.size
            self._param_views = self._views[:n_params]
            n = sum(v.size for v in self._param_views)
            self._check = np.empty(n if n <= _GATHER_LIMIT else 0, dtype=self._flat.dtype)
        else:
            self._views = self._flat = self._param_views = self._check = None
            self._copies = [np.empty_like(a) for a in arrays]

    def _all_finite(self, params: list[np.ndarray]) -> bool:
        # Small models: gather, then one check (saves a Python call per array). Large ones:
        # check each array where it is (gathering would cost one more copy).
        if self._check is not None and 0 < self._check.size <= _GATHER_LIMIT:
            np.concatenate(self._param_views, out=self._check)
            return _finite(self._check)
        return all(_finite(p) for p in params)

    def _restore(self, optimizer: Any, iterations: int | None) -> None:
        # A second Ctrl-C must not cut the restore itself short.
        if not self._holding:
            with _sigint_deferred():
                self._put_back(optimizer, iterations)
            return
        self._writing = True
        try:
            self._put_back(optimizer, iterations)
        finally:
            self._writing = False
        if self.interrupted:
            self.interrupted = False
            raise KeyboardInterrupt

    def _put_back(self, optimizer: Any, iterations: int | None) -> None:
        for copy, array in zip(self._copies, self._arrays, strict=True):
            np.copyto(array, copy)
        state = getattr(optimizer, "state", None)
        if isinstance(state, dict):
            for key in [k for k in state if k not in self._structure]:
                del state[key]  # created by the undone step
            for key, (slots, contents) in self._structure.items():
                slots.clear()
                slots.update(contents)
                state[key] = slots
        if iterations is not None:
            optimizer.iterations = iterations


def _raise_missing_gradient(slots: Sequence[ParameterSlot]) -> None:
    """The error for a layer whose backward left a parameter without its gradient (when every
    parameter is there: a missing parameter is the KeyError it raised)."""
    if any(slot.name not in slot.layer.params for slot in slots):
        return
    slot = next(slot for slot in slots if slot.name not in slot.layer.grads)
    raise ValueError(
        f"{type(slot.layer).__name__} layer '{slot.layer.name}' has parameter "
        f"'{slot.name}' but no gradient for it: its backward must fill "
        f"self.grads['{slot.name}'] (an array shaped like self.params['{slot.name}'], "
        "made in build with np.zeros_like)."
    ) from None


def _diverged(key: str, epoch: int, step: int, loss: float) -> DivergenceError:
    return DivergenceError(
        f"the update at epoch {epoch + 1}, batch {step + 1} made parameter '{key}' NaN or inf "
        f"although the loss ({loss:.6g}) was finite; the parameters and the optimizer state "
        "are those before this step. Try a lower learning rate, scaling the inputs, or a "
        "smaller initialization."
    )


def _finite(array: np.ndarray) -> bool:
    """True when every element of ``array`` is finite.

    The sum of squares is one BLAS pass with no temporary (half the time of
    ``np.isfinite(array).all()``): a NaN or inf anywhere makes it NaN or inf. A finite array
    whose squares overflow (|x| > ~1e19 in float32) gets the exact elementwise check.
    """
    flat = array.reshape(-1)
    return math.isfinite(np.vdot(flat, flat)) or bool(np.isfinite(flat).all())


def _own_sigint() -> bool:
    """True when neuralkit may swap the SIGINT handler: the main thread, Python's own handler."""
    return (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler)


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C until the block is done, then raise it (main thread, Python's handler only)."""
    if not _own_sigint():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt
