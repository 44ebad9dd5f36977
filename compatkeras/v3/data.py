"""PyDatasets and generator objects read by the engine's enqueuer for the Keras 3 surface
(`keras3_data` wraps these adapters for Keras 3 models), with Keras 3's batch rules and texts,
and Keras 2's worker arguments given to `fit` / `evaluate` / `predict`.

An adapter knows its number of batches (None when unknown), gives one feed per pass, reads the
first batch once (the model's symbolic build) and delivers it again as the first of the pass.
"""

import itertools
import warnings

import numpy as np
import tensorflow as tf

from compatkeras.engine import enqueuer
from compatkeras.engine.feeds import PythonFeed


def unpack_x_y_sample_weight(data):
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
        f"found: {data}"
    )


def _is_array(value):
    if isinstance(value, (np.ndarray, tf.Tensor, tf.Variable, tf.SparseTensor, tf.RaggedTensor)):
        return True
    return (
        hasattr(value, "__array__")
        and hasattr(value, "shape")
        and not isinstance(value, (list, tuple, dict, str))
    )


def array_like(*parts):
    leaves = [leaf for part in parts for leaf in tf.nest.flatten(part) if leaf is not None]
    return bool(leaves) and all(_is_array(leaf) for leaf in leaves)


def class_weights(y, class_weight):
    """Keras 3: argmax of one-hot targets, else the rounded value; unknown classes weigh 1.0."""
    y = np.asarray(y)
    classes = (
        np.argmax(y, axis=-1)
        if y.ndim > 1 and y.shape[-1] > 1
        else np.round(y).reshape(len(y), -1)[:, 0]
    )
    return np.array([float(class_weight.get(int(c), 1.0)) for c in classes], dtype="float32")


class Adapter:
    """What every input kind provides: `num_batches` (None when unknown), `y_shapes()`,
    `feed()` (one pass), `x_batches()` (inputs only, for predict), and epoch hooks."""

    restartable = True  # a new pass can start from the beginning

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass

    def close(self):
        pass


def standardize_py_batch(batch, class_weight=None):
    """Keras 3's `PyDataset` batch rules."""
    if isinstance(batch, dict) or _is_array(batch):
        batch = (batch,)
    elif isinstance(batch, list):
        batch = tuple(batch)
    if not isinstance(batch, tuple) or not 1 <= len(batch) <= 3:
        raise ValueError(
            "PyDataset.__getitem__() must return a tuple or a dict. If a tuple, it must be ordered "
            "either (input,) or (inputs, targets) or (inputs, targets, sample_weights). Received: "
            f"{str(batch)[:100]}... of type {type(batch)}"
        )
    if class_weight is not None:
        if len(batch) == 3:
            raise ValueError(
                "You cannot specify `class_weight` and `sample_weight` at the same time."
            )
        if len(batch) == 2:
            batch = (*batch, class_weights(batch[1], class_weight))
    return batch


class _PythonAdapter(Adapter):
    """Shared by PyDataset and generator adapters: the first batch is read once for shapes and
    then delivered as the first batch of the first pass."""

    _peeked = None

    def _stream(self):
        raise NotImplementedError

    def _batches(self):
        if self._iterator is None:
            self._iterator = self._stream()
        return self._iterator

    def peek(self):
        if self._peeked is None:
            self._peeked = next(self._batches(), None)
            if self._peeked is None:
                raise ValueError(self.empty_message)
        return self._peeked

    def x_batches(self):
        for batch in self._split_all():
            yield batch[0]

    def _split_all(self):
        if self._peeked is not None:
            first, self._peeked = self._peeked, None
            yield first
        # Not `yield from`: closing this pass's generator must not close the shared stream.
        for batch in self._batches():  # noqa: UP028
            yield batch


class PyDatasetAdapter(_PythonAdapter):
    empty_message = "The PyDataset has length 0"

    def __init__(self, layout, dataset, class_weight, shuffle):
        import random

        self.layout = layout
        self.dataset = dataset
        self.class_weight = class_weight
        try:
            num_batches = dataset.num_batches
        except (AttributeError, NotImplementedError):
            num_batches = len(dataset)
        if num_batches == 0:
            raise ValueError(self.empty_message)
        self.num_batches = num_batches
        self.infinite = num_batches is None
        if shuffle and self.infinite:
            _ignored_shuffle(
                "an infinite PyDataset", "PyDataset is expected to already be shuffled."
            )
        self.shuffle = (
            random.shuffle if shuffle and shuffle != "batch" and not self.infinite else False
        )
        self.workers = getattr(dataset, "workers", 1)
        self.use_multiprocessing = getattr(dataset, "use_multiprocessing", False)
        self.max_queue_size = getattr(dataset, "max_queue_size", 10)
        check_worker_values(self.workers, self.max_queue_size)
        self._stream_cm = None
        self._iterator = None
        self._read = 0  # batches read from the current pass

    def _open(self):
        if self._stream_cm is None:
            workers = self.workers
            if workers <= 1 and not self.use_multiprocessing:
                workers = 0  # the calling thread
            elif self.use_multiprocessing:
                workers = max(workers, 1)
            source = self.dataset if not self.infinite else _Infinite(self.dataset)
            self._stream_cm = enqueuer.open_stream(
                source,
                workers,
                self.use_multiprocessing,
                self.max_queue_size,
                shuffle=self.shuffle,
            )
        return self._stream_cm

    def _stream(self):
        batches = iter(self._open())
        if not self.infinite:
            batches = itertools.islice(batches, self.num_batches)
        self._read = 0
        for batch in batches:
            self._read += 1
            yield self.layout.split(*standardize_unpacked(batch, self.class_weight))

    def feed(self):
        feed = PythonFeed(
            (self.layout.select(b) for b in self._split_all()),
            None if self.infinite else self.num_batches,
        )
        return feed

    def on_epoch_begin(self):
        hook = getattr(self.dataset, "on_epoch_begin", None)
        if hook is not None:
            hook()

    def on_epoch_end(self):
        """Ends a pass that was read to its end; the next pass reads on from the same stream
        (its workers, processes too, kept across epochs), or from a fresh one when the dataset's
        own epoch hooks may change it (workers forked again see the change). An epoch of
        `steps_per_epoch` batches that stops inside a pass keeps the stream, and the next epoch
        continues that pass (as Keras 3 does)."""
        if not self.infinite and self._read >= self.num_batches:
            self._iterator = None
            if enqueuer.changes_between_passes(self.dataset):
                self.close()
        hook = getattr(self.dataset, "on_epoch_end", None)
        if hook is not None:
            hook()

    def close(self):
        if self._stream_cm is not None:
            self._stream_cm.close()
        self._stream_cm = None
        self._iterator = None


