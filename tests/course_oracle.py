"""The course's L-layer network, procedurally: the oracle the tests check neuralkit's numbers with.

Plain NumPy functions with the names and the formulas of the course (Deep Learning
Specialization, course 1 week 4, "Building your deep neural network: step by step"; L2 from
course 2 week 1). Written from the course, never from neuralkit: this module must not import
neuralkit, or it would stop being an oracle.

Layout
    The course puts examples in columns: X (n_x, m), A[l] (n[l], m), Y (n_y, m). neuralkit puts
    them in rows: X (m, n_x). Every function that takes data takes ``layout="columns"`` (the
    course, the default) or ``layout="rows"``. The parameters have the course's shapes in both:
    W[l] (n[l], n[l-1]) and b[l] (n[l], 1); a b of shape (n[l],) works too, and db keeps b's
    shape. In the rows layout data comes in and goes out in rows; the formulas below are applied
    to its transpose, so they are written once, as in the course.

Activations, one per layer (``activations=["relu", ..., "sigmoid"]``, the course's default)
    "relu", "sigmoid", "tanh", "linear", "leaky_relu" (slope 0.01, or ("leaky_relu", alpha)),
    "softmax" (over the n[l] units of each example).

Costs (``loss=``)
    "binary_crossentropy"       J = -1/(m n_y) sum(Y log A + (1 - Y) log(1 - A))
    "categorical_crossentropy"  J = -1/m sum(Y log A)                (Y one-hot)
    "mse"                       J = 1/(m n_y) sum((A - Y)^2)
    With n_y = 1 these are the course's binary cost and the seed's movie-rating cost. L2 (the
    course's ``lambd``) adds lambd/(2m) sum_l ||W[l]||_F^2 to J and lambd/m W[l] to dW[l].

Where neuralkit deliberately departs from the course, an option gives its variant:
    fused_output=True   backpropagation starts from dZ[L] = (A[L] - Y) / n_y (sigmoid with binary
                        cross-entropy) or dZ[L] = A[L] - Y (softmax with categorical
                        cross-entropy), instead of the course's dA[L] = -(Y/A - (1-Y)/(1-A)) /
                        n_y through the activation's derivative. Same gradient in exact
                        arithmetic; it differs where the output saturates.
    epsilon=1e-7        probabilities are clipped before the logs, to [epsilon, 1 - epsilon]
                        (binary) or [epsilon, 1] (categorical), in the cost and in dA[L]. By
                        default there is no clipping, as in the course.

Caches are the course's: ``cache = (linear_cache, activation_cache)`` with
``linear_cache = (A_prev, W, b)`` and ``activation_cache = Z``; grads are the course's dict with
dA0 .. dA{L-1}, dW1 .. dWL and db1 .. dbL.
"""

from __future__ import annotations

import numpy as np

ACTIVATIONS = ("relu", "sigmoid", "tanh", "linear", "leaky_relu", "softmax")
LOSSES = ("binary_crossentropy", "categorical_crossentropy", "mse")
LEAKY_RELU_SLOPE = 0.01


# ---------------------------------------------------------------------- layouts
def _columns(array, layout):
    """The array in the course's layout (examples in columns); its own inverse."""
    if layout == "columns":
        return array
    if layout == "rows":
        return array.T
    raise ValueError(f"layout must be 'columns' or 'rows'; got {layout!r}")


# ---------------------------------------------------------------------- activations
def sigmoid(Z):
    """A = 1 / (1 + exp(-Z))."""
    with np.errstate(over="ignore"):  # exp(-Z) = inf for Z < -709: A = 0, as it should
        return 1 / (1 + np.exp(-Z))


def relu(Z):
    """A = max(0, Z)."""
    return np.maximum(0, Z)


def tanh(Z):
    """A = tanh(Z) = (exp(Z) - exp(-Z)) / (exp(Z) + exp(-Z))."""
    return np.tanh(Z)


def linear(Z):
    """A = Z."""
    return Z


def leaky_relu(Z, alpha=LEAKY_RELU_SLOPE):
    """A = Z where Z > 0, alpha Z elsewhere."""
    return np.where(Z > 0, Z, alpha * Z)


def softmax(Z, axis=0):
    """A_i = exp(Z_i) / sum_j exp(Z_j) over the units (axis 0 in columns, 1 in rows), computed
    on Z - max(Z) so that no exp overflows."""
    E = np.exp(Z - np.max(Z, axis=axis, keepdims=True))
    return E / np.sum(E, axis=axis, keepdims=True)


def _name_and_slope(activation):
    name, alpha = (activation, LEAKY_RELU_SLOPE) if isinstance(activation, str) else activation
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}; got {name!r}")
    return name, alpha


