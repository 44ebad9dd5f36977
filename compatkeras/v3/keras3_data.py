"""The epoch feeds of Keras 3 models on the engine (`epoch_feeds`): arrays and tf.data through
Keras 3's own adapters (`EpochFeeds`), PyDatasets and generators read by the engine's enqueuer
(`compatkeras.v3.data`'s adapters), not by Keras 3's, so they keep this surface's guarantees
(docs/deviations.md): each PyDataset item read once per epoch, a generator never replayed,
workers that never hang and keep a worker's exception type, no orphan processes.

The batches reach the model's own `train_step` / `test_step` / `predict_step` in Keras 3's
structure: `(x,)`, `(x, y)` or `(x, y, sample_weight)`, with Keras 3's `class_weight` rule.
"""

import inspect
import itertools
import sys
import warnings

import keras
import numpy as np
import tensorflow as tf
from keras.src import tree
from keras.src.backend.tensorflow import trainer as k3_tf_trainer
from keras.src.trainers import data_adapters as k3_data_adapters
from keras.src.trainers.data_adapters import array_slicing, data_adapter_utils
from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter

from compatkeras.engine.feeds import DatasetFeed, pull
from compatkeras.v3 import data as v3_data

RAN_OUT = (  # Keras 3's text
    "Your input ran out of data; interrupting training. Make sure that your dataset or generator "
    "can generate at least `steps_per_epoch * epochs` batches. You may need to use the "
    "`.repeat()` function when building your dataset."
)


class _Keras3Batches:
    """The adapters' layout for a model that runs its own step: batches stay as Keras 3 gives
    them to `train_step`."""

    def split(self, x, y=None, w=None):
        # scipy.sparse batches become tf.SparseTensor, as Keras 3's own adapters give them.
        x, y, w = (_tf_sparse(part) for part in (x, y, w))
        if w is not None:
            return (x, y, w)
        return (x, y) if y is not None else (x,)

    def select(self, batch):
        return batch


def _tf_sparse(value):
    if value is None:
        return None
    return tree.map_structure(
        lambda t: (
            data_adapter_utils.scipy_sparse_to_tf_sparse(t)
            if data_adapter_utils.is_scipy_sparse(t)
            else t
        ),
        value,
    )


class _Sized:
    """A PyDataset that gives its length as `num_batches` only, seen as a Sequence."""

    def __init__(self, dataset, length):
        self.dataset, self.length = dataset, length

    def __len__(self):
        return self.length

    def __getitem__(self, i):
        return self.dataset[i]

    def __getattr__(self, name):  # the dataset's epoch hooks and options
        if name == "dataset":
            raise AttributeError(name)
        return getattr(self.dataset, name)


def keras2_sequence(x):
    """A Keras 2 `Sequence` (tf-keras's: `ImageDataGenerator.flow`, a program's own): Keras 3
    refuses it; this surface reads it as the PyDataset it is an older form of."""
    tf_keras = sys.modules.get("tf_keras")  # not imported: nothing can be one
    return tf_keras is not None and isinstance(x, tf_keras.utils.Sequence)


def python_adapter(x, class_weight=None, shuffle=False):
    """The engine-read adapter for a PyDataset or a generator object, else None (arrays,
    tensors and tf.data stay with Keras 3's data adapters)."""
    if isinstance(x, keras.utils.PyDataset) or keras2_sequence(x):
        adapter = v3_data.PyDatasetAdapter(_Keras3Batches(), x, class_weight, shuffle)
        if not adapter.infinite and not hasattr(x, "__len__"):
            adapter.dataset = _Sized(x, adapter.num_batches)
        return adapter
    if inspect.isgenerator(x):
        if class_weight is not None:
            raise ValueError(
                "Argument `class_weight` is not supported for Python generator inputs. "
                f"Received: class_weight={class_weight}"
            )
        return v3_data.GeneratorAdapter(_Keras3Batches(), x)
    return None


def _used_up(feed):
    """Whether a pass has nothing left: it ran out, or gave all of its known number of batches."""
    return feed.exhausted or (feed.num_batches is not None and feed.taken >= feed.num_batches)


