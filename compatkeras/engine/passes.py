"""Epochs over one dataset: what every surface's `fit` needs of a `tf.data` input beyond the
batches themselves. A surface turns its inputs into a dataset by its own rules (tf.keras 2.x's
adapters, Keras 3's); `DatasetPasses` decides which iterator each epoch reads, how its steps
are pulled, and whether the data ran out before an epoch's steps.

An epoch reads a new pass of the data (`fresh_passes`: a finite dataset read whole each epoch)
or goes on where the last one stopped (a repeating dataset, or `steps_per_epoch` over a finite
one). Its batches are pulled inside the compiled call when they are sure to be there (`sure`:
an infinite dataset, or a fresh pass of known size), else one by one, so that running out is
seen before a step is planned that has no batch.
"""

from compatkeras.engine.feeds import DatasetFeed, pull


class DatasetPasses:
    """`passes(epoch)` gives one epoch's feed (`Trainer._engine_fit`'s `epoch_feed`).

    `dataset`: a `tf.data.Dataset` or a distributed dataset (anything `iter()` takes);
    `steps`: the batches an epoch takes, None when unknown (until the data ends);
    `fresh_passes`: each epoch begins a new iterator; `sure`: `steps` batches are always there;
    `on_pass_end`: called after each epoch's pass (a Sequence's `on_epoch_end`)."""

    def __init__(self, dataset, steps, fresh_passes, sure, on_pass_end=None):
        self.dataset = dataset
        self.steps = steps
        self.fresh_passes = fresh_passes
        self.sure = sure and steps is not None
        self.on_pass_end = on_pass_end
        self._iterator = None
        self._feed = None
        self._ended = False  # the data ran out: no further epoch reads it
        self._per_epoch = None
        self._open = False  # a pass is being read (its end hook is still to run)

    def __call__(self, epoch=None):
        self._end_pass()
        if self._ended:
            return DatasetFeed.over(iter(()), 0)
        if self._iterator is None or self.fresh_passes:
            self._iterator = iter(self.dataset)
        self._feed = DatasetFeed.over(self._iterator, self.steps if self.sure else None)
        self._open = True
        return self._feed

    def ran_out(self):
        """After an epoch: whether its data ended before its steps, or it found none (the
        epochs read on from a pass that ended). True once: no further epoch then reads the
        data (the surface warns in its own words, as tf-keras does)."""
        feed = self._feed
        if self._ended or feed is None or not feed.exhausted:
            return False
        if feed.taken and (self.steps is None or feed.taken >= self.steps):
            self._per_epoch = self._per_epoch or feed.taken
            return False
        self._ended = True
        return True

    @property
    def per_epoch(self):
        """The batches an epoch takes: `steps`, else as many as the first whole pass held."""
        return self.steps or self._per_epoch

    def batches(self, count=None):
        """Up to `count` batches (None: `steps`, or all) of one pass, pulled in Python (a predict
        loop that runs each batch itself)."""
        return pull(iter(self.dataset), self.steps if count is None else count)

    def _end_pass(self):
        if self._open:
            self._open = False
            if self.on_pass_end is not None:
                self.on_pass_end()

    def close(self):
        """After the last epoch: the last pass's end hook."""
        self._end_pass()
