"""One case of the enqueuer stress matrix, run as `python stress_case.py KIND MODE BYTES STOP`
in a process of its own (see test_engine_stress.py). Prints one JSON line: what was raised, how
long stopping took, and what was left behind (child processes, data threads).

KIND: sequence (no epoch-end hook: workers kept across passes, as for a PyDataset), hooked (its
own on_epoch_end called between passes: worker processes forked again per pass, as for a Keras 2
Sequence that defines one), generator. MODE: threads, processes.
STOP: mid (3 items), end (one whole pass / the generator exhausted), past (a pass and 2 items),
raise (the consumer raises after 3 items), worker-error (item 3 raises in the worker), killed
(the worker reading item 3 is SIGKILLed), ctrl-c (SIGINT to the whole process group after 3).
"""

import json
import os
import signal
import sys
import threading
import time

import numpy as np

from compatkeras.engine.enqueuer import open_stream

LENGTH = 12
WORKERS = 2
QUEUE = 10


def make_item(index, nbytes):
    return np.full(max(nbytes // 4, 1), index, dtype="float32")


def fault(index, stop):
    if index != 3:
        return
    if stop == "worker-error":
        raise KeyError(f"no item {index}")
    if stop == "killed":
        os.kill(os.getpid(), signal.SIGKILL)


class Items:
    def __init__(self, nbytes, stop):
        self.nbytes, self.stop = nbytes, stop

    def __len__(self):
        return LENGTH

    def __getitem__(self, index):
        fault(index, self.stop)
        return make_item(index, self.nbytes)


class Hooked(Items):
    passes = 0

    def on_epoch_end(self):
        self.passes += 1


def generator(nbytes, stop):
    for index in range(LENGTH):
        fault(index, stop)
        yield make_item(index, nbytes)


def children():
    """Every live process whose parent is this one (from /proc: orphans would show here)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.append(int(name))
    return found


def data_threads():
    return [t.name for t in threading.enumerate() if t.name.startswith("compatkeras-data")]


def consume(stream, kind, stop):
    items = iter(stream)
    wanted = {"mid": 3, "raise": 3, "ctrl-c": 3, "end": LENGTH, "past": LENGTH + 2}.get(stop)
    if kind == "generator" and stop == "end":
        wanted = None  # to the end of every worker's copy
    taken = 0
    for _ in items:
        taken += 1
        if taken == wanted:
            break
    if stop == "raise":
        raise ValueError("the model failed")
    if stop == "ctrl-c":
        os.killpg(os.getpgrp(), signal.SIGINT)
        time.sleep(5)  # the KeyboardInterrupt arrives here
    return taken


def main(kind, mode, nbytes, stop):
    if kind == "generator":
        source = generator(nbytes, stop)
    else:
        source = (Hooked if kind == "hooked" else Items)(nbytes, stop)
    stream = open_stream(
        source, WORKERS, mode == "processes", QUEUE, epoch_end_between_passes=kind == "hooked"
    )
    raised, taken, stopping = None, None, None
    start = time.monotonic()
    try:
        with stream:
            try:
                taken = consume(stream, kind, stop)
            finally:
                stopping = time.monotonic()
    except BaseException as exc:  # the outcome under test
        raised = type(exc).__name__
    result = {
        "raised": raised,
        "taken": taken,
        "stop_seconds": round(time.monotonic() - stopping, 3),
        "total_seconds": round(time.monotonic() - start, 3),
        "children": children(),
        "threads": data_threads(),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
