"""Adam: bias-corrected moment estimates (Kingma & Ba, 2015)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import check_number
from .base import Optimizer
from .schedules import LearningRateSchedule

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam, Algorithm 1 of Kingma & Ba (2015), epsilon added to sqrt(v_hat) as in PyTorch.

    With t the step count (1, 2, ...) and m, v starting at 0::

        m := beta_1 * m + (1 - beta_1) * dW
        v := beta_2 * v + (1 - beta_2) * dW**2
        m_hat = m / (1 - beta_1**t)
        v_hat = v / (1 - beta_2**t)
        W := W - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    ``amsgrad=True`` (Reddi, Kale & Kumar, 2018, as Keras 3 and PyTorch write it) divides by
    the largest v so far instead, v_max starting at 0::

        v_max := max(v_max, v)
        W := W - learning_rate * m_hat / (sqrt(v_max / (1 - beta_2**t)) + epsilon)

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.001
    beta_1, beta_2 : float, default 0.9, 0.999
        Decay rates of the moment estimates, in [0, 1).
    epsilon : float, default 1e-8
        > 0, added to sqrt(v_hat) (PyTorch's default; Keras's is 1e-7, added to sqrt(v) before
        the bias correction).
    amsgrad : bool, default False

    ``weight_decay``, ``clipnorm``, ``clipvalue`` and ``global_clipnorm`` (keyword-only) are
    every optimizer's: see :class:`~neuralkit.optimizers.Optimizer`; dW above is then the
    clipped gradient, and the decay comes first.
    """

    name = "adam"

    def __init__(self, learning_rate: float | LearningRateSchedule = 0.001, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-8, amsgrad: bool = False, *,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm)
        self.beta_1 = check_number(beta_1, "beta_1", 0.0, 1.0, low_inclusive=True)
        self.beta_2 = check_number(beta_2, "beta_2", 0.0, 1.0, low_inclusive=True)
        self.epsilon = check_number(epsilon, "epsilon", 0.0)
        self.amsgrad = bool(amsgrad)

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        state = {"m": np.zeros_like(param), "v": np.zeros_like(param)}
        if self.amsgrad:
            state["v_max"] = np.zeros_like(param)
        return state

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        t = self.iterations
        m, v = state["m"], state["v"]
        work = self._scratch(param)
        m *= self.beta_1
        m += np.multiply(grad, 1.0 - self.beta_1, out=work)
        v *= self.beta_2
        work = np.square(grad, out=work)
        work *= 1.0 - self.beta_2
        v += work
        if self.amsgrad:
            v = np.maximum(state["v_max"], v, out=state["v_max"])
        bias_1 = 1.0 - self.beta_1**t
        bias_2 = 1.0 - self.beta_2**t
        # sqrt(v_hat) + eps, then W -= (lr / bias_1) * m / denom: PyTorch's arrangement.
        denom = np.sqrt(v, out=work)
        denom /= math.sqrt(bias_2)
        denom += self.epsilon
        np.divide(m, denom, out=denom)
        denom *= self.learning_rate / bias_1
        param -= denom

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
