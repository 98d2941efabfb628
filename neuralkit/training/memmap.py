"""Data that does not fit in memory: NumPy memmaps read batch by batch from their file.

A memmap's rows are read straight from its file with ``os.preadv`` into batch-sized buffers.
Gathering rows through the mapping instead would map each touched page (and the kernel maps
up to a few hundred KiB around every fault), so a shuffled epoch would pull the whole file
into the process's resident memory; reading from the file keeps it at about one batch. The
operating system's page cache may still hold the file, but that memory is not the process's
and is given back under pressure.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from .._validation import check_example_shape, to_float_array

__all__ = ["CHUNK_BYTES", "is_memmap", "MemmapReader", "MemmapBatches",
           "check_memmap_X", "check_targets_for_rows"]

#: Bytes read at most per chunk by the finiteness check, predict and evaluate on a memmap.
CHUNK_BYTES = 16 * 2**20


def is_memmap(X: Any) -> bool:
    return isinstance(X, np.memmap)


class MemmapReader:
    """Reads rows (examples) of a memmap from its file, never through the mapping.

    Falls back to the mapping (and then drops the mapped pages with ``madvise``, where that is
    safe) when the memmap has no file to read (copy-on-write mode 'c', whose changes live only
    in the mapping) or its rows are not contiguous.
    """

    def __init__(self, X: np.memmap) -> None:
        self.X = X
        self.row_shape = X.shape[1:]
        self.row_bytes = int(np.prod(self.row_shape)) * X.dtype.itemsize
        self._fd: int | None = None
        if (X.mode in ("r", "r+", "w+") and X.filename is not None and hasattr(os, "preadv")
                and X.shape[0] > 0 and X[0].flags.c_contiguous):
            self._open_file()

    def _open_file(self) -> None:
        X = self.X
        fd = os.open(X.filename, os.O_RDONLY)
        base = np.frombuffer(X._mmap, dtype=np.uint8).ctypes.data if X._mmap is not None else None
        granularity = mmap.ALLOCATIONGRANULARITY
        # The mapping starts at the file offset numpy chose (offset rounded down to the
        # allocation granularity, or one granule lower for a zero-length tail); check which by
        # reading the first row both ways.
        first = np.ascontiguousarray(X[0]).tobytes()
        for start in (X.offset - X.offset % granularity, X.offset - X.offset % granularity - granularity):
            if base is None or start < 0:
                continue
            position = start + (X.ctypes.data - base)
            if os.pread(fd, self.row_bytes, position) == first:
                self._fd, self._position, self._stride = fd, position, X.strides[0]
                return
        os.close(fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        self.close()

    def _release(self) -> None:
        # Only for the fallback: drop mapped pages from the process (a shared mapping's data
        # stays in the file and the page cache; never done for copy-on-write mappings).
        mm = getattr(self.X, "_mmap", None)
        if mm is not None and self.X.mode != "c" and hasattr(mm, "madvise"):
            mm.madvise(mmap.MADV_DONTNEED)

    def rows(self, start: int, stop: int, out: np.ndarray | None = None) -> np.ndarray:
        """Rows start:stop as an in-memory array of the memmap's dtype."""
        if out is None:
            out = np.empty((stop - start, *self.row_shape), dtype=self.X.dtype)
        if self._fd is None:
            out[...] = self.X[start:stop]
            self._release()
            return out
        if self._stride == self.row_bytes:
            self._read(out, self._position + start * self._stride)
        else:
            for k in range(stop - start):
                self._read(out[k], self._position + (start + k) * self._stride)
        return out

    def take(self, idx: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Rows idx (sorted ascending) into ``out[:len(idx)]``; runs of consecutive rows are one read."""
        n = idx.shape[0]
        out = out[:n]
        if self._fd is None:
            np.take(self.X, idx, axis=0, out=out)
            self._release()
            return out
        # Split where the next index is not the previous one plus one.
        breaks = np.flatnonzero(np.diff(idx) != 1) + 1
        bounds = np.concatenate(([0], breaks, [n])).tolist()
        contiguous = self._stride == self.row_bytes
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            if contiguous:
                self._read(out[a:b], self._position + int(idx[a]) * self._stride)
            else:
                for k in range(a, b):
                    self._read(out[k], self._position + int(idx[k]) * self._stride)
        return out

    def _read(self, out: np.ndarray, position: int) -> None:
        view = memoryview(out).cast("B")
        done = 0
        while done < view.nbytes:  # preadv may return short counts
            got = os.preadv(self._fd, [view[done:]], position + done)
            if got <= 0:
                raise OSError(f"could not read the memmap's file {self.X.filename!r} at byte "
                              f"{position + done}.")
            done += got


def check_memmap_X(X: np.memmap, name: str,
                   input_shape: tuple[int, ...] | int | None) -> np.memmap:
    """The checks of ``check_X`` on a memmap, in chunks: the file is never loaded whole."""
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers (bool, int or float); got a memmap of dtype "
                        f"{X.dtype}.")
    if X.size == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}); expected at least one sample.")
    check_example_shape(X.shape, name, input_shape)
    if X.dtype.kind == "f":
        reader = MemmapReader(X)
        step = max(1, CHUNK_BYTES // max(1, reader.row_bytes))
        try:
            for start in range(0, X.shape[0], step):
                chunk = reader.rows(start, min(start + step, X.shape[0]))
                finite = np.isfinite(chunk)
                if not finite.all():
                    first = np.argwhere(~finite)[0]
                    where = ", ".join(map(str, [start + first[0], *first[1:]]))
                    raise ValueError(
                        f"{name} contains NaN or inf (first at index [{where}]: "
                        f"{chunk[tuple(first)]}); remove or impute those values.")
        finally:
            reader.close()
    return X


def check_targets_for_rows(Y: Any, m: int, dtype: np.dtype, x_name: str, y_name: str) -> np.ndarray:
    """Y for a memmap X of m rows, read into memory (it is m x n_y): (m, n_y) in ``dtype``."""
    Y = to_float_array(Y, y_name, dtype)
    if Y.ndim not in (1, 2):
        raise ValueError(f"{y_name} must be 1-D (m,) or 2-D (m, n_y); got shape {Y.shape}.")
    if Y.shape[0] != m:
        raise ValueError(f"{x_name} and {y_name} must have the same number of samples (rows); "
                         f"{x_name} has {m}, {y_name} has {Y.shape[0]} (shape {Y.shape}).")
    return Y.reshape(-1, 1) if Y.ndim == 1 else Y


class MemmapBatches:
    """The epoch's batches from a memmap X (and in-memory Y), in the model's dtype.

    With an order, each batch's indices are sorted before reading (fewer, forward reads); the
    batch holds the same examples, so its mean loss and gradient are those of the shuffled
    batch up to rounding.
    """

    def __init__(self, X: np.memmap, Y: np.ndarray | None, batch_size: int,
                 order: np.ndarray | None, dtype: np.dtype, W: np.ndarray | None = None) -> None:
        self.X, self.Y, self.batch_size, self.order, self.dtype = X, Y, batch_size, order, dtype
        self.W = W

    def __len__(self) -> int:
        return -(-self.X.shape[0] // self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray | None, np.ndarray | None]]:
        X, Y, W, size = self.X, self.Y, self.W, self.batch_size
        reader = MemmapReader(X)
        raw = np.empty((size, *X.shape[1:]), dtype=X.dtype)
        X_buf = raw if X.dtype == self.dtype else np.empty((size, *X.shape[1:]), dtype=self.dtype)
        Y_buf = None if Y is None else np.empty((size, Y.shape[1]), dtype=Y.dtype)
        try:
            for start in range(0, X.shape[0], size):
                stop = min(start + size, X.shape[0])
                n = stop - start
                if self.order is None:
                    reader.rows(start, stop, raw[:n])
                    Yb = None if Y is None else Y[start:stop]
                    Wb = None if W is None else W[start:stop]
                else:
                    idx = np.sort(self.order[start:stop])
                    reader.take(idx, raw)
                    Yb = None if Y is None else np.take(Y, idx, axis=0, out=Y_buf[:n])
                    Wb = None if W is None else W[idx]
                if X_buf is not raw:
                    with np.errstate(under="ignore"):  # to a subnormal or 0: the right rounding
                        X_buf[:n] = raw[:n]
                yield X_buf[:n], Yb, Wb
        finally:
            reader.close()
