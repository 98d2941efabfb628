"""Adagrad: each step divided by the root of the sum of the squared gradients so far."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_number
from .base import Optimizer
from .schedules import LearningRateSchedule

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer, 2011), epsilon added to the root (as PyTorch)::

        a := a + dW**2                       (a starts at initial_accumulator_value)
        W := W - learning_rate * dW / (sqrt(a) + epsilon)

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.001
        Keras's default (PyTorch's is 0.01; the paper's form is 1.0).
    initial_accumulator_value : float, default 0.1
        >= 0, the accumulator's start (Keras's default; PyTorch's is 0).
    epsilon : float, default 1e-7
        > 0, added to sqrt(a) (Keras adds it under the root; PyTorch's default is 1e-10).

    ``weight_decay``, ``clipnorm``, ``clipvalue`` and ``global_clipnorm`` (keyword-only) are
    every optimizer's: see :class:`~neuralkit.optimizers.Optimizer`; dW above is then the
    clipped gradient, and the decay comes first.
    """

    name = "adagrad"

    def __init__(self, learning_rate: float | LearningRateSchedule = 0.001,
                 initial_accumulator_value: float = 0.1, epsilon: float = 1e-7, *,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm)
        self.initial_accumulator_value = check_number(
            initial_accumulator_value, "initial_accumulator_value", 0.0, low_inclusive=True)
        self.epsilon = check_number(epsilon, "epsilon", 0.0)

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        return {"accumulator": np.full_like(param, self.initial_accumulator_value)}

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        accumulator = state["accumulator"]
        work = np.square(grad, out=self._scratch(param))
        accumulator += work
        denom = np.sqrt(accumulator, out=self._scratch(param, 1))
        denom += self.epsilon
        step = np.multiply(grad, self.learning_rate, out=work)
        step /= denom
        param -= step

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
