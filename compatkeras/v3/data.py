"""Keras 3 inputs -> engine feeds (keras3 spec §B.3, §B.4, §C).

One adapter per input kind, checked in Keras 3's order: arrays (NumPy, tensors, and lists or
dicts of them), `tf.data.Dataset`, PyDataset (or any Sequence), generator objects. An adapter
knows its number of batches (None when unknown), gives one feed per pass, and reports the
shapes of its first batch so losses like `"ce"` can be resolved. Batches reach the engine as
`(inputs, targets, weights)` with one target and weight per output that has a loss.
"""

import itertools
import math
import types
import warnings

import numpy as np
import tensorflow as tf

from compatkeras.engine import enqueuer
from compatkeras.engine.data import ArraySource
from compatkeras.engine.feeds import INFINITE, DatasetFeed, PythonFeed


class Layout:
    """The model's input and output names, and which outputs take targets."""

    def __init__(self, input_names, output_names, fed=None):
        self.input_names = list(input_names)
        self.output_names = list(output_names)
        self.fed = fed  # one bool per output, once the config exists

    def x(self, x):
        if isinstance(x, dict) and len(self.input_names) > 0:
            if len(self.input_names) == 1 and self.input_names[0] not in x and len(x) > 1:
                return (x,)  # a single input that takes a dict
            missing = [n for n in self.input_names if n not in x]
            if missing:
                raise ValueError(
                    f'Missing data for input "{missing[0]}". You passed a data dictionary with '
                    f"keys {list(x)}. Expected the following keys: {self.input_names}"
                )
            return tuple(x[n] for n in self.input_names)
        if isinstance(x, (list, tuple)) and len(self.input_names) > 1:
            return tuple(x)
        return (x,)

    def _per_output(self, value, what, broadcast):
        n = len(self.output_names)
        if value is None:
            return (None,) * n
        if isinstance(value, dict):
            unknown = [k for k in value if k not in self.output_names]
            if unknown:
                raise ValueError(
                    f"`{what}` has keys {unknown} that are not model outputs {self.output_names}."
                )
            return tuple(value.get(name) for name in self.output_names)
        if isinstance(value, (list, tuple)) and n > 1:
            if len(value) != n:
                raise ValueError(
                    f"`{what}` should have one entry per model output ({n}: "
                    f"{self.output_names}); received {len(value)}."
                )
            return tuple(value)
        if n > 1 and not broadcast:
            raise ValueError(
                f"The model has {n} outputs {self.output_names}: pass `{what}` as a list or a "
                "dict with one entry per output."
            )
        return (value,) * n if broadcast else (value,)

    def y(self, y):
        return self._per_output(y, "y", broadcast=False)

    def w(self, w):
        return self._per_output(w, "sample_weight", broadcast=True)

    def split(self, x, y=None, w=None):
        """`(inputs, targets per output, weights per output)`."""
        return self.x(x), self.y(y), self.w(w)

    def select(self, batch):
        """Only the outputs that take targets (after the config exists)."""
        xs, ys, ws = batch
        keep = self.fed
        return (
            tuple(xs),
            tuple(v for v, k in zip(ys, keep, strict=True) if k),
            tuple(v for v, k in zip(ws, keep, strict=True) if k),
        )


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


def _array_like(*parts):
    leaves = [leaf for part in parts for leaf in tf.nest.flatten(part) if leaf is not None]
    return bool(leaves) and all(_is_array(leaf) for leaf in leaves)


def is_py_dataset(x):
    return (
        hasattr(x, "__getitem__")
        and (hasattr(x, "num_batches") or hasattr(x, "__len__"))
        and not _is_array(x)
        and not isinstance(x, (list, tuple, dict, str))
    )


def class_weights(y, class_weight):
    """Keras 3: argmax of one-hot targets, else the rounded value; unknown classes weigh 1.0."""
    y = np.asarray(y)
    classes = (
        np.argmax(y, axis=-1)
        if y.ndim > 1 and y.shape[-1] > 1
        else np.round(y).reshape(len(y), -1)[:, 0]
    )
    return np.array([float(class_weight.get(int(c), 1.0)) for c in classes], dtype="float32")


