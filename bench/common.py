"""Timing helpers shared by the benchmarks: fresh processes, medians, ratio tables."""

import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow")


def time_command(argv, cwd=None, check=True):
    """Wall time of one fresh process running `argv`."""
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if check and proc.returncode not in (0, 1):
        raise RuntimeError(f"{argv} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed


def interleaved_medians(commands, repeats, warmup=1):
    """{name: median seconds}: the commands run in turn, `repeats` rounds after `warmup` rounds,
    so drift on a shared machine hits every peer alike."""
    times = {name: [] for name in commands}
    for round_ in range(warmup + repeats):
        for name in in_turn(commands, round_):
            elapsed = time_command(commands[name])
            if round_ >= warmup:
                times[name].append(elapsed)
    return {name: statistics.median(ts) for name, ts in times.items()}


def in_turn(names, round_):
    """The order of one round: reversed every other round, so that no command always runs
    right after the same one (a fixed order moved the import ratio by ~5 %: 0.94x alternating,
    1.02x fixed, on one machine)."""
    names = list(names)
    return names if round_ % 2 == 0 else names[::-1]


def table(title, header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    return "\n".join([title, line(header), line(["-" * w for w in widths]), *map(line, rows)])


def python():
    return sys.executable


def interleaved_epoch_times(workloads, repeats, quick=False):
    """{workload: median epoch seconds}; each run is a fresh `bench/workloads.py NAME` process,
    the workloads taking turns so that machine drift hits all of them alike."""
    import json

    times = {name: [] for name in workloads}
    script = os.path.join(ROOT, "bench", "workloads.py")
    env = dict(ENV, COMPATKERAS_BENCH_QUICK="1") if quick else ENV
    for round_ in range(repeats):
        for name in in_turn(workloads, round_):
            proc = subprocess.run(
                [sys.executable, script, name], env=env, capture_output=True, text=True
            )
            if proc.returncode != 0:
                raise RuntimeError(f"workload {name} failed:\n{proc.stderr[-2000:]}")
            times[name].append(json.loads(proc.stdout.strip().splitlines()[-1])["epoch_s"])
    return {name: statistics.median(ts) for name, ts in times.items()}
