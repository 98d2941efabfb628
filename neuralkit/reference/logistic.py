"""The course's logistic-regression gradient-descent step, looped and vectorized.

One step on m examples: forward (z, a), cost J, backward (dz, dw, db), update::

    z(i) = w^T x(i) + b        a(i) = sigma(z(i))
    J    = (1/m) sum_i -(y(i) log a(i) + (1 - y(i)) log(1 - a(i)))
    dz(i) = a(i) - y(i)        dw = (1/m) sum_i x(i) dz(i)        db = (1/m) sum_i dz(i)
    w := w - alpha dw          b := b - alpha db

Samples are rows here, as everywhere in neuralkit: X is (m, n_x), y is (m,), w is (n_x,).
The course stacks samples as columns, X_course (n_x, m) and Y (1, m), and writes the
vectorized step as::

    Z = np.dot(w.T, X_course) + b              # (1, m), w (n_x, 1)
    A = sigmoid(Z)
    dZ = A - Y
    dw = (1 / m) * np.dot(X_course, dZ.T)      # (n_x, 1)
    db = (1 / m) * np.sum(dZ)

With X = X_course.T that is ``Z = X @ w + b`` and ``dw = X.T @ dZ / m``: the same numbers.

The cost is computed from z as softplus(z) - y z, which equals -(y log a + (1 - y) log(1 - a))
exactly but stays finite when a saturates to 0 or 1 (the course's form takes log(0) there).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from scipy.special import expit

from ._scalar import sigmoid, softplus

__all__ = ["LogisticStep", "logistic_step_looped", "logistic_step_vectorized"]


class LogisticStep(NamedTuple):
    """Result of one gradient-descent step of logistic regression.

    Attributes
    ----------
    w : ndarray
        Updated weights, in the shape w was given ((n_x,) or (n_x, 1)).
    b : float
        Updated bias.
    cost : float
        J(w, b) before the update.
    dw : ndarray
        dJ/dw before the update, shaped like w.
    db : float
        dJ/db before the update.
    """

    w: np.ndarray
    b: float
    cost: float
    dw: np.ndarray
    db: float


def logistic_step_looped(X: Any, y: Any, w: Any, b: float, learning_rate: float = 0.01) -> LogisticStep:
    """One step written as the course writes it before vectorizing: two explicit for-loops.

    ::

        J = 0; dw = [0] * n_x; db = 0
        for i in range(m):                      # over examples
            z = b
            for j in range(n_x):                # over features: z = w^T x(i) + b
                z += w[j] * X[i, j]
            a = sigma(z)
            J += -(y[i] log a + (1 - y[i]) log(1 - a))
            dz = a - y[i]
            for j in range(n_x):                # over features again
                dw[j] += X[i, j] * dz           # the course's dw_j += x_j(i) dz(i)
            db += dz
        J /= m; dw[j] /= m; db /= m
        w[j] -= alpha dw[j]; b -= alpha db

    Parameters
    ----------
    X : array-like (m, n_x)
        Samples as rows (the course's X transposed).
    y : array-like (m,), (m, 1) or (1, m)
        Labels in [0, 1].
    w : array-like (n_x,) or (n_x, 1)
    b : float
    learning_rate : float, default 0.01
        alpha, >= 0 (0 computes the gradients without moving).

    Returns
    -------
    LogisticStep
        (w, b, cost, dw, db); the inputs are not modified.
    """
    X, y, w_flat, b, learning_rate, w_shape = _check_inputs(X, y, w, b, learning_rate)
    m, n_x = X.shape
    J = 0.0
    dw = np.zeros(n_x)
    db = 0.0
    for i in range(m):
        z = b
        for j in range(n_x):
            z += w_flat[j] * X[i, j]
        a = sigmoid(float(z))
        J += softplus(float(z)) - y[i] * z
        dz = a - y[i]
        for j in range(n_x):
            dw[j] += X[i, j] * dz
        db += dz
    J = J / m
    for j in range(n_x):
        dw[j] = dw[j] / m
    db = db / m
    w_new = np.empty(n_x)
    for j in range(n_x):
        w_new[j] = w_flat[j] - learning_rate * dw[j]
    b_new = b - learning_rate * db
    return LogisticStep(w_new.reshape(w_shape), float(b_new), float(J), dw.reshape(w_shape), float(db))


def logistic_step_vectorized(X: Any, y: Any, w: Any, b: float,
                             learning_rate: float = 0.01) -> LogisticStep:
    """The same step without a loop (samples as rows)::

        Z  = X @ w + b                     (m,)
        A  = sigma(Z)                      (m,)
        J  = mean(softplus(Z) - y Z)
        dZ = A - y                         (m,)
        dw = X.T @ dZ / m                  (n_x,)
        db = sum(dZ) / m
        w := w - alpha dw;  b := b - alpha db

    Parameters and return value as :func:`logistic_step_looped`.
    """
    X, y, w_flat, b, learning_rate, w_shape = _check_inputs(X, y, w, b, learning_rate)
    m = X.shape[0]
    Z = X @ w_flat + b
    A = expit(Z)
    J = float(np.mean(np.logaddexp(0, Z) - y * Z))
    dZ = A - y
    dw = X.T @ dZ / m
    db = float(np.sum(dZ)) / m
    w_new = w_flat - learning_rate * dw
    return LogisticStep(w_new.reshape(w_shape), b - learning_rate * db, J, dw.reshape(w_shape), db)


def _check_inputs(X: Any, y: Any, w: Any, b: Any, learning_rate: Any
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float, tuple[int, ...]]:
    X = _float_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D with samples as rows, shape (m, n_x); got shape {X.shape}.")
    m, n_x = X.shape
    y = _float_array(y, "y")
    if y.size != m or (y.ndim == 2 and 1 not in y.shape) or y.ndim > 2:
        raise ValueError(f"y must hold one label per row of X, shape ({m},) or ({m}, 1); "
                         f"got shape {y.shape}.")
    w = _float_array(w, "w")
    if w.shape not in ((n_x,), (n_x, 1)):
        raise ValueError(f"w must have shape ({n_x},) or ({n_x}, 1) for X with {n_x} features; "
                         f"got shape {w.shape}.")
    for value, name in ((b, "b"), (learning_rate, "learning_rate")):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a number; got {value!r} ({type(value).__name__}).")
        if not np.isfinite(value):
            raise ValueError(f"{name} must be finite; got {value!r}.")
    if learning_rate < 0:
        raise ValueError(f"learning_rate must be >= 0; got {learning_rate!r}.")
    return X, y.reshape(m), w.reshape(n_x), float(b), float(learning_rate), w.shape


def _float_array(data: Any, name: str) -> np.ndarray:
    array = np.asarray(data)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of numbers; got dtype {array.dtype}.")
    return array.astype(np.float64, copy=False)
