"""The two of Keras's ``keras.ops`` that scripts use to move arrays in and out: neuralkit's
arrays are NumPy's already."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["convert_to_numpy", "convert_to_tensor"]


def convert_to_numpy(x: Any) -> np.ndarray:
    """``x`` as a NumPy array (a model's outputs already are one)."""
    return np.asarray(x)


def convert_to_tensor(x: Any, dtype: Any = None) -> np.ndarray:
    """``x`` as a NumPy array, of ``dtype`` when given."""
    return np.asarray(x, dtype=dtype)
