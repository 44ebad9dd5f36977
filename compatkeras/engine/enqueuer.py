"""Parallel data loading: items of a Sequence (in index order) or of a plain generator, read by
worker threads or processes while the model trains.

Written for compatkeras rather than wrapping tf-keras's or Keras 3's enqueuers, whose epoch-end
stall (tf-keras waits on `queue.get(timeout=5)`) and hangs (keras#20425) are the reason it exists.

- Sequence: at most `max(max_queue_size, workers)` items are in flight; the next index is
  submitted when the consumer takes an item, so memory is bounded and nothing polls. A pass is
  consumed entirely before `on_epoch_end` runs, so its changes reach the next pass's first item
  (Keras 3 races here, keras#23283). When the Sequence has its own `on_epoch_end`, process pools
  are forked again for each pass so that workers see those changes too, as Keras 2's were;
  otherwise nothing can change between passes and the workers are kept.
- Plain generator: threads take turns calling `next()` under one lock (any generator is safe);
  processes each run their own copy of it (Keras 2's documented duplication). The stream ends
  when every worker has seen the generator end.
- A worker's exception is raised by the consumer with its original type, chained to the
  worker's traceback. A worker process that dies makes the consumer raise instead of waiting.
  `close()` (or leaving the `with` block) stops every thread and process it started.
"""

import collections
import concurrent.futures as cf
import itertools
import queue
import threading
import time
import warnings

import numpy as np

from compatkeras.engine.processes import ProcessPool, check_picklable, default_context


def pass_order(length, shuffle):
    """The index order of one pass over a Sequence: as stored, shuffled with numpy's global RNG
    (`shuffle=True`, Keras 2), or shuffled in place by `shuffle(list)` when it is a callable
    (Keras 3 uses Python's `random.shuffle`)."""
    if callable(shuffle):
        order = list(range(length))
        shuffle(order)
        return iter(order)
    if shuffle:
        return iter(np.random.permutation(length))
    return iter(range(length))  # lazily: a Sequence may be (practically) infinite


def stream(source, shuffle=False, epoch_end_between_passes=False):
    """Items from a generator, or from a Sequence-like `source` (`__len__`/`__getitem__`) pass
    after pass, shuffled per pass if asked, forever. With `epoch_end_between_passes`, the
    source's `on_epoch_end()` runs before each pass but the first, so never after the last pass
    that was read (Keras 2's enqueuer rule). Items come in on the calling thread; a generator's
    stream ends when the generator does."""
    if not hasattr(source, "__getitem__"):
        yield from source
        return
    length = len(source)
    for pass_number in itertools.count():
        if pass_number and epoch_end_between_passes:
            source.on_epoch_end()
        for i in pass_order(length, shuffle):
            yield source[int(i)]


def is_sequence(source):
    return hasattr(source, "__getitem__") and hasattr(source, "__len__")


def _has_own_epoch_end(sequence):
    """Whether `on_epoch_end` can change the Sequence: tf-keras's and Keras 3's base versions do
    nothing, so a Sequence that only inherits them keeps its worker processes across passes."""
    return _own_hook(sequence, "on_epoch_end")


def _own_hook(sequence, name):
    method = getattr(type(sequence), name, None)
    module = getattr(method, "__module__", "") or ""
    return method is not None and not module.startswith(("tf_keras.", "keras."))


def changes_between_passes(sequence):
    """Whether the Sequence's own epoch hooks (`on_epoch_begin`, `on_epoch_end`) may change it
    between passes: a stream over it must then be opened again (fresh worker processes) for
    each pass, and may otherwise be kept, with its workers, for the next one."""
    return _own_hook(sequence, "on_epoch_end") or _own_hook(sequence, "on_epoch_begin")


class _ThreadPool:
    """The `submit` / `result` / `close` of `ProcessPool`, on threads."""

    def __init__(self, sequence, workers, transform=None):
        self._sequence = sequence
        self._transform = transform
        self._executor = cf.ThreadPoolExecutor(workers, thread_name_prefix="compatkeras-data")

    def _read(self, index):
        item = self._sequence[index]
        return item if self._transform is None else self._transform(item)

    def submit(self, index):
        return self._executor.submit(self._read, index)

    def result(self, future):
        return future.result()

    def close(self):
        # Waits only for the items being read now (a __getitem__ call each), none queued.
        self._executor.shutdown(wait=True, cancel_futures=True)


