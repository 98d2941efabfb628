"""The parameters of a model, in three layouts: slots, the course's dict, Keras's list.

:class:`Weights` is mixed into :class:`~neuralkit.models.Sequential`; it needs the model's
``layers`` and ``_require_built``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._parameters import ParameterSlot, parameter_slots

__all__ = ["Weights"]


class Weights:
    """parameter_slots, get/set_parameters (the course's dict), get/set_weights (Keras's list),
    count_params."""

    def parameter_slots(self) -> list[ParameterSlot]:
        """Every parameter: its layer, its name, its ``'layer/name'`` key (optimizer state and
        files) and its course key ('W1', 'b1', ... for Dense layers, counted from 1)."""
        return parameter_slots(self.layers)

    def get_parameters(self) -> dict[str, np.ndarray]:
        """Copies of the parameters in the course's layout.

        Dense layers are numbered 1..L in order: 'Wl' has shape (n[l], n[l-1]) and 'bl'
        shape (n[l], 1). Any other layer's parameter appears as '<layer name>/<name>'.
        1-D parameters are given as columns (n, 1), as the course gives biases.
        """
        self._require_built("get_parameters")
        out: dict[str, np.ndarray] = {}
        for slot in self.parameter_slots():
            copy = slot.value.copy()
            out[slot.course_key] = copy.reshape(-1, 1) if copy.ndim == 1 else copy
        return out

    def set_parameters(self, parameters: dict[str, Any]) -> None:
        """Load parameters given in the layout of :meth:`get_parameters`.

        Biases may be given as (n, 1) or (n,). Every key is checked (present, known,
        right shape, finite) before any value is written, so a bad dict changes nothing.
        """
        self._require_built("set_parameters")
        if not isinstance(parameters, dict):
            raise TypeError(f"parameters must be a dict like {{'W1': ..., 'b1': ...}}; got "
                            f"{type(parameters).__name__}.")
        writes = []
        slots = self.parameter_slots()
        expected_keys = {slot.course_key for slot in slots}
        for slot in slots:
            key, layer, name, target = slot.course_key, slot.layer, slot.name, slot.value
            if key not in parameters:
                raise ValueError(
                    f"set_parameters: missing key '{key}' (layer '{layer.name}', parameter "
                    f"'{name}' of shape {target.shape}); got keys {sorted(parameters)}."
                )
            value = np.asarray(parameters[key])
            if value.dtype.kind not in "biuf":
                raise TypeError(f"set_parameters: '{key}' must be numeric; got dtype {value.dtype}.")
            shapes_ok = value.shape == target.shape or (
                target.ndim == 1 and value.shape == (target.shape[0], 1))
            if not shapes_ok:
                course = (target.shape[0], 1) if target.ndim == 1 else target.shape
                raise ValueError(
                    f"set_parameters: '{key}' has shape {value.shape}; expected "
                    f"{course}" + (f" or {target.shape}" if target.ndim == 1 else "") + "."
                )
            if not np.isfinite(value).all():
                raise ValueError(f"set_parameters: '{key}' contains NaN or inf.")
            writes.append((target, value.reshape(target.shape)))
        unknown = sorted(set(parameters) - expected_keys)
        if unknown:
            raise ValueError(
                f"set_parameters: unknown keys {unknown}; the model has {sorted(expected_keys)}."
            )
        for target, value in writes:
            target[...] = value  # in place: optimizer state and references stay valid

    @property
    def weights(self) -> list[np.ndarray]:
        """Every layer's :attr:`~neuralkit.layers.Layer.weights`, in order (live arrays)."""
        return [w for layer in self.layers for w in layer.weights]

    @property
    def trainable_weights(self) -> list[np.ndarray]:
        """The arrays the optimizer updates, layer by layer."""
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self) -> list[np.ndarray]:
        """The layers' state and the parameters of layers that are not trainable."""
        return [w for layer in self.layers for w in layer.non_trainable_weights]

    def get_weights(self) -> list[np.ndarray]:
        """Keras's list: every layer's :meth:`~neuralkit.layers.Layer.get_weights`, in order
        (Dense: W (units, n_prev) then b (units,); a Keras kernel is W.T, PyTorch's
        ``nn.Linear.weight`` is W)."""
        self._require_built("get_weights")
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights: list[Any]) -> None:
        """Load a list in the order and shapes of :meth:`get_weights`; every array is checked
        before any is written."""
        self._require_built("set_weights")
        if not isinstance(weights, (list, tuple)):
            raise TypeError(f"set_weights takes a list of arrays (as get_weights gives); got "
                            f"{type(weights).__name__}.")
        counts = [len(layer.params) + len(layer.state) for layer in self.layers]
        if len(weights) != sum(counts):
            per_layer = ", ".join(f"{layer.name}: {n}" for layer, n in zip(self.layers, counts,
                                                                          strict=True) if n)
            raise ValueError(f"set_weights: the model has {sum(counts)} weight arrays "
                             f"({per_layer}); got {len(weights)}.")
        writes, start = [], 0
        for layer, n in zip(self.layers, counts, strict=True):
            writes += layer._checked_weights(list(weights[start:start + n]))
            start += n
        for target, value in writes:
            target[...] = value  # in place: optimizer state and references stay valid

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def count_trainable_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers if layer.trainable)
