"""Batches for the steps: `Batch(x, ys, ws)` and feeds of them from numpy arrays, whole or sliced.

`x` is the list of model inputs, `ys`/`ws` one target and one weight array per fed output. A
surface checks shapes and names first; this module only slices, shuffles and counts.
"""

import math
import typing

import numpy as np
import tensorflow as tf

from compatkeras.engine.feeds import DatasetFeed, PythonFeed


class Batch(typing.NamedTuple):
    """One batch for the steps: model inputs, one target and one weight (None = unweighted) per
    fed output."""

    x: list
    ys: list
    ws: list


class _SignedBatch(Batch):
    """A `Batch` that carries its `calls.batch_signature`, taken where it was made."""

    signature = None


def tensor_batch(xs, ys, ws):
    """A `Batch` of tensors from arrays, made on a data thread: converted there (with the
    direct numpy-to-tensor path: half the cost of `tf.convert_to_tensor`'s dispatch), with its
    signature (what picks the compiled function) taken there too, because reading a tensor's
    shape on the loop's thread waits on the data thread (~17 us a tensor, measured: as much as a
    small model's step for a batch of three arrays)."""
    from compatkeras.engine import calls

    batch = _SignedBatch(*(tuple(map(calls.tensor, part)) for part in (xs, ys, ws)))
    batch.signature = calls.batch_signature(batch)
    return batch


def make_batches(size, batch_size):
    return [
        (i * batch_size, min(size, (i + 1) * batch_size))
        for i in range(math.ceil(size / batch_size))
    ]


def batch_shuffle(index_array, batch_size):
    """Shuffle whole batches and keep the short tail last (Keras 2's `shuffle="batch"`, meant for
    HDF5 data that must be read in contiguous chunks)."""
    count = len(index_array) // batch_size
    tail = index_array[count * batch_size :]
    head = index_array[: count * batch_size].reshape((count, batch_size))
    np.random.shuffle(head)
    return np.append(head.flatten(), tail)


def is_sparse_matrix(array):
    """A scipy.sparse matrix (duck-typed: the engine does not import scipy)."""
    return hasattr(array, "toarray") and hasattr(array, "nnz")


def _dense(array):
    return array.toarray() if is_sparse_matrix(array) else array


def _is_live(array):
    """A `tf.Variable` (a Keras 2 `Input(tensor=K.variable(...))`): a callback may change it
    between batches or epochs, so it is read when its batch is taken, never ahead."""
    return isinstance(array, tf.Variable)


def _rows(array, index):
    if _is_live(array):
        return array[index] if isinstance(index, slice) else tf.gather(array, index)
    return _dense(array[index])


