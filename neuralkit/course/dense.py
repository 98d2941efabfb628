"""The course's week-4 functions (an L-layer network on column-major arrays), computed by
neuralkit's Dense, ReLU and Sigmoid layers, loss and optimizer (see :mod:`neuralkit.course`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..layers.activations import LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from ..layers.base import Layer
from ..layers.dense import Dense
from ..losses import BinaryCrossEntropy
from ..models.sequential import Sequential
from ..optimizers import SGD

Parameters = dict[str, np.ndarray]
#: One layer's cache, as in the course: ((A_prev, W, b), Z), all column-major.
Cache = tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]

_ACTIVATIONS: dict[str, type[Layer]] = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh,
                                        "linear": Linear, "leaky_relu": LeakyReLU,
                                        "softmax": Softmax}


def _n_layers(parameters: Any) -> int:
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict {{'W1': ..., 'b1': ..., ...}}; got "
                        f"{type(parameters).__name__}.")
    L = 0
    while f"W{L + 1}" in parameters:
        L += 1
    expected = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}
    if L == 0 or set(parameters) != expected:
        raise ValueError(
            f"parameters must hold exactly W1, b1, ..., WL, bL; got keys {sorted(parameters)}."
        )
    return L


def _dense_from(W: Any, b: Any, l: int) -> Dense:
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"W{l} must be 2-D (n[{l}], n[{l - 1}]); got shape {W.shape}.")
    if b.shape not in ((W.shape[0], 1), (W.shape[0],)):
        raise ValueError(f"b{l} must have shape ({W.shape[0]}, 1) to match W{l} {W.shape}; got "
                         f"{b.shape}.")
    dense = Dense(W.shape[0], input_dim=W.shape[1])
    dense.build(W.shape[1])
    dense.params["W"][...] = W
    dense.params["b"][...] = b.reshape(-1)
    return dense


def _check_X(X: Any, n_x: int, name: str = "X") -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] != n_x:
        raise ValueError(
            f"{name} must have the course's column layout (n_x, m) = ({n_x}, m) to match W1; "
            f"got shape {X.shape}." + (" It looks like samples as rows: pass X.T."
                                       if X.ndim == 2 and X.shape[1] == n_x else "")
        )
    return X


def _check_Y(Y: Any, m: int) -> np.ndarray:
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim == 1:
        Y = Y.reshape(1, -1)
    if Y.shape != (1, m):
        raise ValueError(f"Y must have shape (1, m) = (1, {m}); got {Y.shape}.")
    return Y


def initialize_parameters_deep(layer_dims: Sequence[int], seed: int = 3,
                               scale: float | str = 0.01) -> Parameters:
    """W[l] = randn(n[l], n[l-1]) * scale, b[l] = zeros((n[l], 1)), for l = 1..L.

    Parameters
    ----------
    layer_dims : sequence of int
        [n0, n1, ..., nL], input size first.
    seed : int, default 3
        The assignment's seed (``np.random.seed(3)``); drawn layer by layer from a private
        ``RandomState(seed)`` so the values equal the assignment's.
    scale : float or 'fan_in', default 0.01
        0.01 as in the "step by step" assignment; ``'fan_in'`` divides by sqrt(n[l-1]) as in
        the "application" assignment's cat classifier.

    Returns
    -------
    dict
        ``{'W1': (n1, n0), 'b1': (n1, 1), ..., 'WL': (nL, n[L-1]), 'bL': (nL, 1)}``.
    """
    dims = list(layer_dims) if isinstance(layer_dims, Sequence) else None
    if not dims or len(dims) < 2 or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in dims):
        raise ValueError(f"layer_dims must be a list of at least two integers >= 1 (n0, n1, ...); "
                         f"got {layer_dims!r}.")
    if not (scale == "fan_in" or (isinstance(scale, (int, float)) and not isinstance(scale, bool)
                                  and np.isfinite(scale) and scale > 0)):
        raise ValueError(f"scale must be a positive number or 'fan_in'; got {scale!r}.")
    rng = np.random.RandomState(seed)
    parameters: Parameters = {}
    for l in range(1, len(dims)):
        factor = 1.0 / np.sqrt(dims[l - 1]) if scale == "fan_in" else float(scale)
        parameters[f"W{l}"] = rng.randn(dims[l], dims[l - 1]) * factor
        parameters[f"b{l}"] = np.zeros((dims[l], 1))
    return parameters


def L_model_forward(X: Any, parameters: Parameters) -> tuple[np.ndarray, list[Cache]]:
    """[LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID, on column-major X (n_x, m).

    Each layer runs ``Dense.forward`` (Z = A_prev @ W.T + b on rows) and the activation's
    forward on X.T; the results are handed back in the course's layout.

    Returns
    -------
    AL : ndarray, shape (1, m)
        Output probabilities.
    caches : list of ((A_prev, W, b), Z), one per layer
        Column-major: A_prev (n[l-1], m), W (n[l], n[l-1]), b (n[l], 1), Z (n[l], m).
    """
    L = _n_layers(parameters)
    W1 = np.asarray(parameters["W1"])
    A = _check_X(X, W1.shape[1] if W1.ndim == 2 else -1).T
    caches: list[Cache] = []
    for l in range(1, L + 1):
        dense = _dense_from(parameters[f"W{l}"], parameters[f"b{l}"], l)
        if dense.input_dim != A.shape[1]:
            raise ValueError(f"W{l} has shape {dense.params['W'].shape} but layer {l - 1} gives "
                             f"{A.shape[1]} values per example; expected W{l} of shape "
                             f"({dense.units}, {A.shape[1]}).")
        activation = Sigmoid() if l == L else ReLU()
        Z = dense.forward(A, training=True)
        caches.append(((A.T.copy(), dense.params["W"].copy(), dense.params["b"].reshape(-1, 1).copy()),
                       Z.T.copy()))
        A = activation.forward(Z, training=True)
    return A.T.copy(), caches


def compute_cost(AL: Any, Y: Any) -> float:
    """Cross-entropy cost J = -(1/m) sum(Y log AL + (1 - Y) log(1 - AL)), AL and Y (1, m).

    Computed by :class:`neuralkit.losses.BinaryCrossEntropy` (AL clipped to
    [1e-7, 1 - 1e-7], so a saturated sigmoid gives a large finite cost, not NaN).
    """
    AL = np.asarray(AL, dtype=np.float64)
    if AL.ndim != 2 or AL.shape[0] != 1:
        raise ValueError(f"AL must have shape (1, m); got {AL.shape}.")
    Y = _check_Y(Y, AL.shape[1])
    return BinaryCrossEntropy().forward(AL.T, Y.T)


def L_model_backward(AL: Any, Y: Any, caches: list[Cache]) -> dict[str, np.ndarray]:
    """Gradients of :func:`compute_cost` for every layer, in the course's layout.

    Runs the fused sigmoid + cross-entropy backward of :class:`BinaryCrossEntropy`
    (dZ[L] = (AL - Y) / m), then ``Dense.backward`` and ``ReLU.backward`` layer by layer.

    Returns
    -------
    dict
        'dW{l}' (n[l], n[l-1]) and 'db{l}' (n[l], 1) for l = 1..L, and 'dA{l}' (n[l], m)
        for l = 0..L-1 — the course's dA_prev = W^T dZ, which carries no 1/m (neuralkit's
        row-layout dA, which does, times m).
    """
    if not isinstance(caches, (list, tuple)) or not caches:
        raise TypeError("caches must be the list returned by L_model_forward.")
    AL = np.asarray(AL, dtype=np.float64)
    L = len(caches)
    m = AL.shape[1] if AL.ndim == 2 else -1
    if AL.ndim != 2 or AL.shape[0] != 1 or caches[-1][1].shape != AL.shape:
        raise ValueError(f"AL must have shape (1, m) matching the last cache's Z "
                         f"{caches[-1][1].shape}; got {AL.shape}.")
    Y = _check_Y(Y, m)
    loss = BinaryCrossEntropy()
    loss.forward_logits(caches[-1][1].T, Y.T, AL.T)
    dA = loss.backward_logits()  # already dZ[L] (m, 1): the sigmoid's backward is fused
    grads: dict[str, np.ndarray] = {}
    for l in range(L, 0, -1):
        (A_prev, W, b), Z = caches[l - 1]
        dense = _dense_from(W, b, l)
        if l < L:
            relu = ReLU()
            relu.cache = np.maximum(Z.T, 0)
            dA = relu.backward(dA)
        dense.cache = A_prev.T
        dA = dense.backward(dA)
        grads[f"dA{l - 1}"] = dA.T * m
        grads[f"dW{l}"] = dense.grads["W"].copy()
        grads[f"db{l}"] = dense.grads["b"].reshape(-1, 1).copy()
    return grads


def update_parameters(parameters: Parameters, grads: dict[str, np.ndarray],
                      learning_rate: float) -> Parameters:
    """One step of gradient descent, W[l] := W[l] - learning_rate dW[l] (same for b).

    Runs :class:`neuralkit.optimizers.SGD` on copies: the dict passed in is not modified.
    """
    L = _n_layers(parameters)
    sgd = SGD(learning_rate)
    updated = {}
    for l in range(1, L + 1):
        for p in "Wb":
            key = f"{p}{l}"
            if f"d{key}" not in grads:
                raise ValueError(f"grads has no 'd{key}'; got keys {sorted(grads)}.")
            value = np.array(parameters[key], dtype=np.float64)
            grad = np.asarray(grads[f"d{key}"], dtype=np.float64)
            if grad.shape != value.shape:
                raise ValueError(f"grads['d{key}'] has shape {grad.shape}; expected {value.shape} "
                                 f"like parameters['{key}'].")
            sgd.update(value, grad, {})
            updated[key] = value
    return updated


def predict(X: Any, y: Any, parameters: Parameters, verbose: bool = True) -> np.ndarray:
    """0/1 predictions p (1, m) = [AL > 0.5]; prints the accuracy against y as the course does.

    Parameters
    ----------
    X : array, shape (n_x, m)
    y : array, shape (1, m)
    parameters : dict
    verbose : bool, default True
        Print ``Accuracy: ...`` (the assignment's output).
    """
    AL, _ = L_model_forward(X, parameters)
    p = (AL > 0.5).astype(np.float64)
    y = _check_Y(y, AL.shape[1])
    if verbose:
        print(f"Accuracy: {np.mean(p == y)}")
    return p


def to_sequential(parameters: Parameters, activations: str | Sequence[str] | None = None,
                  dtype: str = "float64", seed: int | None = None) -> Sequential:
    """A :class:`Sequential` holding the course's parameters: Dense layers plus activations.

    Parameters
    ----------
    parameters : dict
        ``{'W1': (n1, n0), 'b1': (n1, 1), ...}`` (biases as (n, 1) or (n,)).
    activations : str or list of str, optional
        One name per layer from 'relu', 'tanh', 'sigmoid', 'linear', 'leaky_relu',
        'softmax'; a single name means that activation for the hidden layers with a sigmoid
        output. Default: ReLU hidden layers and a sigmoid output, as in
        :func:`L_model_forward`.
    dtype, seed : passed to Sequential.

    Returns
    -------
    Sequential
        Built, with copies of the parameters; ``model.get_parameters()`` gives them back.
    """
    L = _n_layers(parameters)
    if activations is None or isinstance(activations, str):
        hidden = activations or "relu"
        activations = [hidden] * (L - 1) + ["sigmoid"]
    activations = list(activations)
    if len(activations) != L:
        raise ValueError(f"activations must name one activation per layer ({L}); got "
                         f"{len(activations)}: {activations}.")
    layers: list[Layer] = []
    for l, name in enumerate(activations, start=1):
        if not isinstance(name, str) or name.lower() not in _ACTIVATIONS:
            raise ValueError(f"activations[{l - 1}] must be one of {sorted(_ACTIVATIONS)}; "
                             f"got {name!r}.")
        W = np.asarray(parameters[f"W{l}"])
        if W.ndim != 2:
            raise ValueError(f"W{l} must be 2-D (n[{l}], n[{l - 1}]); got shape {W.shape}.")
        layers += [Dense(W.shape[0], input_dim=W.shape[1] if l == 1 else None),
                   _ACTIVATIONS[name.lower()]()]
    model = Sequential(layers, seed=seed, dtype=dtype)
    model.set_parameters(parameters)  # checks every shape before writing anything
    return model


__all__ = ["initialize_parameters_deep", "L_model_forward", "compute_cost", "L_model_backward",
           "update_parameters", "predict", "to_sequential"]
