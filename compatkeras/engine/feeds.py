"""Where executions get their batches: a feed hands out groups of up to N batches (one group per
compiled call) and knows, *before* a group runs, how many batches it holds, so callbacks are
told the true step range and never see a `batch_begin` without its `batch_end`.

- `DatasetFeed` of known size (arrays, tf.data with a known or infinite cardinality): batches
  are pulled inside the compiled function; the count is planned from the cardinality.
- `DatasetFeed` of unknown size: the group's batches are pulled first (as tensors), then run.
- `PythonFeed`: batches from a Python iterator (a generator, or an enqueuer's stream over a
  PyDataset); they are pulled first, so a data error surfaces with its own type.

A batch is `(x, ys, ws)`: tuples of model inputs, targets and weights (None = unweighted).
"""

import tensorflow as tf

INFINITE = float("inf")


class Group:
    """Up to N batches that one compiled call runs. `rows`: the rows of a one-batch group when
    known before it runs (Keras 2 tells `on_batch_begin` the batch size), else None."""

    def __init__(self, count, run, spec, rows=None):
        self.count = count
        self._run = run
        self._spec = spec
        self.rows = rows

    @property
    def spec(self):
        """The (x, ys, ws) TensorSpec structure, for an XLA check: made only when asked (the
        check runs once), since it converts a pulled batch to tensors."""
        return self._spec() if callable(self._spec) else self._spec

    def run(self, steps, train):
        """Runs the group's steps. Compiled steps add their values to `steps.totals`; a
        model's own steps return their last logs, which this returns."""
        return self._run(steps, train)


def _batch_spec(batch):
    return tf.nest.map_structure(
        lambda t: None if t is None else tf.TensorSpec.from_tensor(tf.convert_to_tensor(t)), batch
    )


def _rows(batch):
    # Leaves without a shape (an empty `tf.experimental.Optional` for a missing input) say
    # nothing about the rows.
    leaves = [t for t in tf.nest.flatten(batch[0]) if getattr(t, "shape", None) is not None]
    return int(leaves[0].shape[0]) if leaves and leaves[0].shape else None


class _Pulled:
    """Groups of batches pulled into Python before they run.

    `read_ahead`: how many batches the source reads ahead of the steps anyway (an enqueuer's
    queue); when no callback watches single batches, the trainer runs up to that many per
    compiled call (`implicit`), which reads nothing earlier than the queue already does."""

    exhausted = False
    read_ahead = 0
    _error = None

    def _pull(self):
        raise NotImplementedError

    def next_group(self, count, implicit=None):
        """Up to `count` batches. `implicit`: the trainer's own group size (not the user's
        `steps_per_execution`); such a group runs in one call only when it is full and all its
        batches have one signature, else one call per batch, so two functions are traced at
        most."""
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        batches = []
        while len(batches) < count:
            try:
                batch = self._pull()
            except Exception as error:  # the batches before it still run first, as one by one
                if not batches:
                    raise
                self._error = error
                break
            if batch is None:
                self.exhausted = True
                break
            batches.append(batch)
        if not batches:
            return None

        def run(steps, train):
            batches_ = tuple(steps.distribute_batch(b) for b in batches)
            if implicit is None:
                return steps.run_list(train, batches_)
            return steps.run_implicit(train, batches_, implicit)

        first = batches[0]
        rows = _rows(first) if len(batches) == 1 else None
        return Group(len(batches), run, spec=lambda: _batch_spec(first), rows=rows)


