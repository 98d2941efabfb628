"""A model as JSON-able metadata and named arrays, and the registry of names a file may use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import initializers, layers, losses, metrics, optimizers, regularizers
from .._version import __version__
from .archive import FORMAT_NAME, FORMAT_VERSION

__all__ = ["serialize", "registry", "family"]

# neuralkit's own modules whose public classes may be named in a file.
_REGISTRY_MODULES = (layers, losses, metrics, optimizers, optimizers.schedules, initializers,
                     regularizers)


def serialize(model: Any, include_optimizer: bool) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    arrays: dict[str, np.ndarray] = {}
    layers = []
    for layer in model.layers:
        config = _to_json(layer.get_config(), f"layer '{layer.name}' get_config()")
        names = []
        for name, value in layer.params.items():
            key = f"p{len(arrays)}"
            arrays[key] = np.asarray(value)
            names.append([name, key])
        entry = {"class": type(layer).__name__, "name": layer.name, "config": config,
                 "built": bool(layer.built), "params": names}
        if layer.state:  # files without it (neuralkit 0.1, layers without state) load as before
            entry["state"] = []
            for name, value in layer.state.items():
                key = f"p{len(arrays)}"
                arrays[key] = np.asarray(value)
                entry["state"].append([name, key])
        layers.append(entry)
    compiled: dict[str, Any] = {"loss": None, "optimizer": None,
                                "metrics": _to_json(model.metrics, "metrics")}
    if model.loss is not None:
        compiled["loss"] = {"class": type(model.loss).__name__,
                            "config": _to_json(model.loss.get_config(), "loss get_config()")}
    optimizer_state = None
    if model.optimizer is not None:
        optimizer = model.optimizer
        compiled["optimizer"] = {"class": type(optimizer).__name__,
                                 "config": _to_json(optimizer.get_config(),
                                                    "optimizer get_config()")}
        if include_optimizer:
            slots = []
            for key, state in optimizer.state.items():
                for slot, value in state.items():
                    name = f"o{len(slots)}"
                    arrays[name] = np.asarray(value)
                    slots.append([key, slot, name])
            optimizer_state = {"iterations": int(optimizer.iterations), "slots": slots}
    seed = model.seed if isinstance(model.seed, (int, np.integer)) else None
    metadata = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "neuralkit_version": __version__,
        "model": {"class": type(model).__name__, "name": model.name, "dtype": model.dtype.name,
                  "seed": None if seed is None else int(seed),
                  "input_dim": model.input_dim if model.built else None},
        "layers": layers,
        "compile": compiled,
        "optimizer_state": optimizer_state,
        "rng": {"bit_generator": type(model.rng.bit_generator).__name__,
                "state": _to_json(model.rng.bit_generator.state, "random generator state",
                                  arrays_ok=True)},
    }
    return metadata, arrays


def _to_json(value: Any, where: str, arrays_ok: bool = False) -> Any:
    """A JSON-able copy of a config: functions and objects become references by name."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (list, tuple)):
        return [_to_json(v, where, arrays_ok) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"cannot save {where}: key {k!r} is not a string.")
            if k.startswith("__") and k.endswith("__"):
                raise ValueError(f"cannot save {where}: key {k!r} is reserved.")
            out[k] = _to_json(v, where, arrays_ok)
        return out
    if arrays_ok and isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, type):
        return {"__class__": value.__name__}
    if hasattr(value, "get_config") and callable(value.get_config):
        out = {"__object__": type(value).__name__,
               "config": _to_json(value.get_config(), where, arrays_ok)}
        family = _family_of(type(value))
        if family is not None:  # a name two families share (losses and metrics: MeanSquaredError)
            out["family"] = family
        return out
    if callable(value):
        name = _registry_name_of(value) or getattr(value, "__name__", None)
        if name is None:
            raise TypeError(f"cannot save {where}: {value!r} is callable but has no __name__.")
        return {"__function__": name}
    raise TypeError(
        f"cannot save {where}: {value!r} ({type(value).__name__}) is not a number, string, "
        "list, dict, function or object with get_config()."
    )


def _family_of(cls: type) -> str | None:
    """'losses', 'metrics', ...: the registry module whose ``__all__`` names ``cls``."""
    for module in _REGISTRY_MODULES:
        if getattr(module, cls.__name__, None) is cls and cls.__name__ in module.__all__:
            return module.__name__.rsplit(".", 1)[1]
    return None


def family(name: str) -> dict[str, Any]:
    """The public classes of one registry module ('losses', 'metrics', ...), by name."""
    for module in _REGISTRY_MODULES:
        if module.__name__.rsplit(".", 1)[1] == name:
            return {n: getattr(module, n) for n in module.__all__}
    return {}


def registry() -> dict[str, Any]:
    """neuralkit's own public classes, and its initializers by name, that a file may name."""
    found: dict[str, Any] = dict(initializers.INITIALIZERS)
    for module in _REGISTRY_MODULES:
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type):
                found.setdefault(name, value)
    return found


def _registry_name_of(function: Callable[..., Any]) -> str | None:
    for name, value in registry().items():
        if value is function:
            return name
    return None