def _check_class_weight(layout, class_weight, sample_weight):
    if class_weight is None:
        return
    if sample_weight is not None:
        raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
    if len(layout.output_names) > 1:
        raise ValueError("`class_weight` is only supported for Models with a single output.")
    if not isinstance(class_weight, dict):
        raise ValueError(
            f"`class_weight` must be a dict of class index to weight. Received: {class_weight!r}"
        )


def _shapes(batch):
    """The target shape of each output in a split batch."""
    return [None if t is None else tuple(np.shape(t)) for t in batch[1]]


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


class ArrayAdapter(Adapter):
    def __init__(self, layout, x, y, sample_weight, class_weight, batch_size, steps, shuffle):
        _check_class_weight(layout, class_weight, sample_weight)
        xs, ys, ws = layout.split(x, y, sample_weight)
        if class_weight is not None:
            ws = (class_weights(ys[0], class_weight),)
        sizes = {}
        for label, part in (("x", xs), ("y", ys), ("sample_weight", ws)):
            for leaf in part:
                if leaf is not None:
                    sizes.setdefault(label, []).append(int(leaf.shape[0]))
        counts = {n for v in sizes.values() for n in v}
        if len(counts) > 1:
            detail = "\n".join(f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items())
            raise ValueError(
                "Data cardinality is ambiguous. Make sure all arrays contain the same number of "
                f"samples.{detail}\n"
            )
        self.num_samples = counts.pop() if counts else 0
        if batch_size is None:
            batch_size = math.ceil(self.num_samples / steps) if steps and steps > 0 else 32
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.num_batches = math.ceil(self.num_samples / batch_size)
        self.parts = (xs, ys, ws)
        self.layout = layout
        self._source = None

    def y_shapes(self):
        return [None if t is None else (None, *tuple(t.shape)[1:]) for t in self.parts[1]]

    def feed(self):
        if self._source is None:  # converted to tensors once, not every epoch
            self._source = ArraySource(*self.layout.select(self.parts))
        return self._source.feed(self.batch_size, self.shuffle)

    def x_batches(self):
        xs = self.parts[0]
        for start in range(0, self.num_samples, self.batch_size):
            yield tuple(a[start : start + self.batch_size] for a in xs)


class DatasetAdapter(Adapter):
    def __init__(self, layout, dataset, class_weight):
        self.layout = layout
        self.dataset = dataset
        self.class_weight = class_weight
        cardinality = int(dataset.cardinality())
        self.num_batches = cardinality if cardinality >= 0 else None
        self.infinite = cardinality == tf.data.INFINITE_CARDINALITY
        _check_class_weight(layout, class_weight, None)
        # The structure is checked here, on the element spec, so that a bad element raises
        # plainly rather than from inside tf.data's tracing.
        unpack_x_y_sample_weight(dataset.element_spec)

    def _split(self, *element):
        x, y, w = unpack_x_y_sample_weight(element[0] if len(element) == 1 else element)
        x, y, w = self.layout.split(x, y, w)
        if self.class_weight is not None:
            if w[0] is not None:
                raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
            w = (_graph_class_weights(y[0], self.class_weight),)
        return x, y, w

    def y_shapes(self):
        split = self.dataset.map(self._split).element_spec
        return [
            None if s is None or not isinstance(s, tf.TensorSpec) else tuple(s.shape)
            for s in split[1]
        ]

    def feed(self):
        dataset = self.dataset.map(lambda *e: self.layout.select(self._split(*e)))
        return DatasetFeed(dataset, INFINITE if self.infinite else self.num_batches)

    def x_batches(self):
        for element in self.dataset:
            yield self.layout.x(unpack_x_y_sample_weight(element)[0])


