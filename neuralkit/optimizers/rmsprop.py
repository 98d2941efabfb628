"""RMSprop: each step divided by a running root mean square of the gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_number
from .base import Optimizer
from .schedules import LearningRateSchedule

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), epsilon added to the square root::

        s := rho * s + (1 - rho) * dW**2
        W := W - learning_rate * dW / (sqrt(s) + epsilon)

    ``weight_decay``, ``clipnorm``, ``clipvalue`` and ``global_clipnorm`` (keyword-only) are
    every optimizer's: see :class:`~neuralkit.optimizers.Optimizer`; dW above is then the
    clipped gradient, and the decay comes first.
    """

    name = "rmsprop"

    def __init__(self, learning_rate: float | LearningRateSchedule = 0.001, rho: float = 0.9,
                 epsilon: float = 1e-7, *, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm)
        self.rho = check_number(rho, "rho", 0.0, 1.0, low_inclusive=True)
        self.epsilon = check_number(epsilon, "epsilon", 0.0)

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        return {"s": np.zeros_like(param)}

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        s = state["s"]
        s *= self.rho
        work = np.square(grad, out=self._scratch(param))
        work *= 1.0 - self.rho
        s += work
        denom = np.sqrt(s, out=self._scratch(param, 1))
        denom += self.epsilon
        step = np.multiply(grad, self.learning_rate, out=work)
        step /= denom
        param -= step

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