class DatasetFeed(_Pulled):
    """A `tf.data.Dataset` of `(x, ys, ws)` batches. `num_batches`: an int, `INFINITE`, or None
    (unknown). `restart()` begins a new pass."""

    # A pipeline read by the steps (or pulled as they need it): grouping steps into one call
    # reads nothing earlier than one step per call does.
    read_ahead = INFINITE

    def __init__(self, dataset, num_batches=None, shared=None, sizes=None):
        self.dataset = dataset
        self.num_batches = num_batches
        self.sizes = sizes  # rows per batch, when planned (arrays)
        # `shared`: a dict whose "iterator" feeds of later passes reuse (a repeated dataset keeps
        # one pipeline, and its prefetch, across epochs).
        self.shared = shared
        self._iterator = None
        self.steps = None  # set by the trainer: distributes the iterator over replicas
        self.taken = 0

    @classmethod
    def over(cls, iterator, num_batches=None):
        """A feed that reads `num_batches` batches (None: until it ends) from an iterator made
        elsewhere (`engine.passes`, a surface's adapter), never starting one of its own."""
        feed = cls(None, num_batches)
        feed._iterator = iterator
        return feed

    def restart(self):
        if self.shared is not None and "iterator" in self.shared:
            self._iterator = self.shared["iterator"]
        else:
            # Known-size groups run on the iterator in the compiled function: distribute it.
            # Unknown-size groups are pulled whole first and split per replica when they run.
            distribute = self.steps is not None and self.num_batches is not None
            self._iterator = (
                self.steps.distribute_iterator(self.dataset) if distribute else iter(self.dataset)
            )
            if self.shared is not None:
                self.shared["iterator"] = self._iterator
        self.taken = 0
        self.exhausted = False

    def _pull(self):
        element = self._iterator.get_next_as_optional()
        return element.get_value() if element.has_value() else None

    def next_group(self, count, implicit=None):
        if self._iterator is None:
            self.restart()
        if self.num_batches is None:
            group = super().next_group(count, implicit)
            self.taken += group.count if group else 0
            return group
        count = min(count, self.num_batches - self.taken)
        if count <= 0:
            self.exhausted = True
            return None
        count = int(count)
        rows = self.sizes[self.taken] if self.sizes is not None and count == 1 else None
        self.taken += count
        iterator = self._iterator
        if self.taken >= self.num_batches:
            self.exhausted = True
        return Group(
            count,
            lambda steps, train: (
                steps.execute(train, iterator, count)
                if implicit is None
                else steps.execute(train, iterator, count, loop=True)
            ),
            spec=iterator.element_spec,
            rows=rows,
        )


class PythonFeed(_Pulled):
    """Batches from a Python iterator; `num_batches` as for `DatasetFeed`."""

    def __init__(self, iterator, num_batches=None, read_ahead=0):
        self._iterator = iterator
        self.num_batches = num_batches
        self.read_ahead = read_ahead
        self.taken = 0

    def _pull(self):
        if self.num_batches is not None and self.taken >= self.num_batches:
            return None
        batch = next(self._iterator, None)
        if batch is not None:
            self.taken += 1
        return batch


def replica_shares(strategy, batch):
    """A batch pulled into Python, split across the strategy's replicas as
    `experimental_distribute_dataset` splits a batch: `ceil(rows / replicas)` rows to each
    replica in turn, the last ones taking what is left (9 rows on 2 replicas: 5 and 4), so a
    model's own step sees the shares it would see reading a distributed dataset."""
    if strategy.num_replicas_in_sync == 1:
        return batch
    leaves = [t for t in tf.nest.flatten(batch) if t is not None]
    if any(isinstance(t, tf.distribute.DistributedValues) for t in leaves):
        return batch  # already distributed (pulled from a distributed iterator)
    rows = int(leaves[0].shape[0])
    share = -(-rows // strategy.num_replicas_in_sync)

    def local(context):
        start = min(rows, context.replica_id_in_sync_group * share)
        stop = min(rows, start + share)
        return tf.nest.map_structure(lambda t: None if t is None else t[start:stop], batch)

    return strategy.experimental_distribute_values_from_function(local)


def pull(iterator, count=None):
    """Up to `count` (None: all) elements of a `tf.data` or distributed iterator, pulled in
    Python (for predict loops that run each batch themselves)."""
    taken = 0
    while count is None or taken < count:
        element = iterator.get_next_as_optional()
        if not element.has_value():
            return
        taken += 1
        yield element.get_value()
