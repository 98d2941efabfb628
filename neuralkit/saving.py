"""Saving and loading whole models: one ``.npz`` file, written atomically, read without pickle.

The file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays, each with a CRC-32). It holds:

* ``__neuralkit__``: UTF-8 JSON bytes (a uint8 array) describing the model: the format name
  and version, each layer's class name and ``get_config()``, the dtype, seed and name, the
  compile settings (loss, optimizer class and ``get_config()``, metrics), the optimizer's
  step count and the state of the model's random generator;
* ``p0``, ``p1``, ...: every parameter, named in the JSON (layer index, parameter name);
* ``o0``, ``o1``, ...: the optimizer's per-parameter state (``optimizer.state``), when saved.

Loading uses ``np.load(..., allow_pickle=False)`` and never imports or evaluates a name read
from the file: classes and functions are looked up in neuralkit's own registry (the public
layers, losses, optimizers, initializers and regularizers) and in ``custom_objects``.

Writing is atomic: the archive goes to a temporary file in the target's folder, is flushed
and fsynced, and then ``os.replace`` puts it in place; an exception or a crash during the
write leaves any previous file untouched.
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ._version import __version__
from .errors import ModelFileError
from .layers.base import Layer
from .losses import Loss
from .optimizers import Optimizer

#: Format identifier stored in every file.
FORMAT_NAME = "neuralkit.model"
#: Version of the file layout written by this neuralkit; files with a higher one are refused.
FORMAT_VERSION = 1

_METADATA_KEY = "__neuralkit__"
_ZIP_MAGIC = b"PK\x03\x04"
_NPY_MAGIC = b"\x93NUMPY"
# Bit generators a saved random state may name (looked up here, never imported by name).
_BIT_GENERATORS = {cls.__name__: cls for cls in (np.random.PCG64, np.random.PCG64DXSM,
                                                 np.random.MT19937, np.random.Philox,
                                                 np.random.SFC64)}
# neuralkit's own modules whose public classes and functions may be named in a file.
_REGISTRY_MODULES = ("layers", "losses", "optimizers", "initializers", "regularizers")


class _CustomObjectError(TypeError):
    """Something given in ``custom_objects`` is not what the file needs."""


# ---------------------------------------------------------------------------- saving
def save_model(model: Any, path: str | os.PathLike, include_optimizer: bool = True) -> Path:
    """Write ``model`` to ``path`` as one ``.npz`` file, atomically.

    Parameters
    ----------
    model : Sequential
    path : str or path-like
        Written exactly as given (no extension is added); a previous file there is replaced
        only once the new one is complete on disk.
    include_optimizer : bool, default True
        Also store the optimizer's state (``optimizer.state`` and ``iterations``) so that
        ``fit`` on the loaded model continues exactly where this one stopped. The compile
        settings (loss, optimizer class and hyperparameters, metrics) are always stored.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    from .model import Sequential

    if not isinstance(model, Sequential):
        raise TypeError(f"save_model expects a Sequential model; got {type(model).__name__}.")
    if not isinstance(include_optimizer, (bool, np.bool_)):
        raise TypeError(f"include_optimizer must be True or False; got {include_optimizer!r}.")
    path = _check_path(path, "save")
    if not model.layers:
        raise ValueError("save: the model has no layers; there is nothing to save.")
    if path.is_dir():
        raise ValueError(f"save: path '{path}' is a folder; give a file name such as "
                         f"'{path / 'model.npz'}'.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"save: folder '{path.parent}' does not exist; create it first.")
    metadata, arrays = _serialize(model, bool(include_optimizer))
    blob = json.dumps(metadata, allow_nan=True).encode("utf-8")
    arrays[_METADATA_KEY] = np.frombuffer(blob, dtype=np.uint8)
    _atomic_write(path, arrays)
    return path


def _serialize(model: Any, include_optimizer: bool) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    arrays: dict[str, np.ndarray] = {}
    layers = []
    for layer in model.layers:
        config = _to_json(layer.get_config(), f"layer '{layer.name}' get_config()")
        names = []
        for name, value in layer.params.items():
            key = f"p{len(arrays)}"
            arrays[key] = np.asarray(value)
            names.append([name, key])
        layers.append({"class": type(layer).__name__, "name": layer.name, "config": config,
                       "built": bool(layer.built), "params": names})
    compiled: dict[str, Any] = {"loss": None, "optimizer": None, "metrics": list(model.metrics)}
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
        return {"__object__": type(value).__name__,
                "config": _to_json(value.get_config(), where, arrays_ok)}
    if callable(value):
        name = _registry_name_of(value) or getattr(value, "__name__", None)
        if name is None:
            raise TypeError(f"cannot save {where}: {value!r} is callable but has no __name__.")
        return {"__function__": name}
    raise TypeError(
        f"cannot save {where}: {value!r} ({type(value).__name__}) is not a number, string, "
        "list, dict, function or object with get_config()."
    )


def _atomic_write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    # Same folder as the target, so os.replace is a rename on one file system (atomic on
    # POSIX and Windows). O_EXCL with a random name: no clash with a concurrent save.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            _write_arrays(file, arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(path.parent)


def _write_arrays(file: BinaryIO, arrays: dict[str, np.ndarray]) -> None:
    """The archive itself (a separate function so tests can make it fail half-way)."""
    np.savez(file, **arrays)


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; not possible (nor needed) everywhere.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------- loading
def load_model(path: str | os.PathLike, custom_objects: dict[str, Any] | None = None) -> Any:
    """Read a model written by :func:`save_model` / ``Sequential.save``.

    Parameters
    ----------
    path : str or path-like
    custom_objects : dict, optional
        ``{'ClassName': Class, 'function_name': function}`` for the custom layers, losses,
        optimizers, initializers or other objects the file names. Nothing else is looked up:
        names are never imported or evaluated.

    Returns
    -------
    Sequential
        With the saved layers, parameters (bit for bit), dtype, name, compile settings,
        optimizer state (if it was saved) and random-generator state, so that ``fit``
        continues exactly as the saved model would have.

    Raises
    ------
    ModelFileError (a ValueError)
        When the file is not a neuralkit model, is truncated or corrupted, was written by a
        newer neuralkit, or names a class that is neither neuralkit's nor in ``custom_objects``.
    """
    path = _check_path(path, "load_model")
    if custom_objects is None:
        custom_objects = {}
    if not isinstance(custom_objects, dict) or not all(isinstance(k, str) for k in custom_objects):
        raise TypeError("custom_objects must be a dict {'Name': class or function}; got "
                        f"{type(custom_objects).__name__}.")
    metadata, arrays = _read(path)
    try:
        return _Loader(path, metadata, arrays, custom_objects).model()
    except (ModelFileError, _CustomObjectError):
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        # Metadata that is valid JSON but not what this version writes (its CRC was right,
        # so it was written that way): never a bare error from deep inside the loader.
        raise ModelFileError(
            f"'{path}' has metadata this neuralkit cannot interpret: {type(exc).__name__}: {exc}"
        ) from exc


def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    if not path.exists():
        raise FileNotFoundError(f"load_model: no file at '{path}'.")
    if path.is_dir():
        raise ModelFileError(f"load_model: '{path}' is a folder, not a model file.")
    with open(path, "rb") as file:
        head = file.read(len(_ZIP_MAGIC))
        if not head:
            raise ModelFileError(f"'{path}' is empty (0 bytes): not a neuralkit model file.")
        if head != _ZIP_MAGIC:
            what = ("a single NumPy array (.npy)" if head == _NPY_MAGIC[:len(head)]
                    else f"not a .npz archive (it starts with {head!r})")
            raise ModelFileError(f"'{path}' is not a neuralkit model file: {what}.")
        file.seek(0)
        try:
            with np.load(file, allow_pickle=False) as archive:
                names = list(archive.files)
                if _METADATA_KEY not in names:
                    raise ModelFileError(
                        f"'{path}' is a .npz archive but not a neuralkit model file (it has no "
                        f"'{_METADATA_KEY}' entry; its arrays are {names[:8]})."
                    )
                # Reading every member to the end checks its CRC-32.
                arrays = {name: archive[name] for name in names}
        except ModelFileError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
                KeyError, NotImplementedError) as exc:
            raise ModelFileError(
                f"'{path}' is truncated or corrupted and cannot be read: {exc}"
            ) from exc
    blob = arrays.pop(_METADATA_KEY)
    try:
        if blob.dtype != np.uint8 or blob.ndim != 1:
            raise ValueError(f"metadata has dtype {blob.dtype} and shape {blob.shape}")
        metadata = json.loads(blob.tobytes().decode("utf-8"))
        if not isinstance(metadata, dict):
            raise ValueError("metadata is not a JSON object")
    except ValueError as exc:  # includes JSONDecodeError and UnicodeDecodeError
        raise ModelFileError(f"'{path}' has corrupted metadata: {exc}.") from exc
    if metadata.get("format") != FORMAT_NAME:
        raise ModelFileError(
            f"'{path}' is not a neuralkit model file (format {metadata.get('format')!r}; "
            f"expected {FORMAT_NAME!r})."
        )
    version = metadata.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ModelFileError(f"'{path}' has an invalid format version {version!r}.")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"'{path}' was written by a newer neuralkit ({metadata.get('neuralkit_version')}, "
            f"file format version {version}); this neuralkit ({__version__}) reads format "
            f"versions up to {FORMAT_VERSION}. Upgrade neuralkit to load it."
        )
    return metadata, arrays


