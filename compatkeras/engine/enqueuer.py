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
import multiprocessing
import multiprocessing.connection
import os
import pickle
import queue
import sys
import threading
import traceback
from concurrent.futures.process import BrokenProcessPool

import numpy as np


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


def is_sequence(source):
    return hasattr(source, "__getitem__") and hasattr(source, "__len__")


def _default_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class _RemoteTraceback(Exception):
    """Carries a worker's formatted traceback as the `__cause__` of the re-raised exception."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text

    def __str__(self):
        return self.text


def _die_with_parent():
    """On Linux, a worker process gets SIGKILL when its parent dies, so none is orphaned."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass


def _seed_worker(base_seed):
    # Forked workers would otherwise share one numpy RNG state (keras#2730).
    np.random.seed((base_seed + os.getpid()) % 2**32)


def _base_seed():
    return int(np.random.randint(0, 2**31 - 1))


# --- Sequences ----------------------------------------------------------------------------

_worker_sequence = None


def _init_sequence_worker(sequence, base_seed):
    global _worker_sequence
    _die_with_parent()
    _seed_worker(base_seed)
    _worker_sequence = sequence


def _get_item(index):
    return _worker_sequence[index]


def _check_picklable(source, context):
    if context.get_start_method() == "fork":
        return
    try:
        pickle.dumps(source)
    except Exception as exc:
        raise TypeError(
            f"use_multiprocessing=True with the {context.get_start_method()!r} start method sends "
            f"the dataset to each worker process, but {type(source).__name__} cannot be pickled "
            f"({exc}). Make it picklable, or use threads (use_multiprocessing=False)."
        ) from exc


def _has_own_epoch_end(sequence):
    """Whether `on_epoch_end` can change the Sequence: tf-keras's and Keras 3's base versions do
    nothing, so a Sequence that only inherits them keeps its worker processes across passes."""
    method = getattr(type(sequence), "on_epoch_end", None)
    module = getattr(method, "__module__", "") or ""
    return method is not None and not module.startswith(("tf_keras.", "keras."))


class SequenceEnqueuer:
    def __init__(self, sequence, workers, use_multiprocessing=False, max_queue_size=10,
                 shuffle=False, epoch_end_between_passes=False, context=None):
        if workers < 1:
            raise ValueError(f"workers must be at least 1 for an enqueuer, got {workers}")
        self.sequence = sequence
        self.workers = workers
        self.processes = use_multiprocessing
        self.window = max(max_queue_size, workers, 1)
        self.shuffle = shuffle
        self.epoch_end_between_passes = epoch_end_between_passes
        self.context = context or _default_context()
        if self.processes:
            _check_picklable(sequence, self.context)
        self._executor = None
        self._items = None
        self._refork = epoch_end_between_passes and _has_own_epoch_end(sequence)

    def _start_executor(self):
        if self._executor is not None:
            return
        if self.processes:
            self._executor = cf.ProcessPoolExecutor(
                self.workers, mp_context=self.context, initializer=_init_sequence_worker,
                initargs=(self.sequence, _base_seed()),
            )
        else:
            self._executor = cf.ThreadPoolExecutor(self.workers, thread_name_prefix="compatkeras-data")

    def _submit(self, index):
        if self.processes:
            return self._executor.submit(_get_item, int(index))
        return self._executor.submit(self.sequence.__getitem__, int(index))

    def _generate(self):
        length = len(self.sequence)
        for pass_number in itertools.count():
            if pass_number and self.epoch_end_between_passes:
                self.sequence.on_epoch_end()
            if pass_number and self.processes and self._refork:
                self._shutdown()  # fork again: workers must see what on_epoch_end changed
            self._start_executor()
            order = pass_order(length, self.shuffle)
            pending = collections.deque(self._submit(i) for i in itertools.islice(order, self.window))
            while pending:
                item = _result(pending.popleft())
                following = next(order, None)
                if following is not None:
                    pending.append(self._submit(following))
                yield item

    def __iter__(self):
        if self._items is None:
            self._items = self._generate()
        return self._items

    def _shutdown(self):
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if self.processes:
            _terminate_processes(executor)
        executor.shutdown(wait=True, cancel_futures=True)

    def close(self):
        if self._items is not None:
            self._items.close()
        self._shutdown()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _result(future):
    """`future.result()`: a worker's exception comes out with its own type (for processes,
    concurrent.futures chains the worker's traceback text as its `__cause__`)."""
    try:
        return future.result()
    except BrokenProcessPool as exc:  # (cf.process is only there once something imported it)
        raise RuntimeError(
            "A data worker process died unexpectedly (killed, or out of memory); "
            "the pool was stopped."
        ) from exc


