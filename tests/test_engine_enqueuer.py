"""compatkeras.engine.enqueuer: order, back-pressure, epoch ends, faults and clean-up, for
threads and processes. Time bounds here are generous liveness checks, not speed claims."""

import itertools
import multiprocessing
import os
import signal
import threading
import time

import numpy as np
import pytest

from compatkeras.engine.enqueuer import GeneratorEnqueuer, SequenceEnqueuer, open_stream

MODES = [pytest.param(False, id="threads"), pytest.param(True, id="processes")]


class Numbers:
    """A Sequence whose items show their index and how many epoch ends it has seen."""

    def __init__(self, length=5, fail_at=None, kill_at=None):
        self.length, self.fail_at, self.kill_at = length, fail_at, kill_at
        self.epoch_ends = 0

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        if index == self.fail_at:
            raise KeyError(f"no item {index}")
        if index == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return index, self.epoch_ends

    def on_epoch_end(self):
        self.epoch_ends += 1


def data_threads():
    return [t for t in threading.enumerate() if t.name.startswith("compatkeras-data")]


def assert_nothing_left():
    assert multiprocessing.active_children() == []
    assert data_threads() == []


def take(stream, n):
    items = iter(stream)
    return [next(items) for _ in range(n)]


@pytest.mark.parametrize("processes", MODES)
def test_order_and_epoch_ends_visible_to_the_next_pass(processes):
    source = Numbers()
    with open_stream(source, 2, processes, 3, epoch_end_between_passes=True) as stream:
        items = take(stream, 12)
    assert items == [(i % 5, i // 5) for i in range(12)]
    assert source.epoch_ends == 2
    assert_nothing_left()


@pytest.mark.parametrize("processes", MODES)
def test_shuffle_is_per_pass_and_follows_numpys_seed(processes):
    def order(seed):
        np.random.seed(seed)
        with open_stream(Numbers(6), 2, processes, shuffle=True) as stream:
            return [i for i, _ in take(stream, 12)]

    first = order(3)
    assert first == order(3)
    assert sorted(first[:6]) == sorted(first[6:]) == list(range(6))
    assert first[:6] != first[6:]


@pytest.mark.parametrize("processes", MODES)
def test_a_practically_infinite_sequence_continues_across_epochs(processes):
    with open_stream(Numbers(10**12), 2, processes) as stream:
        items = iter(stream)
        epochs = [[next(items)[0] for _ in range(5)] for _ in range(3)]
    assert epochs == [list(range(0, 5)), list(range(5, 10)), list(range(10, 15))]


def test_back_pressure_bounds_the_items_in_flight():
    requested = []
    release = threading.Event()

    class Slow(Numbers):
        def __getitem__(self, index):
            requested.append(index)
            if index >= 3:
                release.wait()
            return index

    stream = SequenceEnqueuer(Slow(100), workers=2, max_queue_size=3)
    items = iter(stream)
    assert [next(items) for _ in range(2)] == [0, 1]
    assert max(requested) <= 2 + 3  # consumed + window
    release.set()
    stream.close()
    assert_nothing_left()


@pytest.mark.parametrize("processes", MODES)
def test_worker_exception_keeps_its_type_and_worker_frame(processes):
    start = time.monotonic()
    with pytest.raises(KeyError, match="no item 3") as info:
        with open_stream(Numbers(fail_at=3), 2, processes) as stream:
            take(stream, 10)
    assert time.monotonic() - start < 5
    if processes:
        assert "__getitem__" in str(info.value.__cause__)  # the worker's traceback text
    else:
        frames = [f.name for f in __import__("traceback").extract_tb(info.value.__traceback__)]
        assert "__getitem__" in frames
    assert_nothing_left()


def test_killed_worker_process_raises_instead_of_hanging():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="died unexpectedly"):
        with open_stream(Numbers(20, kill_at=4), 2, True) as stream:
            take(stream, 20)
    assert time.monotonic() - start < 10
    assert_nothing_left()


@pytest.mark.parametrize("processes", MODES)
def test_keyboard_interrupt_in_the_consumer_stops_the_workers(processes):
    with pytest.raises(KeyboardInterrupt):
        with open_stream(Numbers(50), 2, processes) as stream:
            take(stream, 3)
            raise KeyboardInterrupt
    assert_nothing_left()


def test_many_process_enqueuers_leave_no_children_or_descriptors():
    def descriptors():
        return len(os.listdir("/proc/self/fd"))

    with open_stream(Numbers(4), 2, True) as stream:
        take(stream, 4)
    before = descriptors()
    for _ in range(100):
        with open_stream(Numbers(4), 2, True) as stream:
            take(stream, 6)
    assert multiprocessing.active_children() == []
    assert descriptors() <= before


def test_unpicklable_dataset_with_spawn_gives_a_clear_error():
    class Holder(Numbers):
        def __init__(self):
            super().__init__()
            self.transform = lambda x: x

    with pytest.raises(TypeError, match="Holder cannot be pickled.*use_multiprocessing=False"):
        SequenceEnqueuer(Holder(), 2, True, context=multiprocessing.get_context("spawn"))


def test_thread_unsafe_generator_is_safe_with_many_threads():
    def numbers():
        yield from range(200)

    with GeneratorEnqueuer(numbers(), workers=4) as stream:
        assert sorted(stream) == list(range(200))
    assert_nothing_left()


@pytest.mark.parametrize("processes", MODES)
def test_generator_exception_and_end(processes):
    def failing():
        yield 1
        raise ValueError("bad record")

    with pytest.raises(ValueError, match="bad record") as info:
        with GeneratorEnqueuer(failing(), workers=1, use_multiprocessing=processes) as stream:
            list(stream)
    if processes:
        assert "failing" in str(info.value.__cause__)
    with GeneratorEnqueuer(iter(range(5)), workers=1, use_multiprocessing=processes) as stream:
        assert sorted(stream) == [0, 1, 2, 3, 4]
    assert_nothing_left()


def test_killed_generator_process_raises():
    def slow_then_die():
        yield 0
        os.kill(os.getpid(), signal.SIGKILL)
        yield 1

    start = time.monotonic()
    with pytest.raises(RuntimeError, match="died unexpectedly"):
        with GeneratorEnqueuer(slow_then_die(), workers=1, use_multiprocessing=True) as stream:
            list(stream)
    assert time.monotonic() - start < 10
    assert_nothing_left()


def test_workers_zero_reads_on_the_calling_thread():
    seen = []

    class Recording(Numbers):
        def __getitem__(self, index):
            seen.append(threading.current_thread() is threading.main_thread())
            return index

    with open_stream(Recording(3), 0) as stream:
        assert list(itertools.islice(iter(stream), 6)) == [0, 1, 2, 0, 1, 2]
    assert all(seen)


def test_negative_workers_is_rejected():
    with pytest.raises(ValueError, match="workers must be a non-negative integer, got -1"):
        open_stream(Numbers(), -1)


def test_worker_processes_get_their_own_numpy_random_state():
    class Noise(Numbers):
        def __getitem__(self, index):
            return os.getpid(), float(np.random.uniform())

    np.random.seed(0)
    with open_stream(Noise(40), 2, True) as stream:
        items = take(stream, 40)
    by_worker = {}
    for pid, value in items:
        by_worker.setdefault(pid, []).append(value)
    assert len(by_worker) == 2
    first, second = by_worker.values()
    assert first[0] != second[0]  # forked workers would otherwise draw the same numbers


class BadItem(Exception):
    pass


def _tag(item):
    """A transform that records the thread it ran on and refuses item 3."""
    index = item[0] if isinstance(item, tuple) else item  # a `Numbers` item or an int
    if index == 3:
        raise BadItem("item 3")
    return (index, threading.current_thread().name)


def _counting():
    yield from range(5)


@pytest.mark.parametrize("workers", [0, 2])
@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
@pytest.mark.parametrize("kind", ["sequence", "generator"])
def test_transform_runs_on_worker_threads_and_raises_where_its_item_is_read(
    kind, processes, workers
):
    source = Numbers() if kind == "sequence" else _counting()
    if kind == "generator" and processes:
        workers = min(workers, 1)  # each process runs its own copy of a generator
    with open_stream(source, workers, processes, transform=_tag) as items:
        items = iter(items)
        first = [next(items) for _ in range(3)]
        with pytest.raises(BadItem, match="item 3"):
            next(items)
    assert sorted(item for item, _ in first) == [0, 1, 2]
    threads = {name for _, name in first}
    if workers and not processes:
        assert all(name.startswith("compatkeras-data") for name in threads)
    else:  # read serially, or by processes: transformed on the calling thread
        assert threads == {threading.current_thread().name}
