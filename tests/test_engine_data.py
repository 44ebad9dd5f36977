"""compatkeras.engine.data: batch plans, Keras 2 shuffling, datasets and streams."""

import numpy as np
import pytest

from compatkeras.engine import data, enqueuer


def test_make_batches_keeps_a_short_tail():
    assert data.make_batches(10, 4) == [(0, 4), (4, 8), (8, 10)]


def test_batch_shuffle_moves_whole_batches_and_keeps_the_tail_last():
    np.random.seed(0)
    order = data.batch_shuffle(np.arange(10), 3)
    assert list(order[-1:]) == [9]
    chunks = sorted(tuple(order[i : i + 3]) for i in range(0, 9, 3))
    assert chunks == [(0, 1, 2), (3, 4, 5), (6, 7, 8)]


@pytest.mark.parametrize("shuffle", [False, True, "batch"])
def test_dataset_epoch_gives_the_same_batches_as_the_python_path(shuffle):
    x = np.arange(20, dtype="float32").reshape(10, 2)
    y = np.arange(10, dtype="float32")[:, None]
    w = np.linspace(0, 1, 10).astype("float32")
    source = data.ArraySource([x], [y], [w])
    np.random.seed(7)
    python = list(source.batches(3, shuffle))
    np.random.seed(7)
    feed = source.feed(3, shuffle)
    assert feed.num_batches == 4
    assert feed.sizes == [len(b.x[0]) for b in python] == [3, 3, 3, 1]
    # Unshuffled feeds run on a repeated dataset (one pipeline for all epochs): take one pass.
    for batch, (xs, ys, ws) in zip(python, feed.dataset.take(feed.num_batches), strict=True):
        np.testing.assert_array_equal(batch.x[0], xs[0].numpy())
        np.testing.assert_array_equal(batch.ys[0], ys[0].numpy())
        np.testing.assert_array_equal(batch.ws[0], ws[0].numpy())


def test_unshuffled_epochs_share_one_pipeline_and_shuffled_ones_do_not():
    source = data.ArraySource([np.arange(10.0)[:, None]], [np.zeros((10, 1))], [None])
    first, second = source.feed(4), source.feed(4)
    assert first.shared is second.shared and first.dataset is second.dataset
    assert source.feed(5).shared is not first.shared  # another batch size, another pipeline
    assert source.feed(4, shuffle=True).shared is None


def test_whole_repeats_all_arrays():
    source = data.ArraySource([np.zeros((4, 2))], [np.ones((4, 1))], [np.ones(4)])
    batches = list(source.whole(3))
    assert len(batches) == 3
    assert all(b.x[0].shape == (4, 2) for b in batches)
    assert source.whole_feed(3).num_batches == 3


class Counting:
    def __init__(self):
        self.epoch_ends = 0

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return i

    def on_epoch_end(self):
        self.epoch_ends += 1


def take(iterator, n):
    return [next(iterator) for _ in range(n)]


def test_stream_calls_on_epoch_end_between_passes_only():
    source = Counting()
    items = enqueuer.stream(source, epoch_end_between_passes=True)
    assert take(items, 6) == [0, 1, 0, 1, 0, 1]
    assert source.epoch_ends == 2  # before passes 2 and 3, not after the last one read


def test_stream_without_epoch_end_and_of_a_generator():
    source = Counting()
    assert take(enqueuer.stream(source), 4) == [0, 1, 0, 1]
    assert source.epoch_ends == 0
    assert take(enqueuer.stream(iter(range(5))), 3) == [0, 1, 2]
