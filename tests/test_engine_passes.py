"""compatkeras.engine.passes: which batches each epoch of a fit reads from a dataset, and when
the data ran out. Real tf.data pipelines; batches are read the way the loop reads a feed."""

import pytest
import tensorflow as tf

from compatkeras.engine.passes import DatasetPasses


def _epoch(passes, wanted):
    """The first value of each batch one epoch reads (as the loop would, up to `wanted`)."""
    feed = passes()
    read = []
    while len(read) < wanted:
        group = feed.next_group(1)
        if group is None:
            break
        # Pulled into Python first (unknown count) or inside the call (`execute`): alike here.
        read.append(int(group.run(_Recorder(), True)[0]))
    return read


class _Recorder:
    """Stands for the steps: returns the first value of the batches it is given."""

    def run_list(self, train, batches):
        return batches[-1][0]

    def distribute_batch(self, batch):
        return batch

    def execute(self, train, iterator, count, loop=False):
        value = None
        for _ in range(count):
            value = next(iterator)[0]
        return value


def _data(n):
    return tf.data.Dataset.range(n).map(lambda i: ([i], [i]))  # batches of one row


def test_fresh_passes_read_the_data_from_its_start_each_epoch():
    ends = []
    passes = DatasetPasses(
        _data(3), 3, fresh_passes=True, sure=True, on_pass_end=lambda: ends.append(1)
    )
    assert [_epoch(passes, 3) for _ in range(2)] == [[0, 1, 2], [0, 1, 2]]
    assert not passes.ran_out()
    passes.close()
    assert len(ends) == 2  # between the passes, and after the last


def test_steps_over_finite_data_read_on_then_run_out_once():
    passes = DatasetPasses(_data(5), 2, fresh_passes=False, sure=False)
    assert _epoch(passes, 2) == [0, 1] and not passes.ran_out()
    assert _epoch(passes, 2) == [2, 3] and not passes.ran_out()
    assert _epoch(passes, 2) == [4] and passes.ran_out()
    assert not passes.ran_out()  # said once
    assert _epoch(passes, 2) == []  # no further epoch reads the data
    assert passes.per_epoch == 2


def test_an_epoch_that_finds_no_data_ran_out():
    passes = DatasetPasses(_data(4), 2, fresh_passes=False, sure=False)
    assert _epoch(passes, 2) == [0, 1]
    assert _epoch(passes, 2) == [2, 3] and not passes.ran_out()
    assert _epoch(passes, 2) == [] and passes.ran_out()


def test_unknown_steps_learn_the_size_of_the_first_pass():
    data = _data(6).filter(lambda i, _: i[0] % 2 == 0)  # unknown cardinality
    passes = DatasetPasses(data, None, fresh_passes=False, sure=False)
    assert _epoch(passes, 10) == [0, 2, 4] and not passes.ran_out()
    assert passes.per_epoch == 3
    assert _epoch(passes, 10) == [] and passes.ran_out()


@pytest.mark.parametrize("count", [None, 2])
def test_batches_read_one_pass_in_python(count):
    passes = DatasetPasses(_data(3), 3, fresh_passes=True, sure=True)
    got = [int(b[0][0]) for b in passes.batches(count)]
    assert got == [0, 1, 2][: count or 3]