class _Loader:
    """Rebuilds a model from checked metadata and arrays; every problem names the file."""

    def __init__(self, path: Path, metadata: dict[str, Any], arrays: dict[str, np.ndarray],
                 custom_objects: dict[str, Any]) -> None:
        self.path, self.meta, self.arrays = path, metadata, arrays
        self.custom = custom_objects
        self.registry = _registry()

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
    def lookup(self, name: Any, base: type | None, what: str) -> Any:
        if not isinstance(name, str):
            raise self.fail(f"{what} name {name!r} is not a string; the file is damaged.")
        if name in self.custom:
            found = self.custom[name]
        elif name in self.registry:
            found = self.registry[name]
        else:
            raise self.fail(
                f"it uses {what} '{name}', which is not part of neuralkit. If it is your own, "
                f"pass it when loading: load_model(path, custom_objects={{'{name}': {name}}})."
            )
        if base is not None and not (isinstance(found, type) and issubclass(found, base)):
            raise _CustomObjectError(
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
                raise _CustomObjectError(f"load_model('{self.path}'): custom_objects"
                                f"['{value['__function__']}'] must be callable.")
            return found
        if "__class__" in value:
            return self.lookup(value["__class__"], None, f"class (in {where})")
        if "__object__" in value:
            cls = self.lookup(value["__object__"], None, f"class (in {where})")
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
        from .model import Sequential

        spec = self.field(self.meta, "model", dict, "metadata")
        cls_name = self.field(spec, "class", str, "model")
        if cls_name != "Sequential":
            raise self.fail(f"it holds a '{cls_name}' model; this neuralkit loads Sequential.")
        dtype = self.field(spec, "dtype", str, "model")
        if dtype not in ("float32", "float64"):
            raise self.fail(f"model dtype {dtype!r} is not float32 or float64.")
        seed = spec.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise self.fail(f"model seed {seed!r} is not an integer.")
        model = Sequential(seed=seed, dtype=dtype, name=self.field(spec, "name", str, "model"))
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
            raise _CustomObjectError(f"load_model('{self.path}'): {spec['class']}.from_config returned "
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
        names = []
        for entry in entries:
            if not (isinstance(entry, list) and len(entry) == 2):
                raise self.fail(f"{where}: parameter entry {entry!r} is damaged.")
            names.append(entry[0])
        if sorted(names) != sorted(layer.params):
            raise self.fail(f"{where} has parameters {sorted(layer.params)} once rebuilt, but the "
                            f"file holds {sorted(names)}.")
        for name, key in entries:
            value = self.array(key, f"{where} parameter '{name}'")
            target = layer.params[name]
            if value.shape != target.shape or value.dtype != target.dtype:
                raise self.fail(
                    f"{where} parameter '{name}' is saved with shape {value.shape} and dtype "
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
        metrics = self.field(spec, "metrics", list, "compile")
        try:
            model.compile(loss=loss, optimizer=optimizer, metrics=metrics)
        except (TypeError, ValueError) as exc:
            raise self.fail(f"its compile settings are invalid: {exc}") from exc
        state = self.meta.get("optimizer_state")
        if state is None or optimizer is None:
            return
        iterations = self.field(state, "iterations", int, "optimizer state")
        keys = {f"{layer.name}/{name}": layer.params[name]
                for layer in model.layers for name in layer.params}
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


# ---------------------------------------------------------------------------- helpers
def _registry() -> dict[str, Any]:
    """neuralkit's own public classes, and its initializers by name, that a file may name."""
    from . import initializers

    found: dict[str, Any] = dict(initializers.INITIALIZERS)
    for module_name in _REGISTRY_MODULES:
        try:
            module = importlib.import_module(f"{__package__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{module_name}":
                raise
            continue  # a module this version of neuralkit does not have (yet)
        for name, value in vars(module).items():
            if (not name.startswith("_") and isinstance(value, type)
                    and value.__module__.startswith(f"{__package__}.")):
                found.setdefault(name, value)
    return found


def _registry_name_of(function: Callable[..., Any]) -> str | None:
    for name, value in _registry().items():
        if value is function:
            return name
    return None


def _check_path(path: Any, what: str) -> Path:
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{what}: path must be a str or os.PathLike; got {type(path).__name__}.")
    path = Path(path)
    if not str(path):
        raise ValueError(f"{what}: path is empty.")
    return path
