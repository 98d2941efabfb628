"""Learning-rate schedules: ``schedule(step) -> learning rate``, evaluated before every step.

Pass one as any optimizer's ``learning_rate``. ``step`` is the number of steps the optimizer
has already taken (``optimizer.iterations``: 0 at the first step), as in Keras 3. The formulas
are Keras 3's, computed in Python floats: float64, where Keras computes in ``floatx``. With
``floatx`` float64 Keras 3.15's rates equal these exactly (compared over 60 steps of each
schedule); with its float32 default they differ by float32's rounding (up to ~1e-5 relative
at the end of a cosine decay, where ``1 + cos(...)`` cancels).
"""

from __future__ import annotations

import math
from typing import Any

from .._validation import check_number

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay",
           "InverseTimeDecay", "CosineDecay"]


class LearningRateSchedule:
    """Base class: subclass it and implement ``__call__(self, step) -> float``.

    Implement ``get_config`` (the constructor's arguments as a dict) too, so that a model whose
    optimizer uses the schedule can be saved; :meth:`from_config` calls ``cls(**config)``.
    """

    def __call__(self, step: int) -> float:
        raise NotImplementedError(f"learning rate schedule '{type(self).__name__}' must "
                                  "override __call__(self, step).")

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"learning rate schedule '{type(self).__name__}' must "
                                  "override get_config() to be saved with a model.")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """A schedule rebuilt from :meth:`get_config`'s dict."""
        return cls(**config)

    def __repr__(self) -> str:
        try:
            config = self.get_config()
        except NotImplementedError:
            return f"{type(self).__name__}()"
        args = ", ".join(f"{k}={v!r}" for k, v in config.items() if k != "name")
        return f"{type(self).__name__}({args})"


def _rate(value: Any, name: str) -> float:
    return check_number(value, name, 0.0, low_inclusive=True)


class _TimeDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: their arguments and the progress
    ``p = step / decay_steps`` (floored with ``staircase``)."""

    #: Whether decay_rate may be 0 (InverseTimeDecay: a constant rate).
    _zero_rate_allowed = False

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool = False, name: str | None = None) -> None:
        self.initial_learning_rate = _rate(initial_learning_rate, "initial_learning_rate")
        self.decay_steps = check_number(decay_steps, "decay_steps", 0.0)
        self.decay_rate = check_number(decay_rate, "decay_rate", 0.0,
                                       low_inclusive=self._zero_rate_allowed)
        self.staircase = bool(staircase)
        self.name = type(self).__name__ if name is None else name

    def _progress(self, step: int) -> float:
        p = float(step) / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_TimeDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``: the rate drops by
    ``decay_rate`` every ``decay_steps`` steps.

    Parameters
    ----------
    initial_learning_rate : float
        The rate at step 0, >= 0.
    decay_steps : float
        > 0.
    decay_rate : float
        > 0 (below 1 to decay).
    staircase : bool, default False
    name : str, default 'ExponentialDecay'
        Kept for Keras's signature; not used.
    """

    def __call__(self, step: int) -> float:
        p = self._progress(step)
        try:
            return self.initial_learning_rate * self.decay_rate ** p
        except OverflowError:
            raise ValueError(f"ExponentialDecay: decay_rate ** (step / decay_steps) = "
                             f"{self.decay_rate!r} ** {p!r} overflows at step {step}.") from None


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` once ``step > boundaries[-1]``.

    Parameters
    ----------
    boundaries : list of numbers
        Strictly increasing.
    values : list of float
        One more than ``boundaries``; each >= 0.
    name : str, default 'PiecewiseConstant'
        Kept for Keras's signature; not used.
    """

    def __init__(self, boundaries: list[float], values: list[float],
                 name: str = "PiecewiseConstant") -> None:
        if not isinstance(boundaries, (list, tuple)) or not isinstance(values, (list, tuple)):
            raise TypeError(f"PiecewiseConstantDecay: boundaries and values must be lists; got "
                            f"boundaries={boundaries!r}, values={values!r}.")
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"PiecewiseConstantDecay: values must have one more entry than "
                             f"boundaries; got {len(boundaries)} boundaries {list(boundaries)} "
                             f"and {len(values)} values {list(values)}.")
        bounds = [check_number(b, f"boundaries[{i}]") for i, b in enumerate(boundaries)]
        if any(b >= c for b, c in zip(bounds[:-1], bounds[1:], strict=True)):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must be strictly increasing; "
                             f"got {list(boundaries)}.")
        self.boundaries = bounds
        self.values = [_rate(v, f"values[{i}]") for i, v in enumerate(values)]
        self.name = name

    def __call__(self, step: int) -> float:
        for boundary, value in zip(self.boundaries, self.values[:-1], strict=True):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": list(self.boundaries), "values": list(self.values),
                "name": self.name}


class InverseTimeDecay(_TimeDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    With ``staircase=True``, ``step / decay_steps`` is floored.

    Parameters
    ----------
    initial_learning_rate : float
        The rate at step 0, >= 0.
    decay_steps : float
        > 0.
    decay_rate : float
        >= 0.
    staircase : bool, default False
    name : str, default 'InverseTimeDecay'
        Kept for Keras's signature; not used.
    """

    _zero_rate_allowed = True

    def __call__(self, step: int) -> float:
        p = self._progress(step)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)


class CosineDecay(LearningRateSchedule):
    """Cosine decay (Loshchilov & Hutter, 2017), after an optional linear warmup.

    Without ``warmup_target``, from ``lr0 = initial_learning_rate``::

        s = min(step, decay_steps)
        lr = lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)

    With ``warmup_target``, ``s = min(step, warmup_steps + decay_steps)``; while
    ``s < warmup_steps`` the rate rises linearly,
    ``(warmup_target - initial_learning_rate) * (s / warmup_steps) + initial_learning_rate``,
    then decays as above from ``warmup_target`` over ``s - warmup_steps``.

    Parameters
    ----------
    initial_learning_rate : float
        >= 0 (0 is usual with a warmup).
    decay_steps : float
        > 0.
    alpha : float, default 0.0
        The final rate as a fraction of the rate decayed from, in [0, 1].
    name : str, default 'CosineDecay'
        Kept for Keras's signature; not used.
    warmup_target : float or None, default None
        The rate reached at the end of the warmup, >= 0; None for no warmup.
    warmup_steps : float, default 0
        >= 0.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: float = 0) -> None:
        self.initial_learning_rate = _rate(initial_learning_rate, "initial_learning_rate")
        self.decay_steps = check_number(decay_steps, "decay_steps", 0.0)
        self.alpha = check_number(alpha, "alpha", 0.0, 1.0, low_inclusive=True,
                                  high_inclusive=True)
        self.name = name
        self.warmup_target = None if warmup_target is None else _rate(warmup_target,
                                                                       "warmup_target")
        self.warmup_steps = check_number(warmup_steps, "warmup_steps", 0.0, low_inclusive=True)

    def _decay(self, s: float, start: float) -> float:
        cosine = 0.5 * (1.0 + math.cos(math.pi * (s / self.decay_steps)))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step: int) -> float:
        s = float(step)
        if self.warmup_target is None:
            return self._decay(min(s, self.decay_steps), self.initial_learning_rate)
        s = min(s, self.decay_steps + self.warmup_steps)
        if s < self.warmup_steps:
            delta = self.warmup_target - self.initial_learning_rate
            return delta * (s / self.warmup_steps) + self.initial_learning_rate
        return self._decay(s - self.warmup_steps, self.warmup_target)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}
