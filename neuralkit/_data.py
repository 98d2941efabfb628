"""Data that does not fit in memory: NumPy memmaps read batch by batch, and batch iterables.

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
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from ._validation import _feature_message, to_float_array

#: Bytes read at most per chunk by the finiteness check, predict and evaluate on a memmap.
CHUNK_BYTES = 16 * 2**20


def is_memmap(X: Any) -> bool:
    return isinstance(X, np.memmap)


def is_batch_stream(X: Any) -> bool:
    """An iterable of batches given in place of an array: a generator, an iterator, or any
    iterable that is not array-like (lists, tuples, and objects with ``__array__`` or a
    ``shape``, such as DataFrames and sparse matrices, are taken as arrays)."""
    return (hasattr(X, "__iter__") and not hasattr(X, "__array__") and not hasattr(X, "shape")
            and not isinstance(X, (list, tuple, str, bytes, dict)))


class MemmapReader:
    """Reads rows of a 2-D memmap from its file, never through the mapping.

    Falls back to the mapping (and then drops the mapped pages with ``madvise``, where that is
    safe) when the memmap has no file to read (copy-on-write mode 'c', whose changes live only
    in the mapping) or its rows are not contiguous.
    """

    def __init__(self, X: np.memmap) -> None:
        self.X = X
        self.row_bytes = X.shape[1] * X.dtype.itemsize
        self._fd: int | None = None
        if (X.mode in ("r", "r+", "w+") and X.filename is not None and hasattr(os, "preadv")
                and X.strides[1] == X.dtype.itemsize and X.shape[0] > 0):
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
            out = np.empty((stop - start, self.X.shape[1]), dtype=self.X.dtype)
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


def check_memmap_X(X: np.memmap, name: str, n_features: int | None) -> np.memmap:
    """The checks of ``check_X`` on a memmap, in chunks: the file is never loaded whole."""
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers (bool, int or float); got a memmap of dtype "
                        f"{X.dtype}.")
    if X.size == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}); expected at least one sample.")
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D with samples as rows, shape (m, n_x); got a memmap "
                         f"of shape {X.shape}.")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(_feature_message(name, X.shape, n_features))
    if X.dtype.kind == "f":
        reader = MemmapReader(X)
        step = max(1, CHUNK_BYTES // max(1, reader.row_bytes))
        try:
            for start in range(0, X.shape[0], step):
                chunk = reader.rows(start, min(start + step, X.shape[0]))
                finite = np.isfinite(chunk)
                if not finite.all():
                    i, j = np.argwhere(~finite)[0]
                    raise ValueError(
                        f"{name} contains NaN or inf (first at index [{start + i}, {j}]: "
                        f"{chunk[i, j]}); remove or impute those values.")
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

    def __init__(self, X: np.memmap, Y: np.ndarray, batch_size: int, order: np.ndarray | None,
                 dtype: np.dtype) -> None:
        self.X, self.Y, self.batch_size, self.order, self.dtype = X, Y, batch_size, order, dtype

    def __len__(self) -> int:
        return -(-self.X.shape[0] // self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        X, Y, size = self.X, self.Y, self.batch_size
        reader = MemmapReader(X)
        raw = np.empty((size, X.shape[1]), dtype=X.dtype)
        X_buf = raw if X.dtype == self.dtype else np.empty((size, X.shape[1]), dtype=self.dtype)
        Y_buf = np.empty((size, Y.shape[1]), dtype=Y.dtype)
        try:
            for start in range(0, X.shape[0], size):
                stop = min(start + size, X.shape[0])
                n = stop - start
                if self.order is None:
                    reader.rows(start, stop, raw[:n])
                    Yb = Y[start:stop]
                else:
                    idx = np.sort(self.order[start:stop])
                    reader.take(idx, raw)
                    Yb = np.take(Y, idx, axis=0, out=Y_buf[:n])
                if X_buf is not raw:
                    X_buf[:n] = raw[:n]
                yield X_buf[:n], Yb
        finally:
            reader.close()


class MemmapRows:
    """Duck-typed stand-in for X in predict and evaluate: ``shape`` and ``X[start:stop]``."""

    def __init__(self, X: np.memmap, dtype: np.dtype) -> None:
        self.X, self.dtype, self.shape = X, dtype, X.shape
        self.reader = MemmapReader(X)

    def __getitem__(self, rows: slice) -> np.ndarray:
        start, stop, _ = rows.indices(self.shape[0])
        return self.reader.rows(start, stop).astype(self.dtype, copy=False)


class BatchStream:
    """Batches (X_batch, Y_batch) from an iterable, ``steps_per_epoch`` at a time.

    Without ``steps_per_epoch`` the iterable must be re-iterable (a list, or an object whose
    ``__iter__`` starts afresh) and every epoch is one pass over it. With it, batches are drawn
    from one running iterator, restarted when it ends if the iterable allows it.
    """

    def __init__(self, source: Iterable, steps_per_epoch: int | None, name: str = "X") -> None:
        self.source, self.steps, self.name = source, steps_per_epoch, name
        self.one_shot = iter(source) is source
        if self.one_shot and steps_per_epoch is None:
            raise ValueError(
                f"{name} is an iterator or generator, which cannot be restarted each epoch: give "
                f"steps_per_epoch (batches per epoch); got steps_per_epoch=None.")
        self._iterator: Iterator | None = None
        self._first: Any = None
        self.drawn = 0

    def _next(self) -> Any:
        if self._iterator is None:
            self._iterator = iter(self.source)
        try:
            item = next(self._iterator)
        except StopIteration:
            if self.one_shot or self.steps is None:
                raise
            self._iterator = iter(self.source)  # a re-iterable: start it again
            item = next(self._iterator)
        self.drawn += 1
        return item

    def first(self) -> Any:
        """The first batch, read ahead (to build the model); it is yielded again by :meth:`epoch`."""
        if self._first is None:
            try:
                self._first = self._next()
            except StopIteration:
                raise ValueError(f"{self.name} yielded no batches.") from None
        return self._first

    def epoch(self, epoch: int) -> Iterator[Any]:
        """The batches of one epoch."""
        if self.steps is None and epoch > 0:
            self._iterator = None  # a fresh pass over the re-iterable
        step = 0
        while self.steps is None or step < self.steps:
            if self._first is not None:
                item, self._first = self._first, None
            else:
                try:
                    item = self._next()
                except StopIteration:
                    if self.steps is None and step > 0:
                        return
                    raise ValueError(
                        f"{self.name} ran out of batches at epoch {epoch + 1}, batch {step + 1} "
                        f"after {self.drawn} in all; a generator must yield steps_per_epoch x "
                        f"epochs batches (loop it, e.g. with `while True:`)." if self.steps else
                        f"{self.name} yielded no batches at epoch {epoch + 1}.") from None
            yield item
            step += 1


def split_batch(item: Any, name: str) -> tuple[Any, Any]:
    """(X_batch, Y_batch) from one item of a batch iterable given to fit or evaluate."""
    if isinstance(item, (tuple, list)) and len(item) == 2:
        return item[0], item[1]
    length = f" of length {len(item)}" if isinstance(item, (tuple, list)) else ""
    raise TypeError(f"each item of {name} must be a pair (X_batch, Y_batch); got "
                    f"{type(item).__name__}{length}.")


def input_of(item: Any) -> Any:
    """The X batch of one item of an iterable given to predict: a tuple's first element
    (as in (X_batch, Y_batch)), or the item itself."""
    return item[0] if isinstance(item, tuple) else item
