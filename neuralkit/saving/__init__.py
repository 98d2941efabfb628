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

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError
from .archive import FORMAT_NAME, FORMAT_VERSION, check_path, check_target, read_archive, write_archive
from .loader import CustomObjectError, Loader
from .serialize import serialize

__all__ = ["save_model", "load_model", "ModelFileError", "FORMAT_NAME", "FORMAT_VERSION"]

#: Model classes a file may name, by class name (Sequential registers itself).
_MODEL_CLASSES: dict[str, type] = {}


def _register_model_class(cls: type) -> type:
    _MODEL_CLASSES[cls.__name__] = cls
    return cls


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
    if not isinstance(model, tuple(_MODEL_CLASSES.values())):
        raise TypeError(f"save_model expects a Sequential model; got {type(model).__name__}.")
    if not isinstance(include_optimizer, (bool, np.bool_)):
        raise TypeError(f"include_optimizer must be True or False; got {include_optimizer!r}.")
    path = check_path(path, "save")
    if not model.layers:
        raise ValueError("save: the model has no layers; there is nothing to save.")
    check_target(path, "save", "model.npz")
    write_archive(path, *serialize(model, bool(include_optimizer)))
    return path


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
    path = check_path(path, "load_model")
    if custom_objects is None:
        custom_objects = {}
    if not isinstance(custom_objects, dict) or not all(isinstance(k, str) for k in custom_objects):
        raise TypeError("custom_objects must be a dict {'Name': class or function}; got "
                        f"{type(custom_objects).__name__}.")
    metadata, arrays = read_archive(path)
    try:
        return Loader(path, metadata, arrays, custom_objects, _MODEL_CLASSES).model()
    except (ModelFileError, CustomObjectError):
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        # Metadata that is valid JSON but not what this version writes (its CRC was right,
        # so it was written that way): never a bare error from deep inside the loader.
        raise ModelFileError(
            f"'{path}' has metadata this neuralkit cannot interpret: {type(exc).__name__}: {exc}"
        ) from exc