def activation_forward(Z, activation):
    """A = g(Z) for Z in the columns layout."""
    name, alpha = _name_and_slope(activation)
    if name == "leaky_relu":
        return leaky_relu(Z, alpha)
    if name == "softmax":
        return softmax(Z, axis=0)
    return {"relu": relu, "sigmoid": sigmoid, "tanh": tanh, "linear": linear}[name](Z)


def activation_backward(dA, Z, activation):
    """dZ = dA * g'(Z), for dA and Z in the columns layout (the course's relu_backward and
    sigmoid_backward, and the other activations' derivatives):

        relu        dZ = dA * (Z > 0)
        sigmoid     dZ = dA * s (1 - s),  s = sigmoid(Z)
        tanh        dZ = dA * (1 - tanh(Z)^2)
        linear      dZ = dA
        leaky_relu  dZ = dA * (1 where Z > 0, alpha elsewhere)
        softmax     dZ = A * (dA - sum_units(A * dA)),  A = softmax(Z)   (the Jacobian's product)
    """
    name, alpha = _name_and_slope(activation)
    if name == "relu":
        return dA * (Z > 0)
    if name == "sigmoid":
        s = sigmoid(Z)
        return dA * s * (1 - s)
    if name == "tanh":
        return dA * (1 - np.tanh(Z) ** 2)
    if name == "linear":
        return dA
    if name == "leaky_relu":
        return dA * np.where(Z > 0, 1.0, alpha)
    A = softmax(Z, axis=0)
    return A * (dA - np.sum(A * dA, axis=0, keepdims=True))


def _activations(activations, L):
    """One activation per layer; None is the course's: ReLU on the hidden layers, a sigmoid out."""
    if activations is None:
        activations = ["relu"] * (L - 1) + ["sigmoid"]
    activations = list(activations)
    if len(activations) != L:
        raise ValueError(f"one activation per layer: {L} layers, {len(activations)} activations")
    return activations


# ---------------------------------------------------------------------- initialization
def initialize_parameters_deep(layer_dims, rng=None, scale=0.01):
    """W[l] = randn(n[l], n[l-1]) * scale, b[l] = zeros((n[l], 1)) for l = 1 .. L.

    ``rng`` draws the normals (a NumPy Generator or RandomState); None is the assignment's
    np.random.seed(3).
    """
    rng = np.random.RandomState(3) if rng is None else rng
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * scale
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


# ---------------------------------------------------------------------- forward propagation
def linear_forward(A_prev, W, b, layout="columns"):
    """Z = W A_prev + b. Returns Z and the linear cache (A_prev, W, b)."""
    Z = np.dot(W, _columns(A_prev, layout)) + np.reshape(b, (-1, 1))
    return _columns(Z, layout), (A_prev, W, b)


def linear_activation_forward(A_prev, W, b, activation, layout="columns"):
    """A = g(W A_prev + b). Returns A and the cache ((A_prev, W, b), Z)."""
    Z, linear_cache = linear_forward(A_prev, W, b, layout)
    A = _columns(activation_forward(_columns(Z, layout), activation), layout)
    return A, (linear_cache, Z)


def L_model_forward(X, parameters, activations=None, layout="columns"):
    """A[0] = X; A[l] = g[l](W[l] A[l-1] + b[l]) for l = 1 .. L. Returns A[L] and the L caches."""
    L = len(parameters) // 2
    activations = _activations(activations, L)
    A, caches = X, []
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                             activations[l - 1], layout)
        caches.append(cache)
    return A, caches


# ---------------------------------------------------------------------- cost
def _check_loss(loss):
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")


def _clipped(AL, loss, epsilon):
    if epsilon is None:
        return AL
    return np.clip(AL, epsilon, 1 - epsilon if loss == "binary_crossentropy" else 1.0)


def compute_cost(AL, Y, loss="binary_crossentropy", layout="columns", epsilon=None,
                 parameters=None, lambd=0.0):
    """The cost J of A[L] against Y (see the module's docstring for each loss), plus the
    course's L2 term lambd/(2m) sum_l ||W[l]||^2 when ``lambd`` and ``parameters`` are given."""
    _check_loss(loss)
    AL, Y = _columns(AL, layout), _columns(Y, layout)
    if AL.shape != Y.shape:
        raise ValueError(f"AL has shape {AL.shape} but Y has {Y.shape}")
    n_y, m = Y.shape
    AL = _clipped(AL, loss, epsilon)
    if loss == "binary_crossentropy":
        cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / (m * n_y)
    elif loss == "categorical_crossentropy":
        cost = -np.sum(Y * np.log(AL)) / m
    else:
        cost = np.sum((AL - Y) ** 2) / (m * n_y)
    if lambd:
        weights = [value for key, value in parameters.items() if key.startswith("W")]
        cost = cost + lambd / (2 * m) * sum(np.sum(np.square(W)) for W in weights)
    return float(np.squeeze(cost))


