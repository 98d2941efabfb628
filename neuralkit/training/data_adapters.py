"""The one data seam: arrays, memmaps and iterables of batches behind one interface.

``fit``, ``evaluate`` and ``predict`` see a :class:`DataAdapter`: the batches of an epoch, the
number of steps and samples when known, and a first batch to build the model from. Each batch
is ``(X_batch, Y_batch, W_batch)`` in the model's dtype, already checked (``Y_batch`` is None
for predict, ``W_batch`` None without sample weights).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from . import memmap
from .memmap import MemmapBatches, is_memmap

__all__ = ["DataAdapter", "ArrayAdapter", "MemmapAdapter", "BatchStreamAdapter", "OnePassAdapter",
           "array_adapter", "is_batch_stream", "split_batch", "input_of"]

Batch = tuple[np.ndarray, np.ndarray | None, np.ndarray | None]
#: ``check(item, where) -> (X_batch, Y_batch, W_batch)``: one item of an iterable, checked;
#: ``where`` names it in error messages ("X (epoch 2, batch 5)").
Check = Callable[[Any, str], Batch]


class DataAdapter(ABC):
    """The batches of one fit, evaluate or predict call.

    Attributes
    ----------
    steps : int or None
        Batches per epoch, when known.
    samples : int or None
        Examples per epoch, when known.
    batch_size : int
        Rows of the first batch.
    """

    steps: int | None
    samples: int | None
    batch_size: int

    @abstractmethod
    def first_batch(self) -> Batch:
        """A batch to build the model from (read ahead for iterables; yielded again by
        :meth:`epoch`)."""

    @abstractmethod
    def epoch(self, epoch: int) -> Iterable[Batch]:
        """The batches of epoch ``epoch`` (0-based)."""

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one example, samples excluded."""
        return self.first_batch()[0].shape[1:]


class ArrayAdapter(DataAdapter):
    """Checked in-memory arrays: views in order, or rows gathered by index when shuffled.

    Parameters
    ----------
    X, Y : ndarray
        Checked, in the model's dtype; Y None for predict.
    W : ndarray (m,), optional
        Checked sample weights.
    batch_size : int
        Capped at the number of examples.
    shuffle : bool
        Reshuffle by index, with ``rng``, at the start of each epoch (when there is more than
        one batch).
    """

    def __init__(self, X: np.ndarray, Y: np.ndarray | None, batch_size: int, shuffle: bool = False,
                 rng: np.random.Generator | None = None, W: np.ndarray | None = None) -> None:
        self.X, self.Y, self.W = X, Y, W
        self.samples = X.shape[0]
        self.batch_size = min(batch_size, self.samples)
        self.steps = math.ceil(self.samples / self.batch_size)
        self.shuffle, self.rng = shuffle and self.batch_size < self.samples, rng

    def first_batch(self) -> Batch:
        # Views (of a memmap: nothing is read): fit and evaluate want only their shapes.
        size = self.batch_size
        return (self.X[:size], None if self.Y is None else self.Y[:size],
                None if self.W is None else self.W[:size])

    def _order(self) -> np.ndarray | None:
        return self.rng.permutation(self.samples) if self.shuffle else None

    def epoch(self, epoch: int) -> Iterable[Batch]:
        return _gathered(self.X, self.Y, self.W, self.batch_size, self._order())


