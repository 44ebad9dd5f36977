"""`tf.data.Dataset` inputs on the Keras 2 surface (tf.keras 2.x code: `model.fit(dataset,
epochs=..., steps_per_epoch=..., validation_data=other_dataset)`).

A dataset's elements are Keras 2 generator outputs (`(x, y)` or `(x, y, sample_weight)`
batches), so datasets run on the generator path, read on the calling thread, with tf.keras
2.x's rule for passes: when `steps` is not given or equals the dataset's length, every epoch
reads one fresh pass, reshuffled if the dataset shuffles; otherwise one iterator continues across
epochs and, if it runs out, training stops with the "ran out of data" warning. Every evaluation
(validation, `evaluate`, `predict`) reads the first `steps` batches of a fresh pass. An infinite
dataset needs `steps`.
"""

import tensorflow as tf
import tf_keras


def is_dataset(value):
    return isinstance(value, tf.data.Dataset)


class _Passes(tf_keras.utils.Sequence):
    """A dataset seen as a Sequence of its `length` batches: item 0 starts a fresh pass and the
    others follow in order (the generator path reads a Sequence in index order on the calling
    thread, so this is one pass per epoch)."""

    def __init__(self, dataset, length):
        self.dataset, self.length, self._items = dataset, length, None

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        if index == 0 or self._items is None:
            self._items = self.dataset.as_numpy_iterator()
        try:
            return next(self._items)
        except StopIteration:
            raise IndexError(f"the dataset ended before batch {index}") from None


def batches(dataset, steps, argument, training=False):
    """(a Sequence or a generator of numpy batches, steps) for the generator methods. An
    evaluation (validation, `evaluate`, `predict`) always reads from a fresh pass."""
    length = int(dataset.cardinality())
    if steps is None:
        if length == tf.data.INFINITE_CARDINALITY:
            raise ValueError(
                f"When passing an infinitely repeating dataset, you must specify the "
                f"`{argument}` argument."
            )
        if length == tf.data.UNKNOWN_CARDINALITY:
            raise ValueError(
                f"The number of batches of this dataset is unknown; specify the `{argument}` "
                "argument."
            )
        steps = length
    if steps == length or not training:
        return _Passes(dataset, steps), steps
    return dataset.as_numpy_iterator(), steps


def check_no_targets(y, sample_weight=None):
    if y is not None:
        raise ValueError("`y` argument is not supported when using dataset as input.")
    if sample_weight is not None:
        raise ValueError("`sample_weight` argument is not supported when using dataset as input.")