class AdapterFeeds:
    """One engine feed per epoch from an adapter, with the dataset's epoch hooks around each.
    With `steps_per_epoch`, an epoch goes on where the last one stopped, as in Keras 3."""

    def __init__(self, adapter, steps=None):
        self.adapter = adapter
        self.steps = steps
        self._feed = None
        self._start = 0
        self._began = False

    def __call__(self, epoch=None):
        self.end_epoch()
        feed = self._feed
        if feed is None or self.steps is None or _used_up(feed):
            feed = self._feed = self.adapter.feed()
        self._start = feed.taken
        self.adapter.on_epoch_begin()
        self._began = True
        return feed

    def end_epoch(self, model=None, last=True):
        """Ends the open epoch (the dataset's hook). With `model`: Keras 3's "ran out" warning
        when an epoch of `steps_per_epoch` found fewer batches, and training stops when an
        epoch found none or a generator was read to its end before the last epoch (Keras 3
        replays its first batches instead: docs/deviations.md)."""
        if not self._began:
            return
        self._began = False
        self.adapter.on_epoch_end()
        if model is None or model.stop_training:
            return
        feed = self._feed
        ran = feed.taken - self._start
        if self.steps and self.steps > 0 and feed.exhausted and ran < self.steps:
            warnings.warn(RAN_OUT, stacklevel=2)
        elif ran == 0 or (feed.exhausted and not self.adapter.restartable and not last):
            warnings.warn(RAN_OUT, stacklevel=2)
            model.stop_training = True

    def close(self):
        try:
            self.end_epoch()
        finally:
            self.adapter.close()

    @property
    def num_batches(self):
        return self.steps or self.adapter.num_batches

    def first_batch(self):
        return self.adapter.peek()

    def batches(self, count):
        """Up to `count` (None: all) batches of inputs, as `predict_step` takes them."""
        batches = ((x,) for x in self.adapter.x_batches())
        return batches if count is None else itertools.islice(batches, count)


class EpochFeeds:
    """One engine feed per epoch from a Keras 3 `TFEpochIterator`, read as Keras 3 reads it: a
    new pass each epoch, except with `steps_per_epoch`, where each epoch goes on where the last
    stopped until the data is used up."""

    def __init__(self, epoch_iterator):
        self.epoch_iterator = epoch_iterator
        self._iterator = None
        self._taken = 0
        self._feed = None
        self._began = False

    def end_epoch(self, model=None, last=True):
        """Ends the open epoch (the adapter's hook); Keras 3 warns of running out itself."""
        self._end_epoch()

    def _end_epoch(self):
        feed = self._feed
        if feed is not None:
            self._taken += feed.taken
            self._feed = None
            if feed.taken < (feed.num_batches or 0) and _same_passes(self.epoch_iterator):
                # A pass left before its end (`stop_training`, predict pulling in Python): the
                # next pass starts a new pipeline, at the first batch.
                self.epoch_iterator._compatkeras_repeated = None
            if feed.num_batches is None and feed.exhausted:
                # Data of unknown size ended: the next epoch reads a new pass (Keras 3 does);
                # with `steps_per_epoch`, the epoch had fewer batches than asked.
                self._iterator = None
                if self.epoch_iterator.steps_per_epoch:
                    self.epoch_iterator._interrupted_warning()
        if self._began:
            self.epoch_iterator.data_adapter.on_epoch_end()
            self._began = False

    def __call__(self, epoch=None):
        self._end_epoch()
        it = self.epoch_iterator
        it.data_adapter.on_epoch_begin()
        self._began = True
        if _same_passes(it):
            self._iterator = _repeated_iterator(it)
            self._feed = DatasetFeed.over(self._iterator, it._num_batches)
            return self._feed
        known = it._num_batches
        used_up = known is not None and self._taken >= known
        if self._iterator is None or it.steps_per_epoch is None or used_up:
            self._iterator = iter(it._distributed_dataset)
            self._taken = 0
        count = None
        if known is not None:
            count = known - self._taken
            if it.steps_per_epoch is not None:
                if it.steps_per_epoch > count:
                    it._interrupted_warning()
                count = min(count, it.steps_per_epoch)
        self._feed = DatasetFeed.over(self._iterator, count)
        return self._feed

    @property
    def num_batches(self):
        return self.epoch_iterator.num_batches

    def batches(self, count):
        """Up to `count` (None: all) batches of the current epoch, pulled in Python."""
        return pull(self._iterator, count)

    def close(self):
        self._end_epoch()


def _same_passes(epoch_iterator):
    """Whether every pass over the data gives the same batches: arrays in a fixed order read
    in whole passes (no `steps_per_epoch`), on one device. Those passes are read from one
    repeated pipeline kept across epochs, as tf-keras reads arrays, rather than from a new
    iterator per pass as Keras 3 does (about 10 ms per epoch: a tenth of an epoch of a small
    model at 32 steps per call). A shuffled pass stays Keras 3's: its order under a seed is
    Keras 3's."""
    adapter = epoch_iterator.data_adapter
    return (
        type(adapter) is ArrayDataAdapter
        and not adapter._shuffle
        and epoch_iterator.steps_per_epoch is None
        and epoch_iterator._num_batches is not None
        and isinstance(epoch_iterator._distributed_dataset, tf.data.Dataset)
    )


def _repeated_iterator(epoch_iterator):
    iterator = getattr(epoch_iterator, "_compatkeras_repeated", None)
    if iterator is None:
        iterator = iter(epoch_iterator._distributed_dataset.repeat())
        epoch_iterator._compatkeras_repeated = iterator
    return iterator


