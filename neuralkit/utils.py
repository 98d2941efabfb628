"""Small tools Keras keeps in ``keras.utils``: :func:`to_categorical`, :func:`set_random_seed`."""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from . import config
from ._validation import check_int, check_positive_int

__all__ = ["to_categorical", "set_random_seed"]


def set_random_seed(seed: int) -> None:
    """Keras's: seed Python's ``random``, NumPy's global generator, and the models made from
    now on without ``seed=`` (each draws its seed from this one, in order of creation).

    neuralkit itself never uses NumPy's global generator; this call seeds it because a Keras
    program expects its own ``np.random`` draws to repeat too.
    """
    seed = check_int(seed, "seed", 0)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    config.set_default_seed(seed)


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot rows from integer class labels: (m,) -> (m, num_classes), float64.

    ``num_classes`` defaults to the largest label plus one, as in Keras.
    """
    labels = np.asarray(x)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"to_categorical takes integer labels of shape (m,); got shape "
                         f"{labels.shape}.")
    if labels.dtype.kind not in "iub" and not np.all(labels == np.round(labels)):
        raise ValueError("to_categorical takes integer labels; got non-integer values "
                         f"(first {labels.reshape(-1)[0]!r}).")
    labels = labels.astype(np.intp)
    if labels.min() < 0:
        raise ValueError(f"to_categorical takes labels >= 0; got {labels.min()}.")
    n = int(labels.max()) + 1 if num_classes is None else check_positive_int(num_classes,
                                                                             "num_classes")
    if labels.max() >= n:
        raise ValueError(f"num_classes={n} but a label is {labels.max()}; labels must be in "
                         f"[0, {n - 1}].")
    out = np.zeros((labels.size, n))
    out[np.arange(labels.size), labels] = 1.0
    return out
