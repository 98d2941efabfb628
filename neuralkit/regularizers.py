"""Weight penalties added to the loss: :class:`L2` (weight decay), :class:`L1`, :class:`L1L2`.

A regularizer is a small object with ``penalty(W) -> float`` (added to the loss) and
``add_gradient(W, dW)`` (adds d penalty / dW to dW in place). ``Dense(kernel_regularizer=...)``
applies one to its W (never to b, as in the course and in Keras).

Scaling: Keras's, not the course's
----------------------------------
``L2(l2)`` adds ``l2 * sum(W**2)`` to the loss of every batch and ``2 * l2 * W`` to dW. The
penalty does not depend on the batch size, so mini-batch and full-batch training minimize
the same objective. The course writes the regularized cost as::

    J = (1/m) sum_i L(a_i, y_i) + lambda / (2 m) * sum_l ||W[l]||_F^2,   dW += (lambda / m) W

with m the number of training examples: that is ``L2(lambda / (2 * m))`` here (with m the
training-set size, whatever the batch size).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_number


class Regularizer:
    """Base class: a penalty on a weight matrix and its gradient."""

    #: Name accepted by :func:`get`.
    name = "regularizer"

    def penalty(self, W: np.ndarray) -> float:
        """Amount added to the loss for W."""
        raise NotImplementedError

    def add_gradient(self, W: np.ndarray, dW: np.ndarray) -> None:
        """dW += d penalty / dW, in place."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L2(Regularizer):
    """L2 weight penalty (weight decay)::

        penalty  = l2 * sum(W**2)
        dpenalty = 2 * l2 * W

    Parameters
    ----------
    l2 : float, default 0.01
        The factor, >= 0 (Keras's ``L2(l2)``; the course's lambda is ``2 * m * l2``).
    """

    name = "l2"

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = check_number(l2, "l2", 0.0, low_inclusive=True)

    def penalty(self, W: np.ndarray) -> float:
        return self.l2 * float(np.vdot(W, W))

    def add_gradient(self, W: np.ndarray, dW: np.ndarray) -> None:
        dW += (2.0 * self.l2) * W

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


class L1(Regularizer):
    """L1 weight penalty (sparsity)::

        penalty  = l1 * sum(|W|)
        dpenalty = l1 * sign(W)     (0 where W is exactly 0, a subgradient)

    Parameters
    ----------
    l1 : float, default 0.01
        The factor, >= 0 (Keras's ``L1(l1)``).
    """

    name = "l1"

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = check_number(l1, "l1", 0.0, low_inclusive=True)

    def penalty(self, W: np.ndarray) -> float:
        return self.l1 * float(np.sum(np.abs(W)))

    def add_gradient(self, W: np.ndarray, dW: np.ndarray) -> None:
        dW += self.l1 * np.sign(W)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L1L2(Regularizer):
    """Both penalties: ``l1 * sum(|W|) + l2 * sum(W**2)`` (Keras's defaults are 0 and 0)."""

    name = "l1_l2"

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = check_number(l1, "l1", 0.0, low_inclusive=True)
        self.l2 = check_number(l2, "l2", 0.0, low_inclusive=True)

    def penalty(self, W: np.ndarray) -> float:
        return L1(self.l1).penalty(W) + L2(self.l2).penalty(W)

    def add_gradient(self, W: np.ndarray, dW: np.ndarray) -> None:
        L1(self.l1).add_gradient(W, dW)
        L2(self.l2).add_gradient(W, dW)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


#: Keras exports the lower-case spellings as aliases of the classes.
l1, l2, l1_l2 = L1, L2, L1L2

REGULARIZERS: dict[str, type[Regularizer]] = {"l2": L2, "l1": L1, "l1_l2": L1L2}


def get(identifier: Any) -> Regularizer | None:
    """Resolve None, a Regularizer, 'l2' (factor 0.01) or a config dict ``{'name': 'l2', 'l2': ...}``."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in REGULARIZERS:
        return REGULARIZERS[identifier.lower()]()
    if isinstance(identifier, dict) and str(identifier.get("name", "")).lower() in REGULARIZERS:
        config = {k: v for k, v in identifier.items() if k != "name"}
        return REGULARIZERS[identifier["name"].lower()](**config)
    raise ValueError(
        f"kernel_regularizer must be None, a Regularizer such as L2(0.01), or one of "
        f"{sorted(REGULARIZERS)}; got {identifier!r}."
    )


__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get"]