def _gathered(X: np.ndarray, Y: np.ndarray | None, W: np.ndarray | None, size: int,
              order: np.ndarray | None) -> Iterator[Batch]:
    """The epoch's batches: views of X and Y in order, or rows gathered by index (never a copy
    of the whole data set).

    Shuffled batches are gathered into two arrays reused for every batch: each batch is used up
    (forward, backward, update, metrics) before the next one is gathered, and nothing keeps a
    batch past its step but the first layer's cache, which the next batch replaces.
    """
    m = X.shape[0]
    if order is None:
        for start in range(0, m, size):
            yield (X[start:start + size], None if Y is None else Y[start:start + size],
                   None if W is None else W[start:start + size])
        return
    X_batch = np.empty((min(size, m), *X.shape[1:]), dtype=X.dtype)
    Y_batch = None if Y is None else np.empty((min(size, m), *Y.shape[1:]), dtype=Y.dtype)
    for start in range(0, m, size):
        idx = order[start:start + size]
        n = idx.size
        # mode='clip' writes straight into out= (the default 'raise' buffers the whole
        # gather first); the indices are a permutation of range(m), so none is clipped. The
        # method, not np.take: np.take is three Python calls around it, 0.8 us a batch of its
        # 1.2 us on workload (c) of benchmarks/training.py (32 x 20 float64 rows).
        Xb = X.take(idx, axis=0, out=X_batch[:n], mode="clip")
        Yb = None if Y is None else Y.take(idx, axis=0, out=Y_batch[:n], mode="clip")
        yield Xb, Yb, None if W is None else W[idx]


class MemmapAdapter(ArrayAdapter):
    """A memmap X read batch by batch from its file (see :mod:`neuralkit.training.memmap`),
    converted to ``dtype`` per batch; Y in memory."""

    def __init__(self, X: np.memmap, Y: np.ndarray | None, batch_size: int, dtype: np.dtype,
                 shuffle: bool = False, rng: np.random.Generator | None = None,
                 W: np.ndarray | None = None) -> None:
        super().__init__(X, Y, batch_size, shuffle, rng, W)
        self.dtype = dtype

    def epoch(self, epoch: int) -> Iterable[Batch]:
        return MemmapBatches(self.X, self.Y, self.batch_size, self._order(), self.dtype, self.W)


