"""Weights files: a model's parameters alone, keyed as ``model.get_parameters()``, in one ``.npz``.

``model.save_weights(path)`` writes every parameter under its course key ('W1' of shape
(n1, n0), 'b1' of shape (n1, 1), ...; another layer's parameter as '<layer>/<name>'), every
state array (BatchNormalization's moving statistics) as '<layer>/<name>', and a
small JSON entry (format, version, dtype, the keys and their shapes), atomically, with the
writer of whole-model files. ``model.load_weights(path)`` reads it without pickle, checks
that every key of the model is there with its shape (and nothing else), numeric and finite,
and only then writes the values: a damaged or mismatched file changes nothing. Architecture,
compile settings and optimizer state are not in the file (``model.save`` keeps them all).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..errors import ModelFileError
from .archive import check_path, check_target, read_archive, write_archive

__all__ = ["WEIGHTS_FORMAT", "WEIGHTS_VERSION", "save_weights", "load_weights"]

#: Format identifier of weights files.
WEIGHTS_FORMAT = "neuralkit.weights"
#: Version of their layout written by this neuralkit; files with a higher one are refused.
WEIGHTS_VERSION = 1


def save_weights(model: Any, path: str | os.PathLike, overwrite: bool = True) -> Path:
    """Write ``model``'s parameters to ``path`` (exactly that name), atomically.

    Parameters
    ----------
    model : Sequential
        Built (its parameters exist).
    path : str or path-like
    overwrite : bool, default True
        False: a FileExistsError if ``path`` exists, instead of replacing it.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = check_path(path, "save_weights")
    model._require_built("save_weights")
    check_target(path, "save_weights", "model.weights.npz")
    if not overwrite and path.exists():
        raise FileExistsError(f"save_weights: '{path}' exists and overwrite=False; pass "
                              "overwrite=True to replace it, or choose another path.")
    parameters = {**model.get_parameters(),
                  **{key: target.copy() for key, _, target in _state_arrays(model)}}
    metadata = {
        "format": WEIGHTS_FORMAT,
        "format_version": WEIGHTS_VERSION,
        "neuralkit_version": __version__,
        "model": model.name,
        "dtype": str(model.dtype),
        "input_shape": list(model.example_shape),
        "keys": list(parameters),
        "shapes": [list(value.shape) for value in parameters.values()],
    }
    write_archive(path, metadata, parameters)
    return path


def load_weights(model: Any, path: str | os.PathLike) -> None:
    """Set ``model``'s parameters from a file written by :func:`save_weights`.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ModelFileError (a ValueError)
        The file is not a neuralkit weights file, is truncated or corrupted, or was written
        by a newer neuralkit.
    ValueError
        The file's keys or shapes are not the model's (another architecture), or a value is
        not a finite number. Nothing is written unless every parameter passed.
    """
    path = check_path(path, "load_weights")
    model._require_layers("load_weights")
    metadata, arrays = read_archive(path, WEIGHTS_FORMAT, WEIGHTS_VERSION, "load_weights",
                                    "weights file")
    if not model.built:
        shape = tuple(metadata.get("input_shape") or ())
        call = f"model.build({shape[0]})" if len(shape) == 1 else f"model.build({shape})"
        raise ValueError(f"load_weights: the model is not built yet, so it has no parameters to "
                         f"set. The weights in '{path}' were saved from a model built for inputs "
                         f"of shape {shape}: call {call} first (or give input_dim to the first "
                         "layer).")
    if metadata.get("keys") != list(arrays):
        raise ModelFileError(f"'{path}' is corrupted: its metadata lists the parameters "
                             f"{metadata.get('keys')!r} but it holds {list(arrays)}.")
    writes = []
    slots = model.parameter_slots()
    states = _state_arrays(model)
    model_keys = [slot.course_key for slot in slots] + [key for key, _, _ in states]
    missing = [key for key in model_keys if key not in arrays]
    unknown = [key for key in arrays if key not in model_keys]
    if missing or unknown:
        raise ValueError(
            f"load_weights: '{path}' does not fit this model: it has the parameters "
            f"{list(arrays)}, the model {model_keys} (missing from the file: {missing}; not in "
            f"the model: {unknown}). Build the model with the layers the weights were saved from."
        )
    entries = [(slot.course_key, slot.layer, slot.value, True) for slot in slots]
    entries += [(key, layer, target, False) for key, layer, target in states]
    for key, layer, target, course_layout in entries:
        value = arrays[key]
        # Parameters in the course's layout (a bias as a column), state arrays as they are.
        course_shape = (target.shape[0], 1) if course_layout and target.ndim == 1 else target.shape
        if value.shape != course_shape:
            raise ValueError(
                f"load_weights: '{key}' (layer '{layer.name}') has shape {value.shape} in "
                f"'{path}'; the model's is {course_shape}. Build the model with the layer sizes "
                "the weights were saved from."
            )
        if value.dtype.kind not in "biuf":
            raise ValueError(f"load_weights: '{key}' in '{path}' has dtype {value.dtype}; "
                             "expected numbers. The file was not written by save_weights.")
        if not np.isfinite(value).all():
            raise ValueError(f"load_weights: '{key}' in '{path}' contains NaN or inf; the "
                             "model's parameters were left unchanged.")
        writes.append((target, value.reshape(target.shape)))
    for target, value in writes:
        target[...] = value  # in place: optimizer state and references stay valid


def _state_arrays(model: Any) -> list[tuple[str, Any, np.ndarray]]:
    """(key '<layer>/<name>', layer, array) for every layer's state (moving statistics)."""
    return [(f"{layer.name}/{name}", layer, value)
            for layer in model.layers for name, value in layer.state.items()]
