"""LBFGS: SciPy's L-BFGS-B on all of a model's parameters as one vector, full batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._parameters import parameter_slots
from .._validation import check_number, check_positive_int
from .base import Optimizer

__all__ = ["LBFGS"]


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