def epoch_iterator(model, **kwargs):
    return _EpochIterator(
        distribute_strategy=model.distribute_strategy,
        steps_per_execution=model.steps_per_execution,
        **kwargs,
    )


class _EpochIterator(k3_tf_trainer.TFEpochIterator):
    """Keras 3's epoch iterator, except for arrays read in stored order: their batches are
    sliced off in turn rather than gathered by index (Keras 3's pipeline). The batches are the
    same, with the same static shapes; slicing costs less CPU, which the steps share with
    tf.data's threads (measured on 2 cores: 10-13 % of an epoch of a small model at 32 steps
    per call, the whole gap to tf-keras there)."""

    def __init__(self, distribute_strategy=None, *args, **kwargs):
        super(k3_tf_trainer.TFEpochIterator, self).__init__(*args, **kwargs)
        self._distribute_strategy = distribute_strategy
        dataset = _in_order_dataset(self.data_adapter)
        if dataset is None:
            dataset = self.data_adapter.get_tf_dataset()
        if not isinstance(dataset, tf.distribute.DistributedDataset):
            dataset = distribute_strategy.experimental_distribute_dataset(dataset)
        self._distributed_dataset = dataset


def _in_order_dataset(adapter):
    """The batches of an unshuffled `ArrayDataAdapter` of numpy arrays and dense tensors,
    sliced in order, else None (Keras 3's pipeline reads everything else)."""
    if type(adapter) is not ArrayDataAdapter or adapter._shuffle:
        return None
    # Keras 3's conversion (floats to floatx, string arrays to tensors), as its pipeline's.
    inputs = array_slicing.convert_to_sliceable(adapter._inputs, target_backend="tensorflow")
    inputs = tree.lists_to_tuples(inputs)
    leaves = tree.flatten(inputs)
    if not leaves or not all(isinstance(leaf, (np.ndarray, tf.Tensor)) for leaf in leaves):
        return None  # ragged, sparse: Keras 3's pipeline
    size = adapter._batch_size
    dataset = tf.data.Dataset.from_tensor_slices(inputs).batch(
        size,
        drop_remainder=adapter._partial_batch_size == 0,  # Keras 3's static batch shape
    )
    options = tf.data.Options()  # Keras 3's options for this pipeline
    options.experimental_optimization.apply_default_optimizations = False
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options).prefetch(tf.data.AUTOTUNE)


def is_python_data(x):
    """A PyDataset, a generator or a Keras 2 `Sequence`: read by the engine's enqueuer."""
    return isinstance(x, keras.utils.PyDataset) or inspect.isgenerator(x) or keras2_sequence(x)


def symbolic_build(model, epoch_iterator):
    """Keras 3's symbolic build from the first batch of `epoch_iterator`. Keras 3 averages a
    distributed batch across replicas for it, a collective that fails under
    `MultiWorkerMirroredStrategy` (and in stock Keras 3); the shapes of one local replica's
    share are all the build needs."""
    if model._distribute_strategy is None:
        return  # Keras 3 builds at the first step then
    strategy = model.distribute_strategy
    batch = None
    for _, _, iterator in epoch_iterator:
        batch = tree.map_structure(
            lambda v: (
                strategy.experimental_local_results(v)[0]
                if isinstance(v, tf.distribute.DistributedValues)
                else v
            ),
            next(iterator),
        )
        break
    model._maybe_symbolic_build(data_batch=batch)


def epoch_feeds(model, build=True, options=None, **kwargs):
    """Epoch feeds for `x`: PyDatasets and generators read by the engine's enqueuer, the rest
    by Keras 3's data adapters; the model built symbolically from the first batch, as Keras 3
    builds it."""
    x = kwargs["x"]
    if is_python_data(x):
        kind = "generator" if inspect.isgenerator(x) else "PyDataset"
        for name, argument, what in (
            ("y", "y", "the targets"),
            ("sample_weight", "sample_weights", "the sample weights"),
        ):
            if kwargs.get(name) is not None:  # Keras 3's checks, with its texts
                k3_data_adapters.raise_unsupported_arg(argument, what, kind)
        if kind == "generator" and kwargs.get("shuffle"):
            warnings.warn(
                "`shuffle=True` was passed, but will be ignored since the data `x` was provided "
                "as a generator. The generator is expected to yield already-shuffled data.",
                stacklevel=3,
            )
        adapter = python_adapter(x, kwargs.get("class_weight"), kwargs["shuffle"])
        v3_data.apply_worker_options(adapter, options)  # this call's, over the dataset's own
        feeds = AdapterFeeds(adapter, kwargs.get("steps_per_epoch"))
        if build:
            try:  # the first batch starts the workers: an error there must stop them
                model._maybe_symbolic_build(data_batch=feeds.first_batch())
            except BaseException:
                feeds.close()
                raise
        return feeds
    iterator = epoch_iterator(model, **kwargs)
    if build:
        symbolic_build(model, iterator)
    iterator.reset()
    return EpochFeeds(iterator)
