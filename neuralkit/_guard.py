"""The optimizer step as a transaction: every parameter is updated, or none is.

A training step changes many arrays one after the other: each layer's parameters and the
optimizer's per-parameter state (momentum, moment estimates) and step count. Two things can
stop it half-way or make it wrong:

* an exception raised while the optimizer runs (Ctrl-C, a bug in a custom optimizer), which
  would leave some layers updated and others not;
* an update that overflows: a finite loss and finite gradients can still give parameters of
  inf or NaN (a huge learning rate, float32's range), after which every later step is NaN.

:class:`UpdateGuard` copies the parameters and the optimizer state into reused buffers before
the step, checks after it that every parameter is finite, and puts the copies back if the
step raised or produced a non-finite value. The cost is one copy of the parameters and of the
optimizer state plus one finiteness pass per step; the arrays are restored in place, so
references to ``layer.params[name]`` stay valid.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class UpdateGuard:
    """Applies ``optimizer.step`` to a model's parameters all-or-nothing.

    Parameters
    ----------
    param_refs : list of (key, layer, name)
        Every parameter, ``layer.params[name]``, with its optimizer key ``'layer/name'``.
    """

    def __init__(self, param_refs: list[tuple[str, Any, str]]) -> None:
        self.param_refs = param_refs
        self._param_copies: list[np.ndarray] = []
        self._state_copies: dict[tuple[str, str], np.ndarray] = {}

    def apply(self, optimizer: Any, epoch: int, step: int, loss: float) -> None:
        """Run one optimizer step; on an exception or a non-finite parameter, undo it.

        Raises
        ------
        DivergenceError
            When the step made a parameter NaN or inf; parameters and optimizer state are
            those from before the step.
        """
        params = [layer.params[name] for _, layer, name in self.param_refs]
        saved = self._save(optimizer, params)
        try:
            optimizer.step((key, param, layer.grads[name])
                           for (key, layer, name), param in zip(self.param_refs, params, strict=True))
            bad = next((key for (key, _, _), param in zip(self.param_refs, params, strict=True)
                        if not np.isfinite(param).all()), None)
        except BaseException:
            self._restore(optimizer, params, saved)
            raise
        if bad is not None:
            self._restore(optimizer, params, saved)
            from .model import DivergenceError

            raise DivergenceError(
                f"the update at epoch {epoch + 1}, batch {step + 1} made parameter '{bad}' NaN "
                f"or inf although the loss ({loss:.6g}) was finite; the parameters and the "
                "optimizer state are those before this step. Try a lower learning rate, "
                "scaling the inputs, or a smaller initialisation."
            )

    # ------------------------------------------------------------------ internals
    def _save(self, optimizer: Any, params: list[np.ndarray]) -> tuple[int | None, dict]:
        copies = self._param_copies
        if len(copies) != len(params):
            copies[:] = [np.empty_like(p) for p in params]
        for i, param in enumerate(params):
            if copies[i].shape != param.shape or copies[i].dtype != param.dtype:
                copies[i] = np.empty_like(param)
            np.copyto(copies[i], param)
        state = getattr(optimizer, "state", None)
        structure: dict[str, tuple[dict, dict]] = {}
        if isinstance(state, dict):
            for key, slots in state.items():
                # The slot dict object and a shallow copy of it: a step may add, remove or
                # rebind slots, and the restore must give back exactly these arrays.
                structure[key] = (slots, dict(slots))
                for slot, value in slots.items():
                    if isinstance(value, np.ndarray):
                        buffer = self._state_copies.get((key, slot))
                        if buffer is None or buffer.shape != value.shape or buffer.dtype != value.dtype:
                            buffer = self._state_copies[(key, slot)] = np.empty_like(value)
                        np.copyto(buffer, value)
        return getattr(optimizer, "iterations", None), structure

    def _restore(self, optimizer: Any, params: list[np.ndarray],
                 saved: tuple[int | None, dict]) -> None:
        iterations, structure = saved
        for copy, param in zip(self._param_copies, params, strict=True):
            np.copyto(param, copy)
        state = getattr(optimizer, "state", None)
        if isinstance(state, dict):
            for key in [k for k in state if k not in structure]:
                del state[key]  # created by the undone step
            for key, (slots, contents) in structure.items():
                slots.clear()
                slots.update(contents)
                for slot, value in contents.items():
                    if isinstance(value, np.ndarray):
                        np.copyto(value, self._state_copies[(key, slot)])
                state[key] = slots
        if iterations is not None:
            optimizer.iterations = iterations
