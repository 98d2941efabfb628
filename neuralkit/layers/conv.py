"""Conv2D: the course's convolution of images (m, n_H_prev, n_W_prev, n_C_prev), channels
last as in Keras, by im2col and one matrix product."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from .. import regularizers as _regularizers
from .._validation import _did_you_mean, check_int, check_positive_int, check_shape
from . import activations
from ._im2col import Geometry, Workspace, geometry
from ._weights import initial_weights
from .base import Layer

__all__ = ["Conv2D"]

_PADDINGS = ("valid", "same")
#: Work arrays of one batch beyond this many bytes: the batch goes through in chunks.
MAX_WORK_BYTES = 256 * 2**20


def _pair(value: Any, name: str, low: int = 1) -> tuple[int, int]:
    """An int n (taken as (n, n)) or a pair of ints >= ``low``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (height, width); got {value!r}.")
        return check_int(value[0], f"{name}[0]", low), check_int(value[1], f"{name}[1]", low)
    return (check_int(value, name, low),) * 2


def _padding(value: Any) -> str | tuple[int, int]:
    if isinstance(value, str):
        if value.lower() in _PADDINGS:
            return value.lower()
        raise ValueError(f"padding must be 'valid', 'same', an int p or a pair (p_h, p_w) of "
                         f"zeros on each side; got {value!r}{_did_you_mean(value, _PADDINGS)}.")
    try:
        return _pair(value, "padding", low=0)
    except TypeError:
        raise TypeError(f"padding must be 'valid', 'same', an int p or a pair (p_h, p_w); got "
                        f"{value!r} ({type(value).__name__}).") from None