def _graph_class_weights(y, class_weight):
    y = tf.convert_to_tensor(y)
    if y.shape.rank and y.shape.rank > 1 and y.shape[-1] and y.shape[-1] > 1:
        classes = tf.argmax(y, axis=-1)
    else:
        classes = tf.cast(tf.round(tf.reshape(y, [tf.shape(y)[0], -1])[:, 0]), tf.int64)
    keys = tf.constant([int(k) for k in class_weight], tf.int64)
    values = tf.constant([float(v) for v in class_weight.values()], tf.float32)
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(keys, values), 1.0)
    return table.lookup(classes)


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

    def y_shapes(self):
        return _shapes(self.peek())

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
        self._stream_cm = None
        self._iterator = None
        self._read = 0  # batches read from the current pass

    def _stream(self):
        workers = self.workers
        if workers <= 1 and not self.use_multiprocessing:
            workers = 0  # the calling thread
        elif self.use_multiprocessing:
            workers = max(workers, 1)
        source = self.dataset if not self.infinite else _Infinite(self.dataset)
        self._stream_cm = enqueuer.open_stream(
            source, workers, self.use_multiprocessing, self.max_queue_size, shuffle=self.shuffle
        )
        batches = iter(self._stream_cm)
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
        """Ends a pass that was read to its end: the next pass reads with a fresh stream, after
        the dataset's hook. An epoch of `steps_per_epoch` batches that stops inside a pass keeps
        the stream, and the next epoch continues that pass (as Keras 3 does)."""
        if not self.infinite and self._read >= self.num_batches:
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


def apply_worker_options(adapter, options):
    """Use the call's worker options for a PyDataset or a generator (they win over the
    PyDataset's own, for this call only)."""
    if options and isinstance(adapter, (PyDatasetAdapter, GeneratorAdapter)):
        for name, value in options.items():
            setattr(adapter, name, value)


def _unsupported(argument, description, kind):
    return ValueError(
        f"When providing `x` as a {kind}, `{argument}` should not be passed. Instead, "
        f"{description} should be included as part of the {kind}."
    )


def _ignored_shuffle(what, expectation):
    warnings.warn(
        f"`shuffle=True` was passed, but will be ignored since the data `x` was provided as "
        f"{what}. The {expectation}",
        stacklevel=4,
    )


def adapt(
    layout,
    x,
    y=None,
    sample_weight=None,
    class_weight=None,
    batch_size=None,
    steps=None,
    shuffle=False,
):
    """The adapter for `x` (and `y`, `sample_weight`), with Keras 3's checks and texts."""
    if isinstance(x, tf.data.Dataset):
        if y is not None:
            raise _unsupported("y", "the targets", "tf.data.Dataset")
        if sample_weight is not None:
            raise _unsupported("sample_weights", "the sample weights", "tf.data.Dataset")
        if shuffle:
            _ignored_shuffle(
                "a tf.data.Dataset",
                "Dataset is expected to already be shuffled (via `.shuffle(buffer_size)`).",
            )
        return DatasetAdapter(layout, x, class_weight)
    if _array_like(x, y, sample_weight):
        return ArrayAdapter(layout, x, y, sample_weight, class_weight, batch_size, steps, shuffle)
    if isinstance(x, types.GeneratorType):
        if y is not None:
            raise _unsupported("y", "the targets", "generator")
        if sample_weight is not None:
            raise _unsupported("sample_weights", "the sample weights", "generator")
        if class_weight is not None:
            raise ValueError(
                "Argument `class_weight` is not supported for Python generator inputs. "
                f"Received: class_weight={class_weight}"
            )
        if shuffle:
            _ignored_shuffle("a generator", "generator is expected to yield already-shuffled data.")
        return GeneratorAdapter(layout, x)
    if is_py_dataset(x):
        if y is not None:
            raise _unsupported("y", "the targets", "PyDataset")
        if sample_weight is not None:
            raise _unsupported("sample_weights", "the sample weights", "PyDataset")
        return PyDatasetAdapter(layout, x, class_weight, shuffle)
    raise ValueError(f"Unrecognized data type: x={x} (of type {type(x)})")
