"""Worker processes that can be stopped at any moment, whatever they are doing.

Why not `concurrent.futures.ProcessPoolExecutor`: its workers write their results into one shared
pipe that a manager thread reads. A worker terminated while writing a large item (an image batch
is megabytes; a pipe holds 64 KB) leaves half a message in that pipe, the manager thread waits for
the rest for ever, and `shutdown()` joins that thread: `fit_generator(..., use_multiprocessing=
True)` hung at the end of every epoch that stopped before the end of the Sequence.

Here each worker has a pipe of tasks and a pipe of results of its own; only the consumer reads,
and only while it waits for an item. Stopping terminates the workers (SIGKILL if SIGTERM is not
enough) and closes the pipes without reading anything, so nothing can wait on a half-written
message. A worker runs one task at a time, in the order it was given them; a task is an index
of a Sequence or a request for the next item of the worker's own copy of a generator.
"""

import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import time
import traceback

import numpy as np

_STOP_SECONDS = 5  # how long a worker gets to exit after SIGTERM before SIGKILL


class RemoteTraceback(Exception):
    """Carries a worker's formatted traceback as the `__cause__` of the re-raised exception."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text

    def __str__(self):
        return self.text


def default_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def base_seed():
    return int(np.random.randint(0, 2**31 - 1))


def check_picklable(source, context):
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


def _prepare_worker(seed):
    if sys.platform.startswith("linux"):
        # SIGKILL when the parent dies, so that no worker is ever orphaned.
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass
    # Ctrl-C reaches the whole process group; the consumer handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Forked workers would otherwise share one numpy RNG state (keras#2730).
    np.random.seed((seed + os.getpid()) % 2**32)


def _error_message(ticket, exc):
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        payload = pickle.dumps(exc)
    except Exception:
        payload = None
    return ticket, "error", (payload, f"{type(exc).__name__}: {exc}", text)


def _serve(source, tasks, results, seed):
    """A worker's loop: `(ticket, index)` tasks in, `(ticket, kind, value)` results out."""
    _prepare_worker(seed)
    is_generator = not hasattr(source, "__getitem__")
    while True:
        try:
            ticket, index = tasks.recv()
        except (EOFError, OSError):
            return
        try:
            message = (ticket, "item", next(source) if is_generator else source[index])
        except StopIteration:
            message = (ticket, "end", None)
        except BaseException as exc:
            message = _error_message(ticket, exc)
        try:
            results.send(message)
        except (BrokenPipeError, OSError):
            return  # the consumer has gone
        except Exception as exc:  # the item itself cannot be pickled
            results.send(_error_message(ticket, exc))


def worker_error(payload, summary, text):
    """The worker's exception with its own type, chained to the worker's traceback text."""
    try:
        exc = pickle.loads(payload) if payload is not None else RuntimeError(summary)
    except Exception:
        exc = RuntimeError(summary)
    exc.__cause__ = RemoteTraceback(f'\n"""\n{text}"""')
    return exc


def died(exitcode):
    return RuntimeError(
        f"A data worker process died unexpectedly (exit code {exitcode}, killed or out of "
        "memory); the other workers were stopped."
    )


class _Worker:
    def __init__(self, context, source, seed):
        task_reader, self.tasks = context.Pipe(duplex=False)
        self.results, result_writer = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_serve,
            args=(source, task_reader, result_writer, seed),
            daemon=True,
            name="compatkeras-data-worker",
        )
        self.process.start()
        # Only the worker may hold the writing end of its results: when it dies, the consumer
        # reads EOF instead of waiting for bytes that will never come.
        task_reader.close()
        result_writer.close()
        self.outstanding = 0


class ProcessPool:
    """`workers` processes serving one `source` (a Sequence, or a generator of which each
    worker runs its own copy). `submit()` hands out a ticket; `result(ticket)` waits for that
    one, `any_result()` for whichever comes first. `close()` never blocks on a worker."""

    def __init__(self, source, workers, context=None, seed=None):
        context = context or default_context()
        check_picklable(source, context)
        seed = base_seed() if seed is None else seed
        self._workers = []
        try:
            for _ in range(workers):
                self._workers.append(_Worker(context, source, seed))
        except BaseException:
            self.close()
            raise
        self._tickets = 0
        self._done = {}  # ticket -> (worker, kind, value), received but not yet taken
        self._dead_exitcode = None

    def submit(self, index=None, worker=None):
        worker = worker or min(self._workers, key=lambda w: w.outstanding)
        ticket = self._tickets
        self._tickets += 1
        try:
            worker.tasks.send((ticket, index))
        except (BrokenPipeError, OSError):
            worker.process.join(_STOP_SECONDS)
            raise died(worker.process.exitcode) from None
        worker.outstanding += 1
        return ticket

    def result(self, ticket):
        """The item of `ticket`; a worker's exception is raised with its own type."""
        while ticket not in self._done:
            self._wait()
        return self._unpack(ticket)

    def any_result(self):
        """`(worker, kind, value)` of the first result to arrive: kind is "item" or "end"."""
        while not self._done:
            self._wait()
        ticket = min(self._done)
        worker = self._done[ticket][0]
        kind, value = self._unpack(ticket, keep_end=True)
        return worker, kind, value

    @property
    def workers(self):
        return list(self._workers)

    def _unpack(self, ticket, keep_end=False):
        worker, kind, value = self._done.pop(ticket)
        if kind == "error":
            raise worker_error(*value)
        if keep_end:
            return kind, value
        return value

    def _wait(self):
        if self._dead_exitcode is not None:
            raise died(self._dead_exitcode)
        by_reader = {w.results: w for w in self._workers}
        by_sentinel = {w.process.sentinel: w for w in self._workers}
        ready = multiprocessing.connection.wait([*by_reader, *by_sentinel])
        # Results first: a worker may have sent its item just before it died.
        for handle in ready:
            worker = by_reader.get(handle)
            if worker is not None:
                self._receive(worker)
        for handle in ready:
            worker = by_sentinel.get(handle)
            if worker is not None and not worker.results.poll():
                self._dead_exitcode = worker.process.exitcode
        if self._dead_exitcode is not None and not self._done:
            raise died(self._dead_exitcode)

    def _receive(self, worker):
        try:
            ticket, kind, value = worker.results.recv()
        except (EOFError, OSError):
            worker.process.join(_STOP_SECONDS)
            self._dead_exitcode = worker.process.exitcode
            return
        worker.outstanding -= 1
        self._done[ticket] = (worker, kind, value)

    def close(self):
        """Stops every worker, whatever it is doing, and frees the pipes; reads nothing. A
        Ctrl-C that comes meanwhile is raised once the workers are gone."""
        workers, self._workers = self._workers, []
        with _CtrlCDeferred():
            _stop(workers)
        self._done.clear()


def _stop(workers):
    for worker in workers:
        if worker.process.is_alive():
            worker.process.terminate()
    deadline = time.monotonic() + _STOP_SECONDS
    for worker in workers:
        worker.process.join(max(0.0, deadline - time.monotonic()))
        if worker.process.is_alive():  # a handler caught SIGTERM
            worker.process.kill()
            worker.process.join()
        worker.tasks.close()
        worker.results.close()
        worker.process.close()


class _CtrlCDeferred:
    """Holds a SIGINT back until the block ends, then raises it: a second Ctrl-C while the
    workers are being stopped (or the first, arriving late) must not leave them running."""

    def __enter__(self):
        self.interrupted = False
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._note)
        return self

    def _note(self, signum, frame):
        self.interrupted = True

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            if self.interrupted and exc[0] is None:
                signal.raise_signal(signal.SIGINT)  # whatever the caller's handler does
