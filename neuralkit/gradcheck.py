"""Finite-difference gradient checks for layers, losses and whole models.

Central differences in float64::

    g_approx[i] = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)

compared with the analytic gradient g by the course's criterion::

    relative error = ||g - g_approx|| / (||g|| + ||g_approx||)  <  1e-7

A layer is checked through the scalar J = sum(G * layer.forward(X)) for a fixed random G,
whose gradient with respect to the output is G: ``layer.backward(G)`` must then give dJ/dX
and ``layer.grads``. Parameters are temporarily made float64 and restored afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import GradientCheckError
from .layers.base import Layer
from .losses import Loss
from .training.step import GradientStep

__all__ = ["check_layer", "check_loss", "check_model", "numerical_gradient", "relative_error",
           "GradientCheckError", "TOLERANCE"]

#: The course's threshold on the relative error.
TOLERANCE = 1e-7


def relative_error(g: np.ndarray, g_approx: np.ndarray) -> float:
    """||g - g_approx|| / (||g|| + ||g_approx||), 0 when both are zero."""
    denom = np.linalg.norm(g) + np.linalg.norm(g_approx)
    return 0.0 if denom == 0 else float(np.linalg.norm(g - g_approx) / denom)


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to ``x``, changed in place."""
    grad = np.zeros(x.shape, dtype=np.float64)
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        saved = flat_x[i]
        flat_x[i] = saved + eps
        plus = f()
        flat_x[i] = saved - eps
        minus = f()
        flat_x[i] = saved
        flat_g[i] = (plus - minus) / (2 * eps)
    return grad


class _Float64Params:
    """Within the block, a layer's parameters and gradients are float64 copies."""

    def __init__(self, layers: list[Layer]) -> None:
        self.layers = layers

    def __enter__(self) -> None:
        self.saved = [(layer.params, layer.grads, layer.dtype) for layer in self.layers]
        for layer in self.layers:
            layer.params = {k: v.astype(np.float64) for k, v in layer.params.items()}
            layer.grads = {k: v.astype(np.float64) for k, v in layer.grads.items()}
            layer.dtype = np.dtype(np.float64)

    def __exit__(self, *exc: Any) -> None:
        for layer, (params, grads, dtype) in zip(self.layers, self.saved, strict=True):
            layer.params, layer.grads, layer.dtype = params, grads, dtype


def check_layer(layer: Layer, X: np.ndarray, eps: float = 1e-6, seed: int = 0,
                tolerance: float = TOLERANCE, raise_on_failure: bool = True) -> dict[str, float]:
    """Check a layer's backward against finite differences at input X (m, n_in), or any
    (m, *input_shape) such as images (m, n_H, n_W, n_C).

    Returns
    -------
    dict
        Relative error for the input ('X') and each parameter name.

    Raises
    ------
    GradientCheckError
        When an error is above ``tolerance`` (and ``raise_on_failure``).
    """
    X = np.array(X, dtype=np.float64)
    if X.ndim < 2:
        raise ValueError(f"X must be at least 2-D, samples as rows: (m, n_in), or (m, "
                         f"*input_shape) such as images (m, n_H, n_W, n_C); got shape {X.shape}.")
    layer._ensure_built(X.shape[1:])
    with _Float64Params([layer]):
        G = np.random.default_rng(seed).standard_normal(layer.forward(X, True).shape)

        def objective() -> float:
            return float(np.sum(G * layer.forward(X, True)))

        objective()
        dX = layer.backward(G.copy())
        analytic = {name: np.array(g, dtype=np.float64) for name, g in layer.grads.items()}
        errors = {}
        if dX is not None:
            errors["X"] = relative_error(dX, numerical_gradient(objective, X, eps))
        for name, param in layer.params.items():
            errors[name] = relative_error(analytic[name], numerical_gradient(objective, param, eps))
    return _report(f"{type(layer).__name__} '{layer.name}'", errors, tolerance, raise_on_failure)


def check_loss(loss: Loss, Y_hat: np.ndarray, Y: np.ndarray, eps: float = 1e-6,
               tolerance: float = TOLERANCE, raise_on_failure: bool = True) -> dict[str, float]:
    """Check ``loss.backward()`` against finite differences of ``loss.forward`` at Y_hat."""
    Y_hat = np.array(Y_hat, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    loss.forward(Y_hat, Y)
    analytic = np.array(loss.backward(), dtype=np.float64)
    approx = numerical_gradient(lambda: loss.forward(Y_hat, Y), Y_hat, eps)
    return _report(type(loss).__name__, {"Y_hat": relative_error(analytic, approx)}, tolerance,
                   raise_on_failure)


def check_model(model: Any, X: Any, Y: Any, eps: float = 1e-6, tolerance: float = TOLERANCE,
                raise_on_failure: bool = True) -> dict[str, float]:
    """Check every parameter gradient of a Sequential model on (X, Y).

    Uses the model's loss (compiled or inferred), including the fused output path and any
    regularization penalty. The parameters are not changed.

    Returns
    -------
    dict
        Relative error per parameter, keyed like ``model.get_parameters()`` ('W1', 'b1', ...).
        The analytic gradients are taken from one backward pass before any perturbation.
    """
    loss = model._resolved_loss()
    X, Y = model._check_xy(X, Y, loss)
    model._build_layers(X.shape[1:])
    X, Y = X.astype(np.float64), Y.astype(np.float64)
    with _Float64Params(model.layers), GradientStep(model.layers, loss) as step:

        def objective() -> float:
            return step.forward_loss(X, Y)[0]

        step.gradients(X, Y)
        errors = {}
        for slot in step.slots:
            analytic = np.array(slot.grad, dtype=np.float64)
            approx = numerical_gradient(objective, slot.value, eps)
            errors[slot.course_key] = relative_error(analytic, approx)
    return _report("model", errors, tolerance, raise_on_failure)


def _report(what: str, errors: dict[str, float], tolerance: float,
            raise_on_failure: bool) -> dict[str, float]:
    bad = {k: v for k, v in errors.items() if not v < tolerance}
    if bad and raise_on_failure:
        detail = ", ".join(f"{k}: {v:.3e}" for k, v in bad.items())
        raise GradientCheckError(
            f"gradient check failed for {what}: relative error above {tolerance:g} for {detail}."
        )
    return errors
