"""Rebuilding a model from a file's checked metadata and arrays; every problem names the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._parameters import parameter_slots
from ..errors import ModelFileError
from ..layers.base import Layer
from ..losses import Loss
from ..optimizers import Optimizer
from .serialize import family, registry

__all__ = ["Loader", "CustomObjectError"]

# Bit generators a saved random state may name (looked up here, never imported by name).
_BIT_GENERATORS = {cls.__name__: cls for cls in (np.random.PCG64, np.random.PCG64DXSM,
                                                 np.random.MT19937, np.random.Philox,
                                                 np.random.SFC64)}


class CustomObjectError(TypeError):
    """Something given in ``custom_objects`` is not what the file needs."""


class Loader:
    """Rebuilds a model from checked metadata and arrays; every problem names the file."""

    def __init__(self, path: Path, metadata: dict[str, Any], arrays: dict[str, np.ndarray],
                 custom_objects: dict[str, Any], model_classes: dict[str, type]) -> None:
        self.path, self.meta, self.arrays = path, metadata, arrays
        self.model_classes = model_classes
        self.custom = custom_objects
        self.registry = registry()

    def fail(self, message: str) -> ModelFileError:
        return ModelFileError(f"'{self.path}': {message}")

    def field(self, container: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
        if not isinstance(container, dict) or key not in container:
            raise self.fail(f"{where} has no '{key}' entry; the file is damaged.")
        value = container[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
            raise self.fail(f"{where} '{key}' is {value!r}; the file is damaged.")
        return value

    def array(self, name: Any, where: str) -> np.ndarray:
        if not isinstance(name, str) or name not in self.arrays:
            raise self.fail(f"{where}: array {name!r} is missing; the file is damaged.")
        return self.arrays[name]

    # ------------------------------------------------------------------ lookups
    def lookup(self, name: Any, base: type | None, what: str, family_name: Any = None) -> Any:
        if not isinstance(name, str):
            raise self.fail(f"{what} name {name!r} is not a string; the file is damaged.")
        preferred = family(family_name) if isinstance(family_name, str) else {}
        if name in self.custom:
            found = self.custom[name]
        elif name in preferred:
            found = preferred[name]
        elif name in self.registry:
            found = self.registry[name]
        else:
            raise self.fail(
                f"it uses {what} '{name}', which is not part of neuralkit. If it is your own, "
                f"pass it when loading: load_model(path, custom_objects={{'{name}': {name}}})."
            )
        if base is not None and not (isinstance(found, type) and issubclass(found, base)):
            raise CustomObjectError(
                f"load_model('{self.path}'): {what} '{name}' must be a subclass of "
                f"{base.__name__}; custom_objects gives {found!r}."
            )
        return found

    def from_json(self, value: Any, where: str) -> Any:
        if isinstance(value, list):
            return [self.from_json(v, where) for v in value]
        if not isinstance(value, dict):
            return value
        if "__function__" in value:
            found = self.lookup(value["__function__"], None, f"function (in {where})")
            if not callable(found):
                raise CustomObjectError(f"load_model('{self.path}'): custom_objects"
                                f"['{value['__function__']}'] must be callable.")
            return found
        if "__class__" in value:
            return self.lookup(value["__class__"], None, f"class (in {where})")
        if "__object__" in value:
            cls = self.lookup(value["__object__"], None, f"class (in {where})",
                              value.get("family"))
            config = self.from_json(value.get("config", {}), where)
            return self.construct(cls, config, f"{value['__object__']} (in {where})")
        return {k: self.from_json(v, where) for k, v in value.items()}

    def construct(self, cls: Any, config: Any, what: str) -> Any:
        if not isinstance(config, dict):
            raise self.fail(f"the config of {what} is {config!r}; the file is damaged.")
        make = getattr(cls, "from_config", None)
        try:
            return make(config) if callable(make) else cls(**config)
        except Exception as exc:
            raise self.fail(
                f"could not rebuild {what} from its saved config {config}: "
                f"{type(exc).__name__}: {exc}. A custom class needs get_config() to return "
                "its constructor's arguments (and from_config to accept them)."
            ) from exc

    # ------------------------------------------------------------------ the model
    def model(self) -> Any:
        spec = self.field(self.meta, "model", dict, "metadata")
        cls_name = self.field(spec, "class", str, "model")
        if cls_name not in self.model_classes:
            raise self.fail(f"it holds a '{cls_name}' model; this neuralkit loads "
                            f"{', '.join(sorted(self.model_classes))}.")
        dtype = self.field(spec, "dtype", str, "model")
        if dtype not in ("float32", "float64"):
            raise self.fail(f"model dtype {dtype!r} is not float32 or float64.")
        seed = spec.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise self.fail(f"model seed {seed!r} is not an integer.")
        name = self.field(spec, "name", str, "model")
        model = self.model_classes[cls_name](seed=seed, dtype=dtype, name=name)
        layer_specs = self.field(self.meta, "layers", list, "metadata")
        if not layer_specs:
            raise self.fail("it has no layers; the file is damaged.")
        for index, layer_spec in enumerate(layer_specs):
            model.add(self.layer(index, layer_spec))
        input_dim = spec.get("input_dim")
        if input_dim is not None and not model.built:
            # A custom first layer whose get_config() leaves out input_dim.
            if isinstance(input_dim, bool) or not isinstance(input_dim, int) or input_dim < 1:
                raise self.fail(f"model input_dim {input_dim!r} is not a positive integer.")
            model.build(input_dim)
        for index, layer_spec in enumerate(layer_specs):
            self.load_params(model, model.layers[index], layer_spec)
        self.compile(model)
        self.restore_rng(model)
        return model

    def layer(self, index: int, spec: Any) -> Layer:
        where = f"layer {index}"
        cls = self.lookup(self.field(spec, "class", str, where), Layer, "layer class")
        config = self.from_json(self.field(spec, "config", dict, where), where)
        layer = self.construct(cls, config, f"layer {index} ({spec['class']})")
        if not isinstance(layer, Layer):
            raise CustomObjectError(f"load_model('{self.path}'): {spec['class']}.from_config returned "
                            f"{type(layer).__name__}, not a Layer.")
        # The saved name even if get_config() leaves it out: optimizer state is keyed by it.
        if isinstance(spec.get("name"), str):
            layer.name = spec["name"]
        return layer

    def load_params(self, model: Any, layer: Layer, spec: dict[str, Any]) -> None:
        where = f"layer '{layer.name}' ({type(layer).__name__})"
        entries = self.field(spec, "params", list, where)
        if self.field(spec, "built", bool, where) and not layer.built:
            raise self.fail(f"{where} was saved built but its config has no input_dim to "
                            "rebuild it from; the file is damaged.")
        if not layer.built:
            if entries:
                raise self.fail(f"{where} has saved parameters but is not built.")
            return
        state = spec.get("state", [])
        for kind, targets, saved in (("parameter", layer.params, entries),
                                     ("state array", layer.state, state)):
            names = []
            if not isinstance(saved, list):
                raise self.fail(f"{where}: its {kind}s entry {saved!r} is damaged.")
            for entry in saved:
                if not (isinstance(entry, list) and len(entry) == 2):
                    raise self.fail(f"{where}: {kind} entry {entry!r} is damaged.")
                names.append(entry[0])
            if sorted(names) != sorted(targets):
                raise self.fail(f"{where} has {kind}s {sorted(targets)} once rebuilt, but the "
                                f"file holds {sorted(names)}.")
            for name, key in saved:
                value = self.array(key, f"{where} {kind} '{name}'")
                target = targets[name]
                if value.shape != target.shape or value.dtype != target.dtype:
                    raise self.fail(
                        f"{where} {kind} '{name}' is saved with shape {value.shape} and dtype "
                        f"{value.dtype}; the rebuilt layer has {target.shape} and {target.dtype}."
                    )
                target[...] = value  # in place: the layer's arrays stay the ones it made

    def compile(self, model: Any) -> None:
        spec = self.field(self.meta, "compile", dict, "metadata")
        loss = optimizer = None
        if spec.get("loss") is not None:
            entry = spec["loss"]
            cls = self.lookup(self.field(entry, "class", str, "loss"), Loss, "loss class")
            loss = self.construct(cls, self.from_json(entry.get("config", {}), "loss"),
                                  f"loss {entry['class']}")
        if spec.get("optimizer") is not None:
            entry = spec["optimizer"]
            cls = self.lookup(self.field(entry, "class", str, "optimizer"), Optimizer,
                              "optimizer class")
            optimizer = self.construct(cls, self.from_json(entry.get("config", {}), "optimizer"),
                                       f"optimizer {entry['class']}")
        metrics = self.from_json(self.field(spec, "metrics", list, "compile"), "metrics")
        try:
            model.compile(loss=loss, optimizer=optimizer, metrics=metrics)
        except (TypeError, ValueError) as exc:
            raise self.fail(f"its compile settings are invalid: {exc}") from exc
        state = self.meta.get("optimizer_state")
        if state is None or optimizer is None:
            return
        iterations = self.field(state, "iterations", int, "optimizer state")
        keys = {slot.key: slot.value for slot in parameter_slots(model.layers)}
        slots: dict[str, dict[str, np.ndarray]] = {}
        for entry in self.field(state, "slots", list, "optimizer state"):
            if not (isinstance(entry, list) and len(entry) == 3):
                raise self.fail(f"optimizer state entry {entry!r} is damaged.")
            key, slot, name = entry
            value = self.array(name, f"optimizer state '{key}/{slot}'")
            if key not in keys:
                raise self.fail(f"optimizer state names parameter '{key}', which the model "
                                f"does not have (it has {sorted(keys)}).")
            if value.shape != keys[key].shape:
                raise self.fail(f"optimizer state '{key}/{slot}' has shape {value.shape}; the "
                                f"parameter has {keys[key].shape}.")
            slots.setdefault(key, {})[slot] = value.copy()
        optimizer.iterations = iterations
        optimizer.state = slots

    def restore_rng(self, model: Any) -> None:
        spec = self.field(self.meta, "rng", dict, "metadata")
        name = self.field(spec, "bit_generator", str, "rng")
        if name not in _BIT_GENERATORS:
            raise self.fail(f"its random generator '{name}' is not one of {sorted(_BIT_GENERATORS)}.")
        state = _arrays_from_json(self.field(spec, "state", dict, "rng"))
        try:
            if type(model.rng.bit_generator).__name__ == name:
                model.rng.bit_generator.state = state
            else:
                bit_generator = _BIT_GENERATORS[name]()
                bit_generator.state = state
                model.rng = np.random.Generator(bit_generator)
                for layer in model.layers:
                    layer.rng = model.rng
        except (TypeError, ValueError, KeyError) as exc:
            raise self.fail(f"its random generator state is damaged: {exc}") from exc


def _arrays_from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_arrays_from_json(v) for v in value]
    if isinstance(value, dict):
        if "__array__" in value:
            return np.array(value["__array__"], dtype=np.dtype(str(value.get("dtype", "<u8"))))
        return {k: _arrays_from_json(v) for k, v in value.items()}
    return value