class SequenceEnqueuer:
    def __init__(
        self,
        sequence,
        workers,
        use_multiprocessing=False,
        max_queue_size=10,
        shuffle=False,
        epoch_end_between_passes=False,
        context=None,
        transform=None,
    ):
        if workers < 1:
            raise ValueError(f"workers must be at least 1 for an enqueuer, got {workers}")
        if transform is not None and use_multiprocessing:
            raise ValueError("`transform` runs on worker threads; with processes apply it after")
        self.sequence = sequence
        self.transform = transform
        self.workers = workers
        self.processes = use_multiprocessing
        self.window = max(max_queue_size, workers, 1)
        self.shuffle = shuffle
        self.epoch_end_between_passes = epoch_end_between_passes
        self.context = context or default_context()
        if self.processes:
            check_picklable(sequence, self.context)
        self._pool = None
        self._items = None
        self._refork = epoch_end_between_passes and _has_own_epoch_end(sequence)

    def _start_pool(self):
        if self._pool is None:
            if self.processes:
                self._pool = ProcessPool(self.sequence, self.workers, self.context)
            else:
                self._pool = _ThreadPool(self.sequence, self.workers, self.transform)
        return self._pool

    def _generate(self):
        length = len(self.sequence)
        for pass_number in itertools.count():
            if pass_number and self.epoch_end_between_passes:
                self.sequence.on_epoch_end()
            if pass_number and self.processes and self._refork:
                self._shutdown()  # fork again: workers must see what on_epoch_end changed
            pool = self._start_pool()
            order = pass_order(length, self.shuffle)
            pending = collections.deque(
                pool.submit(int(i)) for i in itertools.islice(order, self.window)
            )
            while pending:
                item = pool.result(pending.popleft())
                following = next(order, None)
                if following is not None:
                    pending.append(pool.submit(int(following)))
                yield item

    def __iter__(self):
        if self._items is None:
            self._items = self._generate()
        return self._items

    def _shutdown(self):
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def close(self):
        if self._items is not None:
            self._items.close()
        self._shutdown()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- plain generators ---------------------------------------------------------------------

_END = object()
_THREAD_STOP_SECONDS = 10


class _ThreadedGenerator:
    """Worker threads call `next()` in turn, under one lock, into a bounded queue."""

    def __init__(self, generator, workers, max_queue_size, transform=None):
        self.generator = generator
        self.transform = transform
        self.queue = queue.Queue(max(max_queue_size, 1))
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._work, daemon=True, name=f"compatkeras-data-{i}")
            for i in range(workers)
        ]
        for thread in self.threads:
            thread.start()

    def _work(self):
        while not self.stopping.is_set():
            try:
                with self.lock:
                    item = next(self.generator)
                if self.transform is not None:  # outside the lock: threads overlap here
                    item = self.transform(item)
            except StopIteration:
                self.queue.put((_END, None))
                return
            except BaseException as exc:
                self.queue.put((exc, None))
                return
            self.queue.put((None, item))

    def __iter__(self):
        running = len(self.threads)
        while running:
            error, item = self.queue.get()
            if error is _END:
                running -= 1  # the others may still hold an item taken before the end
            elif error is not None:
                raise error
            else:
                yield item

    def close(self):
        self.stopping.set()
        deadline = time.monotonic() + _THREAD_STOP_SECONDS
        while any(t.is_alive() for t in self.threads):
            # Free producers blocked on a full queue; each then sees `stopping` and returns.
            try:
                while True:
                    self.queue.get_nowait()
            except queue.Empty:
                pass
            for thread in self.threads:
                thread.join(0.05)  # shutdown only, never on the data path
            if time.monotonic() > deadline:
                # A thread cannot be killed: one blocked inside the generator's own `next()`
                # is left as a daemon rather than holding the caller for ever.
                warnings.warn(
                    f"A data worker thread is still inside the generator's `next()` after "
                    f"{_THREAD_STOP_SECONDS} s; it was left running as a daemon thread. Use "
                    "use_multiprocessing=True for a generator that can block, so that its "
                    "workers can be stopped.",
                    RuntimeWarning,
                    stacklevel=2,
                )
                return