class Conv2D(Layer):
    """2-D convolution of images, channels last.

    Forward, for A_prev (m, n_H_prev, n_W_prev, n_C_prev), W (f_h, f_w, n_C_prev, n_C), b
    (n_C,), strides (s_h, s_w), A_prev_pad the input with its zero padding::

        Z[i, h, w, c] = sum over (p, q, k) of A_prev_pad[i, h s_h + p, w s_w + q, k] W[p, q, k, c]
                        + b[c]                                             Z (m, n_H, n_W, n_C)
        A = g(Z)

    n_H = (n_H_prev + pad_top + pad_bottom - f_h) // s_h + 1, the course's
    floor((n_H_prev + 2 pad - f) / s) + 1 (n_W likewise). Backward, given dZ (g's backward of
    dA, the loss already divided by m)::

        dW[p, q, k, c] = sum over (i, h, w) of A_prev_pad[i, h s_h + p, w s_w + q, k] dZ[i, h, w, c]
        db[c]          = sum over (i, h, w) of dZ[i, h, w, c]
        dA_prev_pad[i, h s_h + p, w s_w + q, k] += W[p, q, k, c] dZ[i, h, w, c]   (all i, h, w, c)

    and dA_prev is dA_prev_pad without its border: the course's sums of formulas (1)-(3).

    How: the windows of a chunk of examples are laid out as the rows of cols (M, K), M = m n_H
    n_W positions, K = f_h f_w n_C_prev (:mod:`neuralkit.layers._im2col`), with a column of
    ones when there is a bias, so that ``Z = cols @ [W.reshape(K, n_C); b]`` is one BLAS
    product, and ``cols.T @ dZ`` gives dW and db in one more. dA_prev is the transposed
    convolution: for each kernel offset (p, q), one product ``dZ @ W[p, q].T`` (M, n_C_prev)
    gives its share, added to the inputs that offset touched (loops over the kernel's offsets,
    never over examples or positions). One product per offset, not one per kernel row (M, f_w
    n_C_prev): then each share is contiguous, and its addition runs over whole rows of n_W
    n_C_prev numbers instead of runs of n_C_prev (NumPy's inner loop per run was the cost);
    dA_prev of 11x11x64 -> 13x13x32, batch 128 float32: 8.6-8.9 ms against 11.1-11.2 (0.8x,
    paired, 2 shared cores), the same numbers bit for bit (the same sums in the same order).
    No dA_prev is made when no layer below needs it (the first layer).

    Memory: the work arrays (cols, a zero-bordered copy of the images, one kernel offset's share
    of dA_prev) are kept between batches, sized to the largest batch seen, and bounded: when a
    batch would need more than ``max_work_bytes`` (256 MB), it goes through in chunks of as
    many examples as fit (one at least), and backward rebuilds each chunk's cols. Besides
    them a batch allocates Z (and A) and dA_prev, the size of its output and its input.

    Cache: A_prev, and the batch's cols when it was one chunk (until the next forward).

    Parameters
    ----------
    filters : int
        n_C, the number of filters (output channels).
    kernel_size : int or (int, int)
        (f_h, f_w); an int f is (f, f).
    strides : int or (int, int), default 1
    padding : 'valid', 'same', int or (int, int), default 'valid'
        'valid': none. 'same' (Keras's): n_H = ceil(n_H_prev / s_h), with
        max((n_H - 1) s_h + f_h - n_H_prev, 0) zero rows, the odd one at the bottom (columns
        likewise, the odd one at the right). An int p: the course's ``pad``, p zeros on each
        side; a pair (p_h, p_w) for the two axes.
    activation : str or Layer, optional
        As :class:`~neuralkit.layers.Dense`'s: ``Conv2D(32, 3, activation='relu')``.
    use_bias : bool, default True
    kernel_initializer : str or callable, default 'glorot_uniform'
        Keras's fans for a kernel: fan_in = f_h f_w n_C_prev, fan_out = f_h f_w n_C.
    bias_initializer : str or callable, default 'zeros'
    kernel_regularizer : Regularizer or 'l2', optional
        A penalty on W, as Dense's.
    input_shape : (int, int, int), optional
        (n_H_prev, n_W_prev, n_C_prev); given on the first layer, the model is built at once.
    name : str, optional
    trainable : bool, default True

    Notes
    -----
    W is (f_h, f_w, n_C_prev, n_C), the course's and Keras's layout (PyTorch's is
    ``W.transpose(3, 2, 0, 1)``). Keras's ``dilation_rate``, ``groups`` and
    ``data_format='channels_first'`` are not supported.
    """

    #: Bytes of work arrays per chunk of examples (see Memory above).
    max_work_bytes: int = MAX_WORK_BYTES

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, int],
        strides: int | tuple[int, int] = 1,
        padding: str | int | tuple[int, int] = "valid",
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        input_shape: tuple[int, ...] | None = None,
        name: str | None = None,
        trainable: bool = True,
    ) -> None:
        super().__init__(name=name, input_shape=input_shape, trainable=trainable)
        self.filters = check_positive_int(filters, "filters")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.padding = _padding(padding)
        if not isinstance(use_bias, (bool, np.bool_)):
            raise TypeError(f"use_bias must be True or False; got {use_bias!r}.")
        self.use_bias = bool(use_bias)
        self._init_name = kernel_initializer if isinstance(kernel_initializer, str) else None
        self.kernel_initializer = initializers.get(kernel_initializer)
        self._bias_init_name = bias_initializer if isinstance(bias_initializer, str) else None
        self.bias_initializer = initializers.get(bias_initializer, "bias_initializer")
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        if isinstance(activation, str) and activation.lower() == "linear":
            activation = None
        self._activation_name = activation if isinstance(activation, str) else None
        self.activation: Layer | None = activations.get(activation)
        self.geometry: Geometry | None = None
        self._work: Workspace | None = None
        self._kernel_matrix: np.ndarray | None = None

    # ------------------------------------------------------------------ shapes
    def _geometry(self, input_shape: tuple[int, ...]) -> Geometry:
        shape = tuple(input_shape)
        if len(shape) != 3:
            raise ValueError(f"Conv2D '{self.name}' takes images, examples of shape (n_H, n_W, "
                             f"n_C) (channels last); its inputs have shape {shape}."
                             f"{_image_hint(shape)}")
        return geometry(shape, self.kernel_size, self.strides, self.padding,
                        f"Conv2D '{self.name}'")

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (*self._geometry(input_shape).out_hw, self.filters)

    def build(self, input_shape: tuple[int, ...]) -> None:
        """W (f_h, f_w, n_C_prev, n_C) from the initializer and b (n_C,), for images
        (n_H_prev, n_W_prev, n_C_prev)."""
        input_shape = check_shape(input_shape, "input_shape")
        self.geometry = self._geometry(input_shape)
        shape = (*self.kernel_size, input_shape[2], self.filters)
        initial_weights(self, "Conv2D", shape, self.filters)
        if self.activation is not None:
            self.activation.dtype, self.activation.rng = self.dtype, self.rng
            self.activation._ensure_built(self.compute_output_shape(input_shape))
        super().build(input_shape)

    # ------------------------------------------------------------------ work arrays
    def _chunk(self, m: int, dtype: np.dtype) -> int:
        """Examples per chunk: as many as keep the work arrays under ``max_work_bytes``."""
        per_example = Workspace.nbytes_per_example(self.geometry, dtype, self.use_bias)
        return max(1, min(m, int(self.max_work_bytes) // per_example))

    def _workspace(self, rows: int, dtype: np.dtype) -> Workspace:
        work = self._work
        if work is None or work.dtype != dtype or work.rows < rows:
            work = self._work = None  # the old arrays go before the new ones are made
            work = self._work = Workspace(self.geometry, dtype, rows, self.use_bias)
        return work

    def _kernel(self, dtype: np.dtype) -> np.ndarray:
        """[W.reshape(K, n_C); b] (K [+1], n_C) in ``dtype``, refreshed from the parameters."""
        K = self.geometry.depth
        matrix = self._kernel_matrix
        if matrix is None or matrix.dtype != dtype:
            matrix = self._kernel_matrix = np.empty((K + self.use_bias, self.filters), dtype)
        matrix[:K] = self.params["W"].reshape(K, self.filters)
        if self.use_bias:
            matrix[K] = self.params["b"]
        return matrix

    def clear_cache(self) -> None:
        """Drop the last batch's arrays, the work arrays too."""
        super().clear_cache()
        self._work = self._kernel_matrix = None

    # ------------------------------------------------------------------ maths
    def _check_input(self, A_prev: np.ndarray) -> None:
        shape = getattr(A_prev, "shape", None)
        if shape is None or len(shape) != 4 or tuple(shape[1:]) != self.input_shape:
            expected = "(m, n_H, n_W, n_C)" if self.input_shape is None else \
                f"(m, {', '.join(map(str, self.input_shape))})"
            got = shape if shape is not None else type(A_prev).__name__
            hint = _image_hint(tuple(shape[1:])) if shape is not None and len(shape) != 4 else ""
            raise ValueError(f"Conv2D '{self.name}' takes A_prev of shape {expected}; got {got}."
                             f"{hint}")

    def linear_forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        """Z (m, n_H, n_W, n_C), before the activation."""
        if not self.built:
            self._ensure_built(np.shape(A_prev)[1:])
        self._check_input(A_prev)
        dtype = np.result_type(A_prev.dtype, self.params["W"].dtype)
        kernel = self._kernel(dtype)
        m, P = A_prev.shape[0], self.geometry.positions
        Z = np.empty((m, *self.geometry.out_hw, self.filters), dtype)
        Z_rows = Z.reshape(m * P, self.filters)
        chunk = self._chunk(m, dtype)
        work = self._workspace(chunk, dtype)
        for start in range(0, m, chunk):
            stop = min(start + chunk, m)
            np.matmul(work.fill(A_prev[start:stop]), kernel, out=Z_rows[start * P:stop * P])
        self.cache = (A_prev, work.cols if chunk >= m else None)
        return Z

    def linear_backward(self, dZ: np.ndarray) -> np.ndarray | None:
        """Fills dW and db from dZ (m, n_H, n_W, n_C); returns dA_prev, or None when no layer
        below needs it."""
        dZ_rows = self._weight_gradients(dZ)
        return self._input_gradient(dZ_rows) if self.needs_input_grad else None

    def _weight_gradients(self, dZ: np.ndarray) -> np.ndarray:
        """Fills dW and db (and the regularizer's share of dW); returns dZ as rows (M, n_C)."""
        A_prev, cached = self.cache
        g = self.geometry
        m, P, K = A_prev.shape[0], g.positions, g.depth
        dtype = self._kernel_matrix.dtype
        dZ_rows = np.ascontiguousarray(dZ, dtype=dtype).reshape(m * P, self.filters)
        chunk = self._chunk(m, dtype)
        work = self._workspace(chunk, dtype)
        if cached is not None:  # the batch's cols, from forward
            cols = cached[:, :m * P].T if g.transposed else cached[:m * P]
            grads = cols.T @ dZ_rows
        else:
            grads = sum(work.fill(A_prev[i:i + chunk]).T @ dZ_rows[i * P:(i + chunk) * P]
                        for i in range(0, m, chunk))
        np.copyto(self.grads["W"], grads[:K].reshape(self.grads["W"].shape), casting="same_kind")
        if self.use_bias:
            np.copyto(self.grads["b"], grads[K], casting="same_kind")
        if self.kernel_regularizer is not None:
            self.kernel_regularizer.add_gradient(self.params["W"], self.grads["W"])
        return dZ_rows

    def _kernel_offsets(self) -> np.ndarray:
        """The kernel matrix's W as (f_h, f_w, n_C_prev, n_C): W[p, q] is offset (p, q)'s (k, c)."""
        return self._kernel_matrix[:self.geometry.depth].reshape(
            *self.kernel_size, self.geometry.channels, self.filters)

    def _input_gradient(self, dZ_rows: np.ndarray) -> np.ndarray:
        """dA_prev (m, n_H_prev, n_W_prev, n_C_prev) from dZ as rows (M, n_C)."""
        A_prev, _ = self.cache
        g = self.geometry
        m, P = A_prev.shape[0], g.positions
        dtype = self._kernel_matrix.dtype
        W_offsets = self._kernel_offsets()
        chunk = self._chunk(m, dtype)
        dA_prev = np.zeros(A_prev.shape, dtype)
        share = np.empty((chunk * P, g.channels), dtype)
        for start in range(0, m, chunk):
            stop = min(start + chunk, m)
            rows = share[:(stop - start) * P]
            block = rows.reshape(stop - start, *g.out_hw, g.channels)
            target = dA_prev[start:stop]
            for p, offsets in g.kernel_rows():
                for q, (out_h, out_w), (in_h, in_w) in offsets:
                    np.matmul(dZ_rows[start * P:stop * P], W_offsets[p, q].T, out=rows)
                    target[:, in_h, in_w] += block[:, out_h, out_w]
        return dA_prev

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        """A = g(Z) (m, n_H, n_W, n_C), or Z without an activation. g sees Z as rows of n_C
        filters (a view), so a softmax is over the filters at each position, as in Keras."""
        with np.errstate(under="ignore"):  # products of tiny numbers round to 0, rightly
            Z = self.linear_forward(A_prev, training)
        if self.activation is None:
            return Z
        return self.activation.forward(Z.reshape(-1, self.filters), training).reshape(Z.shape)

    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        """Fills dW and db; returns dA_prev (m, n_H_prev, n_W_prev, n_C_prev), or None when no
        layer below needs it."""
        dZ = dA if self.activation is None else \
            self.activation.backward(dA.reshape(-1, self.filters)).reshape(dA.shape)
        with np.errstate(under="ignore"):
            return self.linear_backward(dZ)

    def regularization_loss(self) -> float:
        """The kernel regularizer's penalty on W (0 without one)."""
        if self.kernel_regularizer is None or not self.built:
            return 0.0
        return self.kernel_regularizer.penalty(self.params["W"])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides,
                      padding=self.padding)
        config["kernel_initializer"] = (self._init_name if self._init_name is not None
                                        else self.kernel_initializer)
        if self.activation is not None:
            config["activation"] = self._activation_name or self.activation
        if not self.use_bias:
            config["use_bias"] = False
        if self.bias_initializer is not initializers.zeros:
            config["bias_initializer"] = self._bias_init_name or self.bias_initializer
        if self.kernel_regularizer is not None:
            config["kernel_regularizer"] = {"name": self.kernel_regularizer.name,
                                            **self.kernel_regularizer.get_config()}
        return config


def _image_hint(example: tuple[int, ...]) -> str:
    """How to turn examples of this shape into images (n_H, n_W, n_C)."""
    if len(example) == 2:
        return (" For one-channel images (m, n_H, n_W), add a channel axis: X[..., None] "
                "(or X.reshape(*X.shape, 1)).")
    if len(example) == 1:
        side = int(round(example[0] ** 0.5))
        square = (f" (e.g. X.reshape(-1, {side}, {side}, 1) for {example[0]} pixels of square "
                  "one-channel images)") if side * side == example[0] else ""
        return (f" Each example is {example[0]} features: reshape them into images, "
                f"X.reshape(-1, n_H, n_W, n_C){square}; a Dense layer takes flat features.")
    return ""