def array_adapter(X: np.ndarray, Y: np.ndarray | None, batch_size: int, dtype: np.dtype,
                  shuffle: bool = False, rng: np.random.Generator | None = None,
                  inference: bool = False, W: np.ndarray | None = None) -> ArrayAdapter:
    """The adapter of checked arrays or a memmap. In inference (evaluate, predict, validation),
    a memmap's batches are also capped to about ``CHUNK_BYTES`` each."""
    if not is_memmap(X):
        return ArrayAdapter(X, Y, batch_size, shuffle, rng, W)
    if inference:
        row_bytes = int(np.prod(X.shape[1:])) * X.itemsize
        batch_size = max(1, min(batch_size, memmap.CHUNK_BYTES // row_bytes))
    return MemmapAdapter(X, Y, batch_size, dtype, shuffle, rng, W)


class BatchStreamAdapter(DataAdapter):
    """fit's batches from an iterable of (X_batch, Y_batch), ``steps_per_epoch`` at a time.

    Without ``steps_per_epoch`` the iterable must be re-iterable (an object whose ``__iter__``
    starts afresh) and every epoch is one pass over it. With it, batches are drawn from one
    running iterator, restarted when it ends if the iterable allows it. The first batch is read
    and checked at construction, before the model changes; later ones as they arrive.
    """

    def __init__(self, source: Iterable, steps_per_epoch: int | None, check: Check,
                 name: str = "X") -> None:
        self.source, self.check, self.name = source, check, name
        self.one_shot = iter(source) is source
        if self.one_shot and steps_per_epoch is None:
            raise ValueError(
                f"{name} is an iterator or generator, which cannot be restarted each epoch: give "
                f"steps_per_epoch (batches per epoch); got steps_per_epoch=None.")
        self.steps_per_epoch = steps_per_epoch
        self.steps = steps_per_epoch or (len(source) if hasattr(source, "__len__") else None)
        self.samples = None
        self._iterator: Iterator | None = None
        self.drawn = 0
        try:
            item = self._next()
        except StopIteration:
            raise ValueError(f"{name} yielded no batches.") from None
        self._first: Batch | None = self.check(item, self._where(0, 0))
        self._first_kept = self._first
        self.batch_size = self._first[0].shape[0]

    def _where(self, epoch: int, step: int) -> str:
        return f"{self.name} (epoch {epoch + 1}, batch {step + 1})"

    def _next(self) -> Any:
        if self._iterator is None:
            self._iterator = iter(self.source)
        try:
            item = next(self._iterator)
        except StopIteration:
            if self.one_shot or self.steps_per_epoch is None:
                raise
            self._iterator = iter(self.source)  # a re-iterable: start it again
            item = next(self._iterator)
        self.drawn += 1
        return item

    def first_batch(self) -> Batch:
        return self._first_kept

    def epoch(self, epoch: int) -> Iterator[Batch]:
        if self.steps_per_epoch is None and epoch > 0:
            self._iterator = None  # a fresh pass over the re-iterable
        step = 0
        while self.steps_per_epoch is None or step < self.steps_per_epoch:
            if self._first is not None:
                batch, self._first = self._first, None
            else:
                try:
                    item = self._next()
                except StopIteration:
                    if self.steps_per_epoch is None and step > 0:
                        return
                    raise ValueError(self._ran_out(epoch, step)) from None
                batch = self.check(item, self._where(epoch, step))
            yield batch
            step += 1

    def _ran_out(self, epoch: int, step: int) -> str:
        if self.steps_per_epoch is None:
            return f"{self.name} yielded no batches at epoch {epoch + 1}."
        return (f"{self.name} ran out of batches at epoch {epoch + 1}, batch {step + 1} after "
                f"{self.drawn} in all; a generator must yield steps_per_epoch x epochs batches "
                "(loop it, e.g. with `while True:`).")


class OnePassAdapter(DataAdapter):
    """evaluate's and predict's batches from any iterable: one pass, at most ``steps`` batches.

    Each batch is used whole (its own size); the first is read ahead to build the model.
    """

    def __init__(self, source: Iterable, steps: int | None, check: Check, name: str = "X") -> None:
        self.check, self.name = check, name
        self.steps, self.samples = steps, None
        self._items = iter(source)
        self._first: Batch | None = self._read(0)
        if self._first is None:
            raise ValueError(f"{name} yielded no batches.")
        self._first_kept = self._first
        self.batch_size = self._first[0].shape[0]

    def _read(self, k: int) -> Batch | None:
        if self.steps is not None and k >= self.steps:
            return None
        try:
            item = next(self._items)
        except StopIteration:
            return None
        return self.check(item, f"{self.name} (batch {k + 1})")

    def first_batch(self) -> Batch:
        return self._first_kept

    def epoch(self, epoch: int) -> Iterator[Batch]:
        batch, k = self._first, 0
        self._first = None
        while batch is not None:
            yield batch
            k += 1
            batch = self._read(k)


def is_batch_stream(X: Any) -> bool:
    """An iterable of batches given in place of an array: a generator, an iterator, or any
    iterable that is not array-like (lists, tuples, and objects with ``__array__`` or a
    ``shape``, such as DataFrames and sparse matrices, are taken as arrays)."""
    return (hasattr(X, "__iter__") and not hasattr(X, "__array__") and not hasattr(X, "shape")
            and not isinstance(X, (list, tuple, str, bytes, dict)))


def split_batch(item: Any, name: str) -> tuple[Any, Any, Any]:
    """(X_batch, Y_batch, W_batch or None) from one item of a batch iterable given to fit or
    evaluate: a pair, or a triple with the batch's sample weights (as Keras takes)."""
    if isinstance(item, (tuple, list)) and len(item) in (2, 3):
        return item[0], item[1], item[2] if len(item) == 3 else None
    length = f" of length {len(item)}" if isinstance(item, (tuple, list)) else ""
    raise TypeError(f"each item of {name} must be a pair (X_batch, Y_batch) or a triple "
                    f"(X_batch, Y_batch, sample_weight); got {type(item).__name__}{length}.")


def input_of(item: Any) -> Any:
    """The X batch of one item of an iterable given to predict: a tuple's first element
    (as in (X_batch, Y_batch)), or the item itself."""
    return item[0] if isinstance(item, tuple) else item
