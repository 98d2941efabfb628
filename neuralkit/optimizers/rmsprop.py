"""RMSprop: each step divided by a running root mean square of the gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_number
from .base import Optimizer
from .schedules import LearningRateSchedule

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), epsilon added to the square root (outside it, as in PyTorch)::

        s := rho * s + (1 - rho) * dW**2
        W := W - learning_rate * dW / (sqrt(s) + epsilon)

    ``centered=True`` divides by an estimate of the standard deviation instead, with ``g_avg``
    the running mean of the gradients (Graves, 2013)::

        g_avg := rho * g_avg + (1 - rho) * dW
        W := W - learning_rate * dW / (sqrt(max(s - g_avg**2, 0)) + epsilon)

    With ``momentum`` mu > 0 the step goes through a velocity (starting at 0; Keras's form,
    the learning rate inside it, equal to PyTorch's for a fixed learning rate)::

        v := mu * v + learning_rate * dW / (sqrt(...) + epsilon)
        W := W - v

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.001
    rho : float, default 0.9
        Discount of the running averages, in [0, 1).
    momentum : float, default 0.0
        In [0, 1).
    epsilon : float, default 1e-7
        > 0, added to the root (Keras adds it under the root).
    centered : bool, default False

    ``weight_decay``, ``clipnorm``, ``clipvalue`` and ``global_clipnorm`` (keyword-only) are
    every optimizer's: see :class:`~neuralkit.optimizers.Optimizer`; dW above is then the
    clipped gradient, and the decay comes first.
    """

    name = "rmsprop"

    def __init__(self, learning_rate: float | LearningRateSchedule = 0.001, rho: float = 0.9,
                 momentum: float = 0.0, epsilon: float = 1e-7, centered: bool = False, *,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm)
        self.rho = check_number(rho, "rho", 0.0, 1.0, low_inclusive=True)
        self.momentum = check_number(momentum, "momentum", 0.0, 1.0, low_inclusive=True)
        self.epsilon = check_number(epsilon, "epsilon", 0.0)
        self.centered = bool(centered)

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        state = {"s": np.zeros_like(param)}
        if self.centered:
            state["g_avg"] = np.zeros_like(param)
        if self.momentum > 0.0:
            state["velocity"] = np.zeros_like(param)
        return state

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        s = state["s"]
        s *= self.rho
        work = np.square(grad, out=self._scratch(param))
        work *= 1.0 - self.rho
        s += work
        if self.centered:
            g_avg = state["g_avg"]
            g_avg *= self.rho
            g_avg += np.multiply(grad, 1.0 - self.rho, out=work)
            variance = np.square(g_avg, out=self._scratch(param, 1))
            np.subtract(s, variance, out=variance)
            # s >= g_avg**2 in exact arithmetic; rounding may leave a tiny negative, whose
            # root would be NaN (PyTorch's would).
            denom = np.maximum(variance, 0.0, out=variance)
            denom = np.sqrt(denom, out=denom)
        else:
            denom = np.sqrt(s, out=self._scratch(param, 1))
        denom += self.epsilon
        step = np.multiply(grad, self.learning_rate, out=work)
        step /= denom
        if self.momentum > 0.0:
            velocity = state["velocity"]
            velocity *= self.momentum
            velocity += step
            step = velocity
        param -= step

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