class _ProcessGenerator:
    """Each worker process runs its own copy of the generator (so the data is duplicated, as
    Keras 2 warned). At most `window` items are asked for at once; items come in the order they
    are ready, and the stream ends when every copy has ended."""

    def __init__(self, generator, workers, max_queue_size, context, seed=None):
        self.pool = ProcessPool(generator, workers, context, seed)
        self.window = max(max_queue_size, workers, 1)

    def __iter__(self):
        live = self.pool.workers
        for i in range(self.window):
            self.pool.submit(worker=live[i % len(live)])
        while live:
            worker, kind, value = self.pool.any_result()
            if worker not in live:
                continue  # an answer to a request sent before this copy ended
            if kind == "end":
                live.remove(worker)  # the others may still send items
                continue
            self.pool.submit(worker=worker)
            yield value

    def close(self):
        self.pool.close()


class GeneratorEnqueuer:
    def __init__(
        self,
        generator,
        workers,
        use_multiprocessing=False,
        max_queue_size=10,
        context=None,
        seed=None,
        transform=None,
    ):
        if workers < 1:
            raise ValueError(f"workers must be at least 1 for an enqueuer, got {workers}")
        if use_multiprocessing:
            if transform is not None:
                raise ValueError(
                    "`transform` runs on worker threads; with processes apply it after"
                )
            self._impl = _ProcessGenerator(
                generator, workers, max_queue_size, context or default_context(), seed
            )
        else:
            self._impl = _ThreadedGenerator(generator, workers, max_queue_size, transform)
        self._items = None

    def __iter__(self):
        if self._items is None:
            self._items = iter(self._impl)
        return self._items

    def close(self):
        if self._items is not None:
            self._items.close()
        self._impl.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Serial:
    """`workers=0`: items read on the calling thread; also a stream whose items are
    transformed on the calling thread (`close` reaches the stream underneath)."""

    def __init__(self, items, underneath=None):
        self._items = items
        self._underneath = underneath

    def __iter__(self):
        return self._items

    def close(self):
        self._items.close()
        if self._underneath is not None:
            self._underneath.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_stream(
    source,
    workers=0,
    use_multiprocessing=False,
    max_queue_size=10,
    shuffle=False,
    epoch_end_between_passes=False,
    transform=None,
):
    """An endless stream of a Sequence's or a generator's items, as a context manager.

    `workers=0` reads on the calling thread; otherwise threads, or processes with
    `use_multiprocessing`. For a Sequence, `shuffle` reorders each pass and
    `epoch_end_between_passes` calls `on_epoch_end()` between passes (never after the last one).
    A generator's stream ends when the generator does. `transform(item)`, if given, makes what
    the stream yields: on the worker thread that read the item when workers are threads (so
    that it overlaps the caller's work), else on the calling thread; what it raises is raised
    where that item is read.
    """
    if workers < 0:
        raise ValueError(f"workers must be a non-negative integer, got {workers}")
    if workers == 0:
        items = stream(source, shuffle=shuffle, epoch_end_between_passes=epoch_end_between_passes)
        return _Serial(_mapped(items, transform), underneath=items) if transform else _Serial(items)
    threads = None if use_multiprocessing else transform
    if is_sequence(source):
        opened = SequenceEnqueuer(
            source,
            workers,
            use_multiprocessing,
            max_queue_size,
            shuffle,
            epoch_end_between_passes,
            transform=threads,
        )
    else:
        opened = GeneratorEnqueuer(
            source, workers, use_multiprocessing, max_queue_size, transform=threads
        )
    if transform is not None and use_multiprocessing:
        return _Serial(_mapped(iter(opened), transform), underneath=opened)
    return opened


def _mapped(items, transform):
    for item in items:
        yield transform(item)
