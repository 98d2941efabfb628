"""Optimizers: update each layer's parameter arrays in place from its gradients.

An optimizer sees one ``(key, param, grad)`` triple at a time and keeps per-parameter state
(momentum, moment estimates) in ``self.state[key]``; ``self.iterations`` counts steps.
Subclass :class:`Optimizer` and implement :meth:`Optimizer.update` to write your own. One
module per optimizer; ``OPTIMIZERS`` and :func:`get` resolve them by name. Learning-rate
schedules are in :mod:`neuralkit.optimizers.schedules`, as in Keras 3.
"""

from __future__ import annotations

from .._validation import resolve
from . import schedules
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .base import Optimizer
from .lbfgs import LBFGS
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "LBFGS", "OPTIMIZERS",
           "get", "schedules"]

OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam,
                                          "adamw": AdamW, "adagrad": Adagrad, "lbfgs": LBFGS}


def get(identifier: str | Optimizer) -> Optimizer:
    """Resolve an optimizer by name (a key of ``OPTIMIZERS``, any case, made with its
    defaults), a subclass of :class:`Optimizer` (made with its defaults) or an instance.
    An unknown name raises ValueError listing the names, with the closest one."""
    return resolve(identifier, Optimizer, OPTIMIZERS, "optimizer")
