"""What the worker tests check after every call: no data thread or child process of ours left."""

import multiprocessing
import threading


def nothing_left():
    threads = [t for t in threading.enumerate() if t.name.startswith("compatkeras-data")]
    return multiprocessing.active_children() == [] and threads == []