def standardize_unpacked(batch, class_weight):
    return unpack_x_y_sample_weight(standardize_py_batch(batch, class_weight))


class _Infinite:
    """An infinite PyDataset seen as a Sequence (one stream per fit: indices continue across
    epochs)."""

    def __init__(self, dataset):
        self.dataset = dataset

    def __len__(self):
        return 2**62

    def __getitem__(self, i):
        return self.dataset[i]


class GeneratorAdapter(_PythonAdapter):
    """A generator object: read once, across epochs (Keras 3 replays its first two batches on
    later epochs; here a later epoch continues where the generator is)."""

    empty_message = "The generator yielded no data."
    restartable = False

    def __init__(self, layout, generator):
        self.layout = layout
        self.generator = generator
        self.num_batches = None
        self.infinite = False
        self._iterator = None
        # Keras 3 reads a generator on the calling thread; Keras 2's worker arguments given to
        # fit/evaluate/predict (`worker_options`) read it through the engine's enqueuer.
        self.workers, self.use_multiprocessing, self.max_queue_size = 0, False, 10
        self._stream_cm = None

    def _stream(self):
        source = self.generator
        if self.workers > 0 or self.use_multiprocessing:
            self._stream_cm = enqueuer.open_stream(
                self.generator, max(self.workers, 1), self.use_multiprocessing, self.max_queue_size
            )
            source = iter(self._stream_cm)
        for batch in source:
            if not isinstance(batch, tuple):
                raise ValueError(
                    "When passing a Python generator to a Keras model, the generator must return "
                    "a tuple, either (input,) or (inputs, targets) or (inputs, targets, "
                    f"sample_weights). Received: {str(batch)[:100]}"
                )
            yield self.layout.split(*unpack_x_y_sample_weight(batch))

    def feed(self):
        return PythonFeed(self.layout.select(b) for b in self._split_all())

    def close(self):
        if self._stream_cm is not None:
            self._stream_cm.close()
        self._stream_cm = None


WORKER_OPTIONS = ("workers", "use_multiprocessing", "max_queue_size")


def worker_options(method, kwargs):
    """Keras 2's `workers`/`use_multiprocessing`/`max_queue_size` given to a Keras 3 call (a
    TypeError or ValueError in Keras 3): taken out of `kwargs` with a DeprecationWarning."""
    options = {k: kwargs.pop(k) for k in WORKER_OPTIONS if k in kwargs}
    if options:
        warnings.warn(
            f"`{method}({', '.join(f'{k}=' for k in options)}...)` is Keras 2 usage: in Keras 3 "
            "these are arguments of your PyDataset (`super().__init__(workers=..., "
            "use_multiprocessing=..., max_queue_size=...)`). compatkeras.v3 uses them for this "
            "call; arrays and tf.data inputs have no workers.",
            DeprecationWarning,
            stacklevel=3,
        )
    return options


def check_worker_values(workers, max_queue_size):
    """Keras 3's PyDataset takes any value and hangs or fails later; say which is wrong."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise ValueError(f"`workers` must be an integer >= 0. Received: workers={workers!r}")
    if (
        isinstance(max_queue_size, bool)
        or not isinstance(max_queue_size, int)
        or max_queue_size < 1
    ):
        raise ValueError(
            f"`max_queue_size` must be an integer >= 1. Received: max_queue_size={max_queue_size!r}"
        )


def apply_worker_options(adapter, options):
    """Use the call's worker options for a PyDataset or a generator (they win over the
    PyDataset's own, for this call only)."""
    if options and isinstance(adapter, (PyDatasetAdapter, GeneratorAdapter)):
        for name, value in options.items():
            setattr(adapter, name, value)


def _ignored_shuffle(what, expectation):
    warnings.warn(
        f"`shuffle=True` was passed, but will be ignored since the data `x` was provided as "
        f"{what}. The {expectation}",
        stacklevel=4,
    )
