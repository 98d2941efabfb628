"""The one enumeration of a model's parameters, used by training, saving, callbacks and L-BFGS.

Every parameter is a :class:`ParameterSlot`: the layer that owns it, its name in
``layer.params``, the key of files and optimizer state (``'dense_1/W'``) and the course's key
(``'W1'``). The order is the model's: layer by layer, each ``params`` dict in its own order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from .layers.base import Layer
from .layers.dense import Dense

__all__ = ["ParameterSlot", "parameter_slots"]


class ParameterSlot(NamedTuple):
    """One parameter: ``layer.params[name]``, its gradient ``layer.grads[name]``, and its keys."""

    layer: Layer
    name: str
    #: '<layer name>/<name>': the key of optimizer state and of saved optimizer state.
    key: str
    #: The course's key: 'W<l>' / 'b<l>' for the l-th Dense layer (Dense layers counted from 1),
    #: the ``key`` for any other layer's parameter.
    course_key: str

    @property
    def value(self) -> np.ndarray:
        return self.layer.params[self.name]

    @property
    def grad(self) -> np.ndarray:
        return self.layer.grads[self.name]


def parameter_slots(layers: Iterable[Layer]) -> list[ParameterSlot]:
    """Every parameter of ``layers``, in order."""
    slots = []
    l = 0
    for layer in layers:
        if not layer.params:
            continue
        dense = isinstance(layer, Dense)
        l += dense
        for name in layer.params:
            key = f"{layer.name}/{name}"
            slots.append(ParameterSlot(layer, name, key, f"{name}{l}" if dense else key))
    return slots
