"""Sequences and generators for models that run their own step on the Keras 2 surface
(`legacy.own_steps`): read by the engine's enqueuer, batches as tf-keras's data handler gives
them to the step."""

import itertools

import tensorflow as tf
import tf_keras
from tf_keras.src.engine import data_adapter

from compatkeras.engine.enqueuer import open_stream
from compatkeras.engine.feeds import PythonFeed


def engine_reads(model, x):
    """Sequences and generators are read by the engine's enqueuer on one replica (a worker's
    exception keeps its type, no stall at an epoch's end, no hang); under a strategy with several
    replicas tf-keras's handler splits the batches."""
    if model.distribute_strategy.num_replicas_in_sync != 1:
        return False
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
