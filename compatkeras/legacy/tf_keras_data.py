"""tf.keras 2.x's input rules for models that run their own step (`legacy.tf_keras_training`):
`x`, `y`, `sample_weight` and `class_weight` become the batches tf-keras gives a `train_step`.

The rules are tf-keras's own objects: its data adapters (arrays, tensors, dicts, tf.data,
pandas, lists of scalars), its batch standardisation and its class-weight map. What happens to
the batches after that is the engine's: the epochs over a dataset (`engine.passes`), Sequences
and generators read by the engine's enqueuer (`PythonData`), and under a strategy each batch
split across the replicas as a distributed dataset splits it (`engine.feeds.replica_shares`).
"""

import itertools
import logging

import tensorflow as tf
import tf_keras
from tf_keras.src.engine import data_adapter

from compatkeras.engine.enqueuer import open_stream
from compatkeras.engine.feeds import PythonFeed
from compatkeras.engine.passes import DatasetPasses


def dataset_passes(
    model,
    x,
    y=None,
    sample_weight=None,
    batch_size=None,
    steps=None,
    initial_epoch=0,
    epochs=1,
    shuffle=False,
    class_weight=None,
    max_queue_size=10,
    workers=1,
    use_multiprocessing=False,
):
    """The epochs of `fit` (or the one pass of `evaluate` / `predict`) over `x` as tf-keras's
    data handler builds them: the same adapter, checks and error texts, class weights and
    distribution over the model's replicas."""
    if batch_size is not None:
        data_adapter._check_positive("batch_size", batch_size)
    if steps not in (None, -1) and steps <= 0:
        raise ValueError(
            f"steps_per_epoch must be positive, None or -1. Received {steps}. See `Model.fit`."
        )
    data_adapter._check_non_negative("initial_epoch", initial_epoch)
    data_adapter._check_positive("epochs", epochs)
    data_adapter._check_positive("max_queue_size", max_queue_size)
    data_adapter._check_positive("workers", workers)
    strategy = tf.distribute.get_strategy()
    adapter = data_adapter.select_data_adapter(x, y)(
        x,
        y,
        batch_size=batch_size,
        steps=steps,
        epochs=epochs - initial_epoch,
        sample_weights=sample_weight,
        shuffle=shuffle,
        max_queue_size=max_queue_size,
        workers=workers,
        use_multiprocessing=use_multiprocessing,
        distribution_strategy=strategy,
        model=model,
    )
    dataset = adapter.get_dataset()
    if class_weight:
        dataset = dataset.map(data_adapter._make_class_weight_map_fn(class_weight))
    cardinality = _cardinality(dataset)
    count = _inferred_steps(steps, adapter, dataset, cardinality)
    if count == 0:
        raise ValueError("Expected input data to be non-empty.")
    if count is None and int(model._steps_per_execution.numpy()) > 1:
        raise ValueError(
            "Could not infer the size of the data. With `steps_per_execution > 1`, you must "
            "specify the number of steps to run."
        )
    infinite = cardinality == tf.data.INFINITE_CARDINALITY
    fresh = adapter.should_recreate_iterator()
    if not data_adapter._is_distributed_dataset(dataset):
        dataset = strategy.experimental_distribute_dataset(dataset)
    return DatasetPasses(
        dataset,
        count,
        fresh_passes=fresh,
        # A fresh pass holds its known size; a repeating dataset never ends.
        sure=infinite or (fresh and steps is None),
        on_pass_end=adapter.on_epoch_end,
    )


def _cardinality(dataset):
    return int(dataset.cardinality()) if hasattr(dataset, "cardinality") else -2


def _inferred_steps(steps, adapter, dataset, cardinality):
    """tf-keras's rule for an epoch's steps: `steps_per_epoch`, else the adapter's size, else
    the dataset's cardinality (an infinite one needs `steps_per_epoch`); -1: until it ends."""
    if steps == -1:
        logging.warning(
            "The training loop will run indefinitely since you have set `steps_per_epoch=-1`. "
            "Please use batch-level callbacks to save checkpoints or log training progress, etc"
        )
        return None
    if steps is not None:
        return steps
    size = adapter.get_size()
    if size is not None or not isinstance(dataset, tf.data.Dataset):
        return size
    if cardinality == tf.data.INFINITE_CARDINALITY:
        raise ValueError(
            "When passing an infinitely repeating dataset, please specify a `steps_per_epoch` "
            "value so that epoch level callbacks continue to work. The value can be arbitrary, "
            "or a number that you think correctly defines the size of an epoch. Epoch-level "
            "callbacks will then be called at this interval."
        )
    return cardinality if cardinality >= 0 else None


def engine_reads(x):
    """Sequences and generators are read by the engine's enqueuer (a worker's exception keeps
    its type, no stall at an epoch's end, no hang); under a strategy with several replicas the
    engine splits each batch as a distributed dataset would."""
    if isinstance(x, tf_keras.utils.Sequence):
        return True
    return hasattr(x, "__next__") and hasattr(x, "__iter__") and not isinstance(x, tf.data.Iterator)


class PythonData:
    """A Sequence's or a generator's batches through the engine's enqueuer, as tf-keras's data
    handler gives them to a model's own step: standardised by tf-keras's own
    `GeneratorDataAdapter._standardize_batch`, `class_weight` turned into sample weights by its
    own map function; a Sequence is shuffled per pass when asked and its `on_epoch_end` runs
    between passes."""

    def __init__(
        self,
        x,
        steps,
        workers,
        use_multiprocessing,
        max_queue_size,
        shuffle=False,
        class_weight=None,
    ):
        self.sequence = isinstance(x, tf_keras.utils.Sequence)
        self.steps = steps if steps is not None else (len(x) if self.sequence else None)
        weigh = data_adapter._make_class_weight_map_fn(class_weight) if class_weight else None

        def transform(item):
            data = data_adapter.GeneratorDataAdapter._standardize_batch(None, item)
            if weigh is not None:
                data = weigh(*tf.nest.map_structure(tf.convert_to_tensor, data))
            return data

        parallel = workers > 1 or (workers > 0 and use_multiprocessing)
        self.read_ahead = max_queue_size if parallel else 0
        self.stream = open_stream(
            x,
            workers if parallel else 0,
            use_multiprocessing,
            max_queue_size,
            shuffle=shuffle and self.sequence,
            epoch_end_between_passes=self.sequence,
            transform=transform,
        )
        self.items = iter(self.stream)
        self.feed = None

    def __call__(self, epoch=None):
        """The next epoch's (or an evaluation's) feed: on from where the last one stopped."""
        batches = self.items if self.steps is None else itertools.islice(self.items, self.steps)
        self.feed = PythonFeed(batches, self.steps, self.read_ahead)
        return self.feed

    def batches(self):
        """The batches of a predict pass, pulled in Python."""
        return self.items if self.steps is None else itertools.islice(self.items, self.steps)

    def ran_out(self, last):
        """After an epoch: whether the data ended before it should have (tf-keras's warning,
        and no further epoch): fewer batches than `steps`, or a generator read to its end with
        epochs to go."""
        feed = self.feed
        if self.steps is not None:
            return feed.exhausted and feed.taken < self.steps
        return feed.exhausted and not self.sequence and not last

    def close(self):
        self.stream.close()


def no_targets(y, sample_weight):
    """tf-keras's rule for a generator or a Sequence: the targets come with the data."""
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None:
            raise ValueError(
                f"`{name}` argument is not supported when using python generator as input."
            )
