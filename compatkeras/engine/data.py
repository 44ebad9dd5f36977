"""Batches for the steps: `Batch(x, ys, ws, size)` from numpy arrays, whole or sliced.

`x` is the list of model inputs, `ys`/`ws` one target and one weight array per fed output. A
surface checks shapes and names first; this module only slices, shuffles and counts.
"""

import math
import typing

import numpy as np


class Batch(typing.NamedTuple):
    x: list
    ys: list
    ws: list
    size: int  # what the epoch averages weight this batch by


def make_batches(size, batch_size):
    return [(i * batch_size, min(size, (i + 1) * batch_size)) for i in range(math.ceil(size / batch_size))]


def batch_shuffle(index_array, batch_size):
    """Shuffle whole batches and keep the short tail last (Keras 2's `shuffle="batch"`, meant for
    HDF5 data that must be read in contiguous chunks)."""
    count = len(index_array) // batch_size
    tail = index_array[count * batch_size :]
    head = index_array[: count * batch_size].reshape((count, batch_size))
    np.random.shuffle(head)
    return np.append(head.flatten(), tail)


class ArraySource:
    """In-memory arrays. Shuffling uses numpy's global RNG, as Keras 2 did, so seeded programs
    see the same batch order."""

    def __init__(self, xs, ys, ws):
        self.xs, self.ys, self.ws = list(xs), list(ys), list(ws)
        arrays = [a for a in (*self.xs, *self.ys) if a is not None]
        self.num_samples = len(arrays[0]) if arrays else 0

    def _take(self, index):
        def take(arrays):
            return [None if a is None else a[index] for a in arrays]

        return take(self.xs), take(self.ys), take(self.ws)

    def batches(self, batch_size, shuffle=False):
        index = np.arange(self.num_samples)
        if shuffle == "batch":
            index = batch_shuffle(index, batch_size)
        elif shuffle:
            np.random.shuffle(index)
        for start, stop in make_batches(self.num_samples, batch_size):
            chosen = index[start:stop]
            if not shuffle:
                chosen = slice(start, stop)  # a view, no copy
            yield Batch(*self._take(chosen), size=stop - start)

    def whole(self, steps):
        """`steps` batches that are each the whole arrays (Keras 2 step-wise training on arrays);
        each counts as size 1, so the epoch value is the mean over steps."""
        for _ in range(steps):
            yield Batch(self.xs, self.ys, self.ws, size=1)
