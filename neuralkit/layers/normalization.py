"""BatchNormalization: Keras 3's layer, each channel normalized by its batch statistics in
training and by their moving averages in inference."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import initializers
from .._validation import check_number, check_shape
from .base import Layer

__all__ = ["BatchNormalization"]

Rows = tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}.")
    return bool(value)


def channel_sums(rows: np.ndarray) -> np.ndarray:
    """The column sums of ``rows`` (N, C), one per channel, accumulated in float64.

    Float32 rows are cast to float64 in NumPy's buffers as they are added (no float64 copy of
    the data): a reduction over the leading axis adds the N entries one after the other, whose
    rounding error in float32 grows like N 2**-24 (N = m H W reaches 10**5 for a batch of
    images; NumPy's float32 mean of 16384 entries near 100 is off by about 20 ulps), while float64
    accumulators give the float32 statistics correctly rounded for any such N. NumPy's
    reduction rather than a BLAS product ``ones(N) @ rows``: single-threaded, so its timing
    holds when the two cores are shared (BLAS threads fall 3x behind then), and bit for bit
    the same on every run.
    """
    return np.add.reduce(rows, axis=0, dtype=np.float64)


class BatchNormalization(Layer):
    """Batch normalization (Ioffe and Szegedy, 2015) with Keras 3's arguments and semantics.

    Every entry of channel c (the ``axis`` of the input: the features of a Dense output
    (m, C), the channels of images (m, H, W, C)) is normalized by statistics over all the other
    axes, the N = m (or m H W) entries of that channel in the batch.

    Training (``forward(x, training=True)`` on a trainable layer: fit's steps)::

        mu     = (1/N) sum_i x_i                        (C,)   the batch mean
        var    = (1/N) sum_i (x_i - mu)^2               (C,)   the biased batch variance
        x_hat  = (x - mu) / sqrt(var + epsilon)         (shape of x)
        y      = gamma x_hat + beta                     gamma, beta (C,), broadcast on ``axis``

    Backward in training, given dy (the shape of x), sums over the N entries of each channel
    (the full gradient, through mu and var)::

        dbeta  = sum_i dy_i                             (C,)
        dgamma = sum_i dy_i x_hat_i                     (C,)
        dx     = (1/N) gamma / sqrt(var + epsilon) (N dy - dbeta - x_hat dgamma)
               = gamma / sqrt(var + epsilon) (dy - dbeta / N - x_hat dgamma / N)   (computed)

    The moving statistics move after each batch whose update fit applied (:meth:`after_update`,
    from the statistics the batch's forward pass kept; a batch whose update was undone, by a
    NaN loss, a diverging step or an exception, never moves them)::

        moving_mean     = moving_mean     * momentum + mu  * (1 - momentum)
        moving_variance = moving_variance * momentum + var * (1 - momentum)

    Keras 3's rule, with the biased batch variance (PyTorch's running variance takes the
    unbiased var N / (N - 1), and its ``momentum`` is 1 - this one). Inference
    (``training=False``: predict, evaluate, validation) uses the moving statistics::

        y  = gamma (x - moving_mean) / sqrt(moving_variance + epsilon) + beta
        dx = gamma / sqrt(moving_variance + epsilon) dy     (dgamma, dbeta as above)

    ``trainable = False`` freezes the layer as in Keras 3: gamma and beta are not trained, the
    moving statistics do not move, and the layer runs in inference mode even in training (fit
    normalizes with the moving statistics), which is what fine-tuning a pretrained network
    needs. ``center=False`` drops beta (y = gamma x_hat), ``scale=False`` drops gamma.

    Numerics: the variance is the two-pass mean of (x - mu)^2, never negative and exact for a
    channel with a large mean and a small spread (Keras's NumPy and torch backends take
    E[x^2] - mu^2, which cancels there); var + epsilon >= epsilon > 0, so no division by zero;
    a constant channel gives x_hat = 0 exactly. The statistics are in the input's dtype
    (float32 stays float32), their sums accumulated in float64 (:func:`channel_sums`).
    Underflow to 0 of tiny products is allowed quietly (``np.errstate(under="ignore")``), so
    the layer raises nothing under ``np.seterr(all="raise")`` on finite inputs.

    Parameters
    ----------
    axis : int, default -1
        The channel axis of the input, the samples axis counted as 0 (Keras's convention;
        ``axis=1`` for channels-first data). Any axis but the samples axis.
    momentum : float in [0, 1], default 0.99
    epsilon : float > 0, default 1e-3
    center, scale : bool, default True
        Keep beta (the offset) and gamma (the scale).
    beta_initializer, gamma_initializer, moving_mean_initializer, moving_variance_initializer
        'zeros', 'ones' (the defaults: beta and moving_mean 'zeros', gamma and
        moving_variance 'ones'), any of :mod:`neuralkit.initializers`, or ``f(shape, rng)``.
    name : str, optional
    trainable : bool, default True
    input_shape, input_dim : optional
        The shape of one example, on a first layer.

    Attributes
    ----------
    params : {'gamma', 'beta'} (C,), the trained ones (each only when kept).
    state : {'moving_mean', 'moving_variance'} (C,), saved with the model, not trained.
        ``get_weights()`` gives Keras's order: gamma, beta, moving_mean, moving_variance.
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", name: str | None = None,
                 trainable: bool = True, input_shape: tuple[int, ...] | None = None,
                 input_dim: int | None = None) -> None:
        super().__init__(name=name, input_dim=input_dim, input_shape=input_shape,
                         trainable=trainable)
        if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"axis must be an integer (the channel axis); got {axis!r}.")
        if axis == 0:
            raise ValueError("axis must not be 0, the samples axis: BatchNormalization "
                             "normalizes each channel over the batch; got axis=0.")
        self.axis = int(axis)
        self.momentum = check_number(momentum, "momentum", 0.0, 1.0, low_inclusive=True,
                                     high_inclusive=True)
        self.epsilon = check_number(epsilon, "epsilon", 0.0,
                                    hint=" It keeps sqrt(var + epsilon) away from 0.")
        self.center = _flag(center, "center")
        self.scale = _flag(scale, "scale")
        self._initializers = {}
        for key, value in (("beta", beta_initializer), ("gamma", gamma_initializer),
                           ("moving_mean", moving_mean_initializer),
                           ("moving_variance", moving_variance_initializer)):
            self._initializers[key] = (value, initializers.get(value, f"{key}_initializer"))
        self._batch_statistics: tuple[np.ndarray, np.ndarray] | None = None

    # ------------------------------------------------------------------ shapes
    def channel_axis(self, ndim: int) -> int:
        """The channel axis of an input of ``ndim`` axes (samples included), from 1 to ndim - 1."""
        axis = self.axis + ndim if self.axis < 0 else self.axis
        if not 1 <= axis < ndim:
            raise ValueError(
                f"BatchNormalization '{self.name}': axis={self.axis} is not a channel axis of "
                f"inputs with {ndim} axes (samples first); use an axis from 1 to {ndim - 1} or "
                f"from -{ndim - 1} to -1.")
        return axis

    def build(self, input_shape: tuple[int, ...] | int) -> None:
        """gamma, beta, moving_mean and moving_variance, each (C,), for examples ``input_shape``."""
        input_shape = check_shape(input_shape, "input_shape")
        channels = input_shape[self.channel_axis(len(input_shape) + 1) - 1]
        if not np.asarray(self.epsilon, dtype=self.dtype) > 0:
            raise ValueError(f"BatchNormalization '{self.name}': epsilon={self.epsilon!r} rounds "
                             f"to 0 in {self.dtype.name}; use a larger epsilon.")
        arrays = {}
        for key in ("gamma", "beta", "moving_mean", "moving_variance"):
            value = self._initializers[key][1]((channels,), self.rng)
            if np.shape(value) != (channels,):
                raise ValueError(f"BatchNormalization '{self.name}': {key}_initializer returned "
                                 f"shape {np.shape(value)}; expected ({channels},).")
            arrays[key] = np.array(value, dtype=self.dtype)
        kept = [("gamma", self.scale), ("beta", self.center)]
        self.params = {key: arrays[key] for key, keep in kept if keep}
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}
        self.state = {key: arrays[key] for key in ("moving_mean", "moving_variance")}
        super().build(input_shape)

    def rows(self, A: np.ndarray) -> Rows:
        """``A`` as rows (N, C), one column per channel (a view when the channel axis is the
        last), and the function that puts rows of that shape back into ``A``'s layout."""
        axis = self.channel_axis(A.ndim)
        channels = self.state["moving_mean"].shape[0]
        if A.shape[axis] != channels:
            raise ValueError(f"BatchNormalization '{self.name}' was built for {channels} channels "
                             f"on axis {self.axis}; got inputs of shape {A.shape}.")
        if axis == A.ndim - 1:
            return A.reshape(-1, channels), lambda rows: rows.reshape(A.shape)
        moved = np.moveaxis(A, axis, -1)
        return (moved.reshape(-1, channels),
                lambda rows: np.moveaxis(rows.reshape(moved.shape), -1, axis))

    # ------------------------------------------------------------------ maths
    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        """y = gamma x_hat + beta, by batch statistics in training (moving ones otherwise)."""
        x, restore = self.rows(A_prev)
        batch_mode = bool(training) and self.trainable
        if training:  # a training pass keeps its own statistics, or none (a frozen layer)
            self._batch_statistics = None
        with np.errstate(under="ignore"):
            if batch_mode:
                count = x.shape[0]
                mean = (channel_sums(x) / count).astype(x.dtype)
                x_hat = x - mean
                var = (channel_sums(x_hat * x_hat) / count).astype(x.dtype)
                self._batch_statistics = (mean, var)
            else:
                mean, var = self.state["moving_mean"], self.state["moving_variance"]
                x_hat = x - mean
            inv_std = 1.0 / np.sqrt(var + self.epsilon)
            x_hat *= inv_std
            y = x_hat * self.params["gamma"] if self.scale else x_hat.copy()
            if self.center:
                y += self.params["beta"]
        self.cache = (x_hat, inv_std, batch_mode)
        return restore(y)

    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        """Fills dgamma and dbeta; returns dx (through the batch statistics in training)."""
        x_hat, inv_std, batch_mode = self.cache
        dy, restore = self.rows(dA)
        with np.errstate(under="ignore"):
            sum_dy = channel_sums(dy)
            sum_dy_x_hat = channel_sums(dy * x_hat)
            if self.center:
                self.grads["beta"][...] = sum_dy
            if self.scale:
                self.grads["gamma"][...] = sum_dy_x_hat
            if not self.needs_input_grad:
                return None
            factor = inv_std * self.params["gamma"] if self.scale else inv_std
            if not batch_mode:
                return restore(dy * factor)
            count = dy.shape[0]
            dx = x_hat * (sum_dy_x_hat / count).astype(dy.dtype)
            np.subtract(dy, dx, out=dx)
            dx -= (sum_dy / count).astype(dy.dtype)
            dx *= factor
        return restore(dx)

    # ------------------------------------------------------------------ state
    def after_update(self) -> None:
        """Moves the moving statistics toward those of the last training batch (Keras's rule,
        see the class docstring); fit calls it only for a batch whose update was applied."""
        statistics, self._batch_statistics = self._batch_statistics, None
        if statistics is None:
            return
        momentum = self.momentum
        with np.errstate(under="ignore"):
            for name, value in zip(("moving_mean", "moving_variance"), statistics, strict=True):
                moving = self.state[name]
                moving[...] = moving * momentum + value * (1.0 - momentum)

    def after_full_batch(self) -> None:
        """Sets the moving statistics to those of the last training pass, exactly.

        Full-batch L-BFGS (:func:`neuralkit.training.lbfgs.fit_lbfgs`) calls it at each
        accepted iterate: that pass saw all of the data at those parameters, so its statistics
        are the population's, which a moving average only estimates. Non-finite statistics
        (a line-search point too far) are not taken.
        """
        statistics, self._batch_statistics = self._batch_statistics, None
        if statistics is None or not all(np.isfinite(value).all() for value in statistics):
            return
        self.state["moving_mean"][...] = statistics[0]
        self.state["moving_variance"][...] = statistics[1]

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                       "center": self.center, "scale": self.scale})
        for key, (given, _) in self._initializers.items():
            config[f"{key}_initializer"] = given  # a name, or the callable (saved by its name)
        return config
