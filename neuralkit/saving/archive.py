"""The file itself: a ``.npz`` archive with a JSON metadata entry, written atomically, read
without pickle, every failure reported as a :class:`~neuralkit.errors.ModelFileError`."""

from __future__ import annotations

import json
import os
import secrets
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .._version import __version__
from ..errors import ModelFileError

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "write_archive", "read_archive", "check_path",
           "check_target"]

#: Format identifier stored in every file.
FORMAT_NAME = "neuralkit.model"
#: Version of the file layout written by this neuralkit; files with a higher one are refused.
FORMAT_VERSION = 1

#: What to do with a neuralkit file of another kind than the one expected.
_OTHER_KIND = {
    "neuralkit.model": "it holds a whole model: load it with neuralkit.load_model(path)",
    "neuralkit.weights": ("it holds weights only: build the same model and call "
                          "model.load_weights(path)"),
}

_METADATA_KEY = "__neuralkit__"
_ZIP_MAGIC = b"PK\x03\x04"
_NPY_MAGIC = b"\x93NUMPY"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def check_path(path: Any, what: str) -> Path:
    """``path`` (a str or path-like, not empty) as a Path; ``what`` names the caller."""
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{what}: path must be a str or os.PathLike; got {type(path).__name__}.")
    path = Path(path)
    if not str(path):
        raise ValueError(f"{what}: path is empty.")
    return path


def check_target(path: Path, what: str, example: str) -> None:
    """``path`` can be written: not a folder, in a folder that exists."""
    if path.is_dir():
        raise ValueError(f"{what}: path '{path}' is a folder; give a file name such as "
                         f"'{path / example}'.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{what}: folder '{path.parent}' does not exist; create it first.")


def write_archive(path: Path, metadata: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` and the JSON ``metadata`` to ``path`` atomically."""
    blob = json.dumps(metadata, allow_nan=True).encode("utf-8")
    _atomic_write(path, {**arrays, _METADATA_KEY: np.frombuffer(blob, dtype=np.uint8)})


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


_NOT_KERAS = ("; neuralkit reads only its own files. Rebuild the model in neuralkit and copy its "
              "arrays with set_weights (a Dense's W is Keras's kernel transposed)")


def read_archive(path: Path, format_name: str = FORMAT_NAME, format_version: int = FORMAT_VERSION,
                 caller: str = "load_model", kind: str = "model file"
                 ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The metadata and the arrays of the file at ``path``, which must be of ``format_name``
    (at most ``format_version``); every problem is a :class:`ModelFileError` naming the file,
    with ``caller`` and ``kind`` ('model file', 'weights file') in its message."""
    if not path.exists():
        raise FileNotFoundError(f"{caller}: no file at '{path}'.")
    if path.is_dir():
        raise ModelFileError(f"{caller}: '{path}' is a folder, not a {kind}.")
    with open(path, "rb") as file:
        head = file.read(len(_ZIP_MAGIC))
        if not head:
            raise ModelFileError(f"'{path}' is empty (0 bytes): not a neuralkit {kind}.")
        if head != _ZIP_MAGIC:
            what = ("a single NumPy array (.npy)" if head == _NPY_MAGIC[:len(head)]
                    else "an HDF5 file, as Keras 2's .h5 models and weights" + _NOT_KERAS
                    if head == _HDF5_MAGIC[:len(head)]
                    else f"not a .npz archive (it starts with {head!r})")
            raise ModelFileError(f"'{path}' is not a neuralkit {kind}: {what}.")
        file.seek(0)
        try:
            with np.load(file, allow_pickle=False) as archive:
                names = list(archive.files)
                if {"config.json", "metadata.json"} <= set(names):
                    raise ModelFileError(f"'{path}' is a Keras 3 .keras file, not a neuralkit "
                                         f"{kind}" + _NOT_KERAS + ".")
                if _METADATA_KEY not in names:
                    raise ModelFileError(
                        f"'{path}' is a .npz archive but not a neuralkit {kind} (it has no "
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
    found = metadata.get("format")
    if found != format_name:
        hint = f": {_OTHER_KIND[found]}" if found in _OTHER_KIND else ""
        raise ModelFileError(
            f"'{path}' is not a neuralkit {kind} (format {found!r}; expected "
            f"{format_name!r}){hint}."
        )
    version = metadata.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ModelFileError(f"'{path}' has an invalid format version {version!r}.")
    if version > format_version:
        raise ModelFileError(
            f"'{path}' was written by a newer neuralkit ({metadata.get('neuralkit_version')}, "
            f"file format version {version}); this neuralkit ({__version__}) reads format "
            f"versions up to {format_version}. Upgrade neuralkit to load it."
        )
    return metadata, arrays