def _terminate_processes(executor):
    terminate = getattr(executor, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()


# --- plain generators ---------------------------------------------------------------------

_END = object()


class _ThreadedGenerator:
    """Worker threads call `next()` in turn, under one lock, into a bounded queue."""

    def __init__(self, generator, workers, max_queue_size):
        self.generator = generator
        self.queue = queue.Queue(max(max_queue_size, 1))
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._work, daemon=True, name=f"compatkeras-data-{i}")
                        for i in range(workers)]
        for thread in self.threads:
            thread.start()

    def _work(self):
        while not self.stopping.is_set():
            try:
                with self.lock:
                    item = next(self.generator)
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
        while any(t.is_alive() for t in self.threads):
            # Free producers blocked on a full queue; each then sees `stopping` and returns.
            try:
                while True:
                    self.queue.get_nowait()
            except queue.Empty:
                pass
            for thread in self.threads:
                thread.join(0.05)  # shutdown only, never on the data path


def _generator_process(generator, connection, slots, base_seed):
    _die_with_parent()
    _seed_worker(base_seed)
    while True:
        slots.acquire()
        try:
            item = next(generator)
        except StopIteration:
            connection.send(("end", None))
            return
        except BaseException as exc:
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            try:
                payload = pickle.dumps(exc)
            except Exception:
                payload = None
            connection.send(("error", (payload, f"{type(exc).__name__}: {exc}", text)))
            return
        connection.send(("item", item))


class _ProcessGenerator:
    """Each worker process runs its own copy of the generator (so the data is duplicated, as
    Keras 2 warned). A semaphore bounds the items in flight; the parent waits on the pipes and
    on the processes' sentinels together, so a dead worker is noticed at once."""

    def __init__(self, generator, workers, max_queue_size, context, seed=None):
        _check_picklable(generator, context)
        self.slots = context.Semaphore(max(max_queue_size, workers, 1))
        self.processes, self.readers = [], []
        base_seed = _base_seed() if seed is None else seed
        for _ in range(workers):
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=_generator_process, daemon=True,
                                      args=(generator, writer, self.slots, base_seed))
            process.start()
            writer.close()
            self.processes.append(process)
            self.readers.append(reader)

    def __iter__(self):
        live = dict(zip(self.readers, self.processes, strict=True))
        while live:
            sentinels = {p.sentinel: p for p in live.values()}
            ready = multiprocessing.connection.wait([*live, *sentinels])
            for handle in ready:
                if handle in live:
                    try:
                        kind, payload = handle.recv()
                    except EOFError:
                        kind, payload = "died", live[handle]
                    if kind == "item":
                        self.slots.release()
                        yield payload
                    elif kind == "end":
                        del live[handle]  # this copy is done; the others may still send items
                    elif kind == "error":
                        raise _worker_error(*payload)
                    else:
                        raise _died(payload)
                elif sentinels[handle] in live.values() and not any(
                    r.poll() for r, p in live.items() if p is sentinels[handle]
                ):
                    raise _died(sentinels[handle])

    def close(self):
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join()
        for reader in self.readers:
            reader.close()


def _worker_error(payload, summary, text):
    try:
        exc = pickle.loads(payload) if payload is not None else RuntimeError(summary)
    except Exception:
        exc = RuntimeError(summary)
    exc.__cause__ = _RemoteTraceback(f'\n"""\n{text}"""')
    return exc


def _died(process):
    process.join()
    return RuntimeError(
        f"A data worker process died unexpectedly (exit code {process.exitcode}); "
        "the other workers were stopped."
    )


class GeneratorEnqueuer:
    def __init__(self, generator, workers, use_multiprocessing=False, max_queue_size=10,
                 context=None, seed=None):
        if workers < 1:
            raise ValueError(f"workers must be at least 1 for an enqueuer, got {workers}")
        if use_multiprocessing:
            self._impl = _ProcessGenerator(generator, workers, max_queue_size,
                                           context or _default_context(), seed)
        else:
            self._impl = _ThreadedGenerator(generator, workers, max_queue_size)
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
    """`workers=0`: items read on the calling thread."""

    def __init__(self, items):
        self._items = items

    def __iter__(self):
        return self._items

    def close(self):
        self._items.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_stream(source, workers=0, use_multiprocessing=False, max_queue_size=10, shuffle=False,
                epoch_end_between_passes=False):
    """An endless stream of a Sequence's or a generator's items, as a context manager.

    `workers=0` reads on the calling thread; otherwise threads, or processes with
    `use_multiprocessing`. For a Sequence, `shuffle` reorders each pass and
    `epoch_end_between_passes` calls `on_epoch_end()` between passes (never after the last one).
    A generator's stream ends when the generator does.
    """
    from compatkeras.engine.data import stream

    if workers < 0:
        raise ValueError(f"workers must be a non-negative integer, got {workers}")
    if workers == 0:
        return _Serial(stream(source, shuffle=shuffle, epoch_end_between_passes=epoch_end_between_passes))
    if is_sequence(source):
        return SequenceEnqueuer(source, workers, use_multiprocessing, max_queue_size, shuffle,
                                epoch_end_between_passes)
    return GeneratorEnqueuer(source, workers, use_multiprocessing, max_queue_size)
