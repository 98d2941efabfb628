"""The optimizer base class: one step over every ``(key, param, grad)`` of a model.

An optimizer sees one ``(key, param, grad)`` triple at a time and keeps per-parameter state
(momentum, moment estimates) in ``self.state[key]``; ``self.iterations`` counts steps. The
base class does what every optimizer shares, as Keras 3's does: the learning rate (a float or
a schedule), gradient clipping and decoupled weight decay. Subclass :class:`Optimizer` and
implement :meth:`Optimizer.update` to write your own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np

from .._validation import check_number
from .clipping import clip_by_norm, clip_by_value, global_norm_scale
from .schedules import LearningRateSchedule

__all__ = ["Optimizer"]

#: The work-array slot of a clipped gradient (the updates use 0 and 1 for their own).
_CLIPPED = ("clipped gradient",)


class Optimizer(ABC):
    """Base class.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule
        Step size: a float > 0, or a :class:`~neuralkit.optimizers.schedules.LearningRateSchedule`
        evaluated before every step at the number of steps already taken (0 at the first),
        as in Keras 3.
    weight_decay : float or None, default None
        Decoupled weight decay (Loshchilov & Hutter), >= 0: ``W := W - W * weight_decay * lr``
        before the update, with the step's rate, as in Keras 3.
    clipnorm : float or None, default None
        > 0: each parameter's gradient is rescaled to an L2 norm of at most ``clipnorm``.
    clipvalue : float or None, default None
        > 0: each element of each gradient is clipped to [-clipvalue, clipvalue].
    global_clipnorm : float or None, default None
        > 0: all the gradients of a step are rescaled together to a joint L2 norm (over every
        element of every parameter) of at most ``global_clipnorm``.

    At most one of ``clipnorm``, ``clipvalue`` and ``global_clipnorm`` may be set (Keras's
    rule). In a step, for each parameter in turn (Keras 3's order)::

        g := clip(dW)                                    (when one of the three is set)
        W := W - W * weight_decay * lr                   (when weight_decay is set)
        the optimizer's update of W from g               (:meth:`update`)

    with ``clip`` one of::

        clipnorm:         g = dW * clipnorm / ||dW||   if ||dW|| > clipnorm, else dW
        clipvalue:        g = min(max(dW, -clipvalue), clipvalue)
        global_clipnorm:  g = dW * global_clipnorm / N if N > global_clipnorm, else dW,
                          N = sqrt(sum over the step's parameters of ||dW||^2)

    A clipped gradient is written to a work array of the optimizer: the gradient arrays
    handed to :meth:`step` (the layers') are never modified.

    Attributes
    ----------
    learning_rate : float
        The rate of the next step (during a step, of that step). A float rate may be set
        between steps (``LearningRateScheduler`` does), and a schedule may replace either; a
        float cannot replace a schedule (TypeError, as in Keras 3).
    learning_rate_schedule : LearningRateSchedule or None
        The schedule, when ``learning_rate`` was given one.
    iterations : int
        Number of :meth:`step` calls so far (Adam's t).
    state : dict[str, dict[str, ndarray]]
        Per-parameter state, keyed by the model's parameter key (``'dense_1/W'``).
    """

    #: Name accepted by ``Sequential.compile(optimizer=...)``.
    name = "optimizer"

    _learning_rate: float | LearningRateSchedule = 0.0
    _step_rate: float | None = None  # the rate of the step in progress

    weight_decay: float | None = None
    clipnorm: float | None = None
    clipvalue: float | None = None
    global_clipnorm: float | None = None

    def __init__(self, learning_rate: float | LearningRateSchedule, *,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None) -> None:
        self.learning_rate = learning_rate
        if weight_decay is not None:
            self.weight_decay = check_number(weight_decay, "weight_decay", 0.0,
                                             low_inclusive=True)
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        given = {name: value for name, value in clips.items() if value is not None}
        if len(given) > 1:
            raise ValueError("only one of clipnorm, clipvalue and global_clipnorm can be set (as "
                             "in Keras 3); got " + ", ".join(f"{k}={v!r}" for k, v in given.items())
                             + ".")
        for name, value in given.items():
            setattr(self, name, check_number(value, name, 0.0))
        self.iterations = 0
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self._buffers: dict[tuple[Any, ...], np.ndarray] = {}

    # ------------------------------------------------------------------ the learning rate
    @property
    def learning_rate(self) -> float:
        """The rate of the next step: the float given, or the schedule at ``iterations``."""
        if self._step_rate is not None:
            return self._step_rate
        rate = self._learning_rate
        if isinstance(rate, LearningRateSchedule):
            return self._scheduled_rate(rate)
        return rate

    @learning_rate.setter
    def learning_rate(self, value: float | LearningRateSchedule) -> None:
        if isinstance(value, LearningRateSchedule):
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError(
                f"{type(self).__name__} was created with a learning-rate schedule "
                f"({self._learning_rate!r}), so its learning_rate cannot be set to a number "
                f"(got {value!r}); as in Keras 3. Create the optimizer with a float "
                "learning_rate to set it, or assign another LearningRateSchedule."
            )
        if callable(value) and not isinstance(value, (int, float)):
            raise TypeError(f"learning_rate must be a number or a LearningRateSchedule; got "
                            f"{value!r}. Subclass neuralkit.optimizers.schedules."
                            "LearningRateSchedule to give a function of the step.")
        self._learning_rate = check_number(value, "learning_rate", 0.0)

    @property
    def learning_rate_schedule(self) -> LearningRateSchedule | None:
        """The schedule given as ``learning_rate``, or None for a float rate."""
        rate = self._learning_rate
        return rate if isinstance(rate, LearningRateSchedule) else None

    def _scheduled_rate(self, schedule: LearningRateSchedule) -> float:
        step = self.iterations
        return check_number(schedule(step), "learning_rate", 0.0, low_inclusive=True,
                            hint=f" It came from {schedule!r} at step {step}.")

    def _scratch(self, like: np.ndarray, slot: Hashable = 0) -> np.ndarray:
        """A work array shaped like ``like``, reused across steps (never part of the state).

        Updates write their intermediate products here instead of into fresh temporaries: on
        a large layer a new array per step costs page faults, not just the arithmetic. Arrays
        of one shape share a slot; ``slot`` tells apart those that must coexist (a parameter
        key gives one array per parameter).
        """
        key = (like.shape, like.dtype, slot)
        buffer = self._buffers.get(key)
        if buffer is None:
            buffer = self._buffers[key] = np.empty_like(like)
        return buffer

    def step(self, params: Iterable[tuple[str, np.ndarray, np.ndarray]]) -> None:
        """Apply one update to every ``(key, param, grad)``; params change in place.

        The learning rate is read once, before ``iterations`` counts the step: every update
        of the step (and the weight decay) sees that rate as ``self.learning_rate``. Each
        gradient is clipped and each parameter decayed first (see the class's docstring).
        """
        rate = self.learning_rate
        clipping = (self.clipnorm is not None or self.clipvalue is not None
                    or self.global_clipnorm is not None)
        scale = None
        if self.global_clipnorm is not None:
            params = list(params)
            scale = global_norm_scale((grad for _, _, grad in params), self.global_clipnorm)
        decay = self.weight_decay
        self._step_rate = rate
        self.iterations += 1
        state = self.state
        try:
            for key, param, grad in params:
                slots = state.get(key)
                if slots is None:
                    slots = state[key] = self.init_state(param)
                if clipping:
                    grad = self._clipped(grad, scale)
                if decay:
                    self._decay(param, decay, rate)
                self.update(param, grad, slots)
        finally:
            self._step_rate = None

    def _clipped(self, grad: np.ndarray, scale: float | None) -> np.ndarray:
        """The gradient clipped as configured, in a work array (or ``grad`` if unchanged)."""
        if self.clipnorm is not None:
            return clip_by_norm(grad, self.clipnorm, self._scratch(grad, _CLIPPED))
        if self.clipvalue is not None:
            return clip_by_value(grad, self.clipvalue, self._scratch(grad, _CLIPPED))
        if scale is None:
            return grad
        return np.multiply(grad, scale, out=self._scratch(grad, _CLIPPED))

    def _decay(self, param: np.ndarray, weight_decay: float, rate: float) -> None:
        """W := W - W * weight_decay * lr, in place (Keras 3's order of operations)."""
        work = np.multiply(param, weight_decay, out=self._scratch(param))
        work *= rate
        param -= work

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        """Create the state of one parameter (default: none)."""
        return {}

    @abstractmethod
    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """Update ``param`` in place from ``grad``, using and updating ``state``."""

    def get_config(self) -> dict[str, Any]:
        """Hyperparameters that rebuild this optimizer.

        ``weight_decay``, ``clipnorm``, ``clipvalue`` and ``global_clipnorm`` appear only when
        set (Keras lists them always, as None): a subclass written for a neuralkit without them
        keeps passing its config to its own constructor.
        """
        config: dict[str, Any] = {"learning_rate": self._learning_rate}
        for name in ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm"):
            value = getattr(self, name)
            if value is not None:
                config[name] = value
        return config

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
