"""What the worker tests check after every call: no data thread or child process of ours left;
and how the stress tests run one case in a process of its own."""

import json
import multiprocessing
import os
import subprocess
import sys
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def nothing_left():
    threads = [t for t in threading.enumerate() if t.name.startswith("compatkeras-data")]
    return multiprocessing.active_children() == [] and threads == []


def run_case(script, args, timeout, env=None):
    """Runs `tests/<script> <args>` in a new session (its Ctrl-C reaches only it and its
    workers) under `timeout`; a hang fails the test. Returns the JSON line it printed last."""
    try:
        done = subprocess.run(
            [sys.executable, os.path.join(HERE, script), *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{script} {args} hung for {timeout} s; output: {exc.stdout!r} {exc.stderr!r}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and lines, done.stdout + done.stderr[-3000:]
    return json.loads(lines[-1])
