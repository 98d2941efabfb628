"""Optimizers: update each layer's parameter arrays in place from its gradients.

An optimizer sees one ``(key, param, grad)`` triple at a time and keeps per-parameter state
(momentum, moment estimates) in ``self.state[key]``; ``self.iterations`` counts steps.
Subclass :class:`Optimizer` and implement :meth:`Optimizer.update` to write your own.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ._parameters import parameter_slots
from ._validation import check_number, check_positive_int, resolve

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "LBFGS", "OPTIMIZERS", "get"]


class Optimizer(ABC):
    """Base class.

    Parameters
    ----------
    learning_rate : float
        Step size, > 0. May be changed between steps (schedules do).

    Attributes
    ----------
    iterations : int
        Number of :meth:`step` calls so far (Adam's t).
    state : dict[str, dict[str, ndarray]]
        Per-parameter state, keyed by the model's parameter key (``'dense_1/W'``).
    """

    #: Name accepted by ``Sequential.compile(optimizer=...)``.
    name = "optimizer"

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = check_number(learning_rate, "learning_rate", 0.0)
        self.iterations = 0
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self._buffers: dict[tuple[Any, ...], np.ndarray] = {}

    def _scratch(self, like: np.ndarray, slot: int | str = 0) -> np.ndarray:
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
        """Apply one update to every ``(key, param, grad)``; params change in place."""
        self.iterations += 1
        state = self.state
        for key, param, grad in params:
            slots = state.get(key)
            if slots is None:
                slots = state[key] = self.init_state(param)
            self.update(param, grad, slots)

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        """Create the state of one parameter (default: none)."""
        return {}

    @abstractmethod
    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """Update ``param`` in place from ``grad``, using and updating ``state``."""

    def get_config(self) -> dict[str, Any]:
        """Hyperparameters that rebuild this optimizer."""
        return {"learning_rate": self.learning_rate}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    Without momentum (the course's update)::

        W := W - learning_rate * dW

    With momentum mu (velocity v starts at 0; Keras's form, equal to PyTorch's for a fixed
    learning rate)::

        v := mu * v - learning_rate * dW
        W := W + v                              (classical)
        W := W + mu * v - learning_rate * dW    (nesterov=True)
    """

    name = "sgd"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(learning_rate)
        self.momentum = check_number(momentum, "momentum", 0.0, 1.0, low_inclusive=True)
        if nesterov and self.momentum == 0.0:
            raise ValueError("nesterov=True needs a momentum > 0; got momentum=0.0.")
        self.nesterov = bool(nesterov)

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        if self.momentum == 0.0:
            return {}
        return {"velocity": np.zeros_like(param)}

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        lr = self.learning_rate
        # Not BLAS axpy from scipy: scipy's OpenBLAS is a second thread pool, and its spinning
        # threads fight numpy's for the cores (epochs measured 10-40x slower).
        step = np.multiply(grad, lr, out=self._scratch(param))
        if self.momentum == 0.0:
            param -= step
            return
        v = state["velocity"]
        v *= self.momentum
        v -= step
        if self.nesterov:
            ahead = np.multiply(v, self.momentum, out=self._scratch(param, 1))
            ahead -= step
            param += ahead
        else:
            param += v

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), epsilon added to the square root::

        s := rho * s + (1 - rho) * dW**2
        W := W - learning_rate * dW / (sqrt(s) + epsilon)
    """

    name = "rmsprop"

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-7):
        super().__init__(learning_rate)
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


class Adam(Optimizer):
    """Adam, Algorithm 1 of Kingma & Ba (2015), epsilon added to sqrt(v_hat) as in PyTorch.

    With t the step count (1, 2, ...) and m, v starting at 0::

        m := beta_1 * m + (1 - beta_1) * dW
        v := beta_2 * v + (1 - beta_2) * dW**2
        m_hat = m / (1 - beta_1**t)
        v_hat = v / (1 - beta_2**t)
        W := W - learning_rate * m_hat / (sqrt(v_hat) + epsilon)
    """

    name = "adam"

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8):
        super().__init__(learning_rate)
        self.beta_1 = check_number(beta_1, "beta_1", 0.0, 1.0, low_inclusive=True)
        self.beta_2 = check_number(beta_2, "beta_2", 0.0, 1.0, low_inclusive=True)
        self.epsilon = check_number(epsilon, "epsilon", 0.0)

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        return {"m": np.zeros_like(param), "v": np.zeros_like(param)}

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
                "epsilon": self.epsilon}


class LBFGS(Optimizer):
    """Full-batch L-BFGS: ``scipy.optimize.minimize(method='L-BFGS-B')`` on one flat vector.

    Every parameter of the model is laid end to end (in the model's order, each raveled in
    C order) into theta; the objective is the full-batch loss J(theta) (plus any
    regularization penalty) and its gradient is the backward pass's dW, db, ... flattened the
    same way. This is how scikit-learn's MLP runs L-BFGS. No learning rate: the step length
    comes from the line search.

    ``Sequential.fit`` recognizes it and runs one minimization over all of X (``batch_size``,
    ``shuffle`` and ``epochs`` are ignored); the History gets one entry per L-BFGS iteration.

    Parameters
    ----------
    max_iter : int, default 200
        Maximum number of L-BFGS iterations.
    tol : float, default 1e-5
        Stop when the largest component of the gradient is below ``tol`` (SciPy's ``gtol``).
    max_fun : int, default 15000
        Maximum number of loss/gradient evaluations (line-search steps count).
    history_size : int, default 10
        Number of (s, y) correction pairs kept (SciPy's ``maxcor``).

    Attributes
    ----------
    result_ : scipy.optimize.OptimizeResult
        The last minimization's result (``nit``, ``nfev``, ``message``, ``fun``).
    """

    name = "lbfgs"

    def __init__(self, max_iter: int = 200, tol: float = 1e-5, max_fun: int = 15000,
                 history_size: int = 10) -> None:
        super().__init__(learning_rate=1.0)  # unused: the line search picks each step
        self.max_iter = check_positive_int(max_iter, "max_iter")
        self.max_fun = check_positive_int(max_fun, "max_fun")
        self.history_size = check_positive_int(history_size, "history_size")
        self.tol = check_number(tol, "tol", 0.0, low_inclusive=True)
        self.result_: Any = None

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        raise TypeError("LBFGS does not take per-batch steps: use it through Sequential.fit (or "
                        "LBFGS.minimize), which hands it the whole batch.")

    @staticmethod
    def flat_objective(layers: list[Any], evaluate: Callable[[], float]
                       ) -> tuple[np.ndarray, Callable[[np.ndarray], tuple[float, np.ndarray]]]:
        """The loss as a function of one flat float64 vector.

        Parameters
        ----------
        layers : list of Layer
            Layers whose ``params`` make theta, in order (each dict in its own order); their
            ``grads`` are read after every evaluation.
        evaluate : callable
            ``evaluate() -> J``: runs forward and backward at the current parameter values,
            fills every grad, returns the loss.

        Returns
        -------
        theta0 : ndarray (n,)
            The current parameters, laid end to end.
        fun : callable
            ``fun(theta) -> (J, dJ/dtheta)``; writes theta into the parameters (in place) first.
        """
        slots = parameter_slots(layers)
        bounds = np.cumsum([0, *(slot.value.size for slot in slots)])
        theta0 = np.concatenate([slot.value.ravel() for slot in slots]).astype(np.float64)
        spans = list(zip(slots, bounds[:-1], bounds[1:], strict=True))

        def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
            for slot, lo, hi in spans:
                param = slot.value  # written in place: references stay valid
                param[...] = theta[lo:hi].reshape(param.shape)
            value = float(evaluate())
            gradient = np.empty_like(theta0)
            for slot, lo, hi in spans:  # read afresh: a layer may rebind its grads
                gradient[lo:hi] = np.ravel(slot.grad)
            return value, gradient

        return theta0, fun

    def minimize(self, layers: list[Any], evaluate: Callable[[], float],
                 callback: Callable[[int, float], None] | None = None) -> Any:
        """Minimize ``evaluate()`` over the parameters of ``layers`` (see :meth:`flat_objective`).

        ``callback(iteration, J)`` runs after each L-BFGS iteration; raising StopIteration in
        it ends the run. On return the parameters hold the final iterate.
        """
        from scipy.optimize import minimize

        theta0, fun = self.flat_objective(layers, evaluate)
        count = [0]

        def on_iteration(intermediate_result: Any) -> None:
            count[0] += 1
            if callback is not None:
                callback(count[0] - 1, float(intermediate_result.fun))

        result = minimize(fun, theta0, jac=True, method="L-BFGS-B", callback=on_iteration,
                          options={"maxiter": self.max_iter, "maxfun": self.max_fun,
                                   "gtol": self.tol, "maxcor": self.history_size})
        fun(result.x)  # the last evaluation may have been a rejected line-search point
        self.iterations += int(result.nit)
        self.result_ = result
        return result

    def get_config(self) -> dict[str, Any]:
        return {"max_iter": self.max_iter, "tol": self.tol, "max_fun": self.max_fun,
                "history_size": self.history_size}


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "lbfgs": LBFGS}


def get(identifier: str | Optimizer) -> Optimizer:
    """Resolve an optimizer by name ('sgd', 'rmsprop', 'adam', 'lbfgs', default settings) or instance."""
    return resolve(identifier, Optimizer, OPTIMIZERS, "optimizer")