def cost_derivative(AL, Y, loss="binary_crossentropy", epsilon=None):
    """dA[L] = dJ/dA[L] times m (the course's dAL; the 1/m comes in linear_backward), in the
    columns layout:

        binary_crossentropy       dAL = -(Y / A - (1 - Y) / (1 - A)) / n_y
        categorical_crossentropy  dAL = -Y / A
        mse                       dAL = 2 (A - Y) / n_y
    """
    _check_loss(loss)
    n_y = Y.shape[0]
    AL = _clipped(AL, loss, epsilon)
    if loss == "binary_crossentropy":
        return -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)) / n_y
    if loss == "categorical_crossentropy":
        return -np.divide(Y, AL)
    return 2 * (AL - Y) / n_y


# ---------------------------------------------------------------------- backward propagation
def linear_backward(dZ, cache, layout="columns", lambd=0.0):
    """From dZ and the linear cache (A_prev, W, b), m examples:

        dW = 1/m dZ A_prev^T (+ lambd/m W),   db = 1/m sum over examples of dZ,   dA_prev = W^T dZ

    Returns dA_prev, dW, db (db in b's shape)."""
    A_prev, W, b = cache
    dZ, A_prev_columns = _columns(dZ, layout), _columns(A_prev, layout)
    m = A_prev_columns.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev_columns.T) + lambd / m * W
    db = np.reshape(1 / m * np.sum(dZ, axis=1, keepdims=True), np.shape(b))
    dA_prev = np.dot(W.T, dZ)
    return _columns(dA_prev, layout), dW, db


def linear_activation_backward(dA, cache, activation, layout="columns", lambd=0.0):
    """dZ = dA * g'(Z), then linear_backward. Returns dA_prev, dW, db."""
    linear_cache, Z = cache
    dZ = activation_backward(_columns(dA, layout), _columns(Z, layout), activation)
    return linear_backward(_columns(dZ, layout), linear_cache, layout, lambd)


_FUSED = {"sigmoid": "binary_crossentropy", "softmax": "categorical_crossentropy"}


def L_model_backward(AL, Y, caches, activations=None, loss="binary_crossentropy",
                     fused_output=False, layout="columns", epsilon=None, lambd=0.0):
    """Backpropagation through the L layers. The course starts from dA[L] (cost_derivative) and
    goes through g[L]'; ``fused_output=True`` starts from dZ[L] = A[L] - Y instead (divided by
    n_y for the binary cross-entropy). Returns the course's grads: dA{l-1}, dW{l}, db{l}."""
    L = len(caches)
    activations = _activations(activations, L)
    AL_columns, Y_columns = _columns(AL, layout), _columns(Y, layout)
    grads = {}
    if fused_output:
        output = _name_and_slope(activations[-1])[0]
        if _FUSED.get(output) != loss:
            raise ValueError(f"fused_output needs sigmoid with binary_crossentropy or softmax with "
                             f"categorical_crossentropy; got {output} with {loss}")
        dZ = AL_columns - Y_columns
        if loss == "binary_crossentropy":
            dZ = dZ / Y_columns.shape[0]
        grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(
            _columns(dZ, layout), caches[L - 1][0], layout, lambd)
    else:
        dAL = cost_derivative(AL_columns, Y_columns, loss, epsilon)
        grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_activation_backward(
            _columns(dAL, layout), caches[L - 1], activations[L - 1], layout, lambd)
    for l in reversed(range(L - 1)):
        grads[f"dA{l}"], grads[f"dW{l + 1}"], grads[f"db{l + 1}"] = linear_activation_backward(
            grads[f"dA{l + 1}"], caches[l], activations[l], layout, lambd)
    return grads


# ---------------------------------------------------------------------- gradient descent
def update_parameters(parameters, grads, learning_rate):
    """W[l] := W[l] - learning_rate dW[l], b[l] := b[l] - learning_rate db[l]. Returns a new dict
    (the given one is left alone)."""
    return {key: value - learning_rate * grads[f"d{key}"] for key, value in parameters.items()}


def L_layer_model(X, Y, parameters, learning_rate, num_iterations, activations=None,
                  loss="binary_crossentropy", fused_output=False, layout="columns", epsilon=None,
                  lambd=0.0):
    """Batch gradient descent, the course's L_layer_model loop: forward, cost, backward, update,
    ``num_iterations`` times. Unlike the course's, it starts from the given ``parameters`` (so
    that a model can start from the same ones) and records the cost of every iteration, taken
    before that iteration's update. Returns the final parameters and the costs."""
    costs = []
    for _ in range(num_iterations):
        AL, caches = L_model_forward(X, parameters, activations, layout)
        costs.append(compute_cost(AL, Y, loss, layout, epsilon, parameters, lambd))
        grads = L_model_backward(AL, Y, caches, activations, loss, fused_output, layout, epsilon,
                                 lambd)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs
