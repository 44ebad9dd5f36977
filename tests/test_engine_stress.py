"""The enqueuer stress matrix: threads and processes x item sizes from 1 KB to 64 MB x every
way a pass can stop. Each case runs in a process of its own (`stress_case.py`, in a new session
so that its Ctrl-C reaches only it and its workers) under a timeout, so that a deadlock fails
here instead of holding CI. Every case must stop within STOP_BOUND seconds and leave no child
process and no data thread behind. The bounds are liveness checks, not speed claims."""

import pytest

from liveness import run_case

CASE_TIMEOUT = 90  # the whole case, TensorFlow-free: far more than any case needs
STOP_BOUND = 5.0  # seconds from the stop point until every worker is gone

SIZES = {"1KB": 1_000, "1MB": 1_000_000, "19MB": 19_267_584, "64MB": 64_000_000}
EXPECTED = {  # stop point -> (exception raised, items taken) ; None: nothing raised
    "mid": (None, 3),
    "end": (None, 12),
    "past": (None, 14),
    "raise": ("ValueError", None),
    "worker-error": ("KeyError", None),
    "killed": ("RuntimeError", None),
    "ctrl-c": ("KeyboardInterrupt", None),
}


def cases():
    for kind in ("sequence", "hooked", "generator"):
        for mode in ("threads", "processes"):
            for size in SIZES:
                for stop in EXPECTED:
                    if stop == "killed" and mode == "threads":
                        continue  # a thread cannot be killed from outside
                    yield pytest.param(kind, mode, size, stop, id=f"{kind}-{mode}-{size}-{stop}")


@pytest.mark.parametrize("kind, mode, size, stop", list(cases()))
def test_every_stop_point_returns_promptly_and_leaves_nothing(kind, mode, size, stop):
    result = run_case("stress_case.py", (kind, mode, SIZES[size], stop), CASE_TIMEOUT)
    raised, taken = EXPECTED[stop]
    if kind == "generator" and mode == "processes" and stop == "end":
        taken = 24  # each of the 2 worker processes runs its own copy of the generator
    if kind == "generator" and mode == "threads" and stop == "past":
        taken = 12  # the threads share one generator, whose stream ends after its 12 items
    assert result["raised"] == raised, result
    assert result["taken"] == taken, result
    assert result["stop_seconds"] < STOP_BOUND, result
    assert result["children"] == [], result
    assert result["threads"] == [], result