class ArraySource:
    """In-memory arrays (numpy, or scipy.sparse matrices, made dense one batch at a time as
    Keras 2 did). Shuffling uses numpy's global RNG, as Keras 2 did, so seeded programs see the
    same batch order."""

    def __init__(self, xs, ys, ws):
        self.xs, self.ys, self.ws = list(xs), list(ys), list(ws)
        arrays = [a for a in (*self.xs, *self.ys) if a is not None]
        self.num_samples = arrays[0].shape[0] if arrays else 0
        # Batches of these are taken in Python, one at a time, just before they run: tf.data
        # cannot gather rows of a sparse matrix, and would read a variable ahead of the steps.
        self._from_python = any(is_sparse_matrix(a) or _is_live(a) for a in arrays)
        self._tensors = None
        self._repeated = {}  # (batch_size, prefetch) -> (repeated dataset, shared iterator slot)

    def tensors(self):
        """The arrays as tensors, converted once per source."""
        if self._tensors is None:
            # Tuples: tf.data reads a list as one tensor to stack, a tuple as a structure.
            self._tensors = tuple(
                tuple(
                    None if a is None else a if _is_live(a) else tf.convert_to_tensor(_dense(a))
                    for a in part
                )
                for part in (self.xs, self.ys, self.ws)
            )
        return self._tensors

    def order(self, batch_size, shuffle=False):
        """The sample order of one epoch: as stored, shuffled, or shuffled by whole batches."""
        index = np.arange(self.num_samples)
        if shuffle == "batch":
            return batch_shuffle(index, batch_size)
        if shuffle:
            np.random.shuffle(index)
        return index

    def dataset(self, batch_size, shuffle=False, repeat=False, prefetch=tf.data.AUTOTUNE):
        """The batches of `batches()` as a `tf.data.Dataset`: the same order (numpy's RNG decides
        it), gathered by tf.data in the background."""
        index = self.order(batch_size, shuffle)
        tensors = self.tensors()
        # Every batch full: a static batch dimension, as tf-keras's and Keras 3's pipelines give
        # it; the step's gradients then need no shape arithmetic (an LSTM's backward loop
        # accumulated the shapes of every broadcast at every timestep: 0.85 ms a step).
        whole = self.num_samples % batch_size == 0
        if shuffle:
            dataset = (
                tf.data.Dataset.from_tensor_slices(index)
                .batch(batch_size, drop_remainder=whole)
                .map(
                    lambda i: tf.nest.map_structure(
                        lambda t: None if t is None else tf.gather(t, i), tensors
                    )
                )
            )
        else:
            # Measured (bench notes in issue 5): faster than a per-batch slicing map.
            dataset = tf.data.Dataset.from_tensor_slices(tensors).batch(
                batch_size, drop_remainder=whole
            )
        if repeat:  # every pass alike (unshuffled): one pipeline for all of them
            dataset = dataset.repeat()
        # AUTOTUNE: since no loop waits for each step's values any more, it beats a fixed
        # depth of 2 (which the Keras 2 loop needed while it read every step back; issue 5).
        return dataset.prefetch(prefetch)

    def num_batches(self, batch_size):
        return math.ceil(self.num_samples / batch_size)

    def feed(self, batch_size, shuffle=False, prefetch=tf.data.AUTOTUNE):
        """One epoch as a feed whose batches are pulled inside the compiled function.

        Unshuffled epochs are all alike, so they share one repeated pipeline: each epoch goes on
        where the last stopped (every epoch takes exactly `num_batches`), and the prefetch stays
        warm across epochs instead of a new pipeline starting (and filling) at each one."""
        sizes = [stop - start for start, stop in make_batches(self.num_samples, batch_size)]
        if self._from_python:
            return PythonFeed(self.batches(batch_size, shuffle), len(sizes))
        if shuffle:
            return DatasetFeed(
                self.dataset(batch_size, shuffle, prefetch=prefetch), len(sizes), sizes=sizes
            )
        key = (batch_size, prefetch)
        if key not in self._repeated:
            self._repeated[key] = (self.dataset(batch_size, repeat=True, prefetch=prefetch), {})
        dataset, shared = self._repeated[key]
        return DatasetFeed(dataset, len(sizes), shared=shared, sizes=sizes)

    def _take(self, index):
        def take(arrays):
            return [None if a is None else _rows(a, index) for a in arrays]

        return take(self.xs), take(self.ys), take(self.ws)

    def batches(self, batch_size, shuffle=False):
        index = self.order(batch_size, shuffle)
        for start, stop in make_batches(self.num_samples, batch_size):
            chosen = index[start:stop]
            if not shuffle:
                chosen = slice(start, stop)  # a view, no copy
            yield Batch(*self._take(chosen))

    def whole(self, steps):
        """`steps` batches that are each the whole arrays (Keras 2 step-wise training on arrays
        or bound tensors); every batch has the same rows, so the epoch value is the mean over
        steps."""
        xs, ys, ws = self.tensors()
        for _ in range(steps):
            yield Batch(xs, ys, ws)

    def whole_feed(self, steps):
        return PythonFeed(self.whole(steps), steps)
