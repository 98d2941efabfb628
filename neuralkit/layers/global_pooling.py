"""Global pooling of images (m, H, W, C) to one value per channel: GlobalAveragePooling2D and
GlobalMaxPooling2D (Keras's, channels last)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Layer
from .pooling import as_image_batch, check_channels_last, image_shape

__all__ = ["GlobalAveragePooling2D", "GlobalMaxPooling2D"]


class _GlobalPooling2D(Layer):
    """Arguments and shapes shared by the global poolings: (H, W, C) -> (C,) or (1, 1, C)."""

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 name: str | None = None, *, input_shape: tuple[int, ...] | None = None,
                 trainable: bool = True) -> None:
        super().__init__(name=name,
                         input_shape=input_shape, trainable=trainable)
        check_channels_last(data_format, type(self).__name__)
        if not isinstance(keepdims, (bool, np.bool_)):
            raise TypeError(f"keepdims must be True or False; got {keepdims!r}.")
        self.keepdims = bool(keepdims)

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        C = image_shape(self, input_shape)[2]
        return (1, 1, C) if self.keepdims else (C,)

    def _shaped(self, A: np.ndarray) -> np.ndarray:
        """(m, C) as the layer's output: (m, 1, 1, C) with keepdims."""
        return A.reshape(A.shape[0], 1, 1, A.shape[1]) if self.keepdims else A

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if self.keepdims:
            config["keepdims"] = True
        return config


class GlobalAveragePooling2D(_GlobalPooling2D):
    """Mean over all positions, channel by channel (Keras's)::

        A[i, c] = (1 / (H W)) sum over h, w of A_prev[i, h, w, c]       (m, H, W, C) -> (m, C)
        dA_prev[i, h, w, c] = dA[i, c] / (H W)

    ``keepdims=True`` gives (m, 1, 1, C). Cache: the input shape.

    Parameters
    ----------
    data_format : 'channels_last' or None
    keepdims : bool, default False
    name : str, optional
    input_shape : (H, W, C), optional
    """

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        A_prev = as_image_batch(self, A_prev)
        self.cache = A_prev.shape
        with np.errstate(under="ignore"):
            return self._shaped(A_prev.mean(axis=(1, 2)))

    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        m, H, W, C = self.cache
        if not self.needs_input_grad:
            return None
        dA_prev = np.empty((m, H, W, C), dtype=dA.dtype)
        with np.errstate(under="ignore"):
            np.divide(dA.reshape(m, 1, 1, C), H * W, out=dA_prev)
        return dA_prev


class GlobalMaxPooling2D(_GlobalPooling2D):
    """Max over all positions, channel by channel (Keras's)::

        A[i, c] = max over h, w of A_prev[i, h, w, c]                   (m, H, W, C) -> (m, C)
        dA_prev[i, h, w, c] = dA[i, c] at the arg-max (h, w) of channel c, else 0

    On ties the first maximum in row-major order takes the gradient (``argmax``), as in
    :class:`MaxPooling2D`. ``keepdims=True`` gives (m, 1, 1, C). Cache: the arg-max (m, C)
    and the input shape.

    Parameters
    ----------
    data_format : 'channels_last' or None
    keepdims : bool, default False
    name : str, optional
    input_shape : (H, W, C), optional
    """

    def forward(self, A_prev: np.ndarray, training: bool = True) -> np.ndarray:
        A_prev = as_image_batch(self, A_prev)
        m, H, W, C = A_prev.shape
        flat = A_prev.reshape(m, H * W, C)
        where = flat.argmax(axis=1)[:, None, :]
        self.cache = (where, A_prev.shape)
        return self._shaped(np.take_along_axis(flat, where, axis=1)[:, 0, :])

    def backward(self, dA: np.ndarray) -> np.ndarray | None:
        where, (m, H, W, C) = self.cache
        if not self.needs_input_grad:
            return None
        dA_prev = np.zeros((m, H * W, C), dtype=dA.dtype)
        np.put_along_axis(dA_prev, where, dA.reshape(m, 1, C), axis=1)
        return dA_prev.reshape(m, H, W, C)
