"""Whole-process import time: compatkeras (namespace touched) vs tf_keras vs Keras 3; median of
11 interleaved rounds in full mode (5 left the ratio within ±2 % noise of the 1.0x goal), the
order reversed every other round. Also the time spent in compatkeras's own modules (`python -X
importtime`, median of 3 processes): the part of the difference that is ours, free of the
run-to-run noise of whole processes."""

import statistics
import subprocess

from common import ENV, interleaved_medians, python, table

GOAL = 1.0  # compatkeras <= 1.0x tf_keras (the engine issue; it was 1.1x)


def run(quick):
    commands = {
        "compatkeras": [python(), "-c", "import compatkeras; compatkeras.layers.Dense"],
        "tf_keras": [python(), "-c", "import tf_keras; tf_keras.layers.Dense"],
        "keras (3)": [python(), "-c", "import keras; keras.layers.Dense"],
        "compatkeras.migrate": [python(), "-c", "import compatkeras.migrate.cli"],
    }
    medians = interleaved_medians(commands, repeats=1 if quick else 11, warmup=0 if quick else 1)
    base = medians["tf_keras"]
    rows = [[name, f"{t:.2f}", f"{t / base:.2f}x"] for name, t in medians.items()]
    ratio = medians["compatkeras"] / base
    verdict = f"goal compatkeras <= {GOAL}x tf_keras: {'met' if ratio <= GOAL else 'NOT met'} ({ratio:.2f}x)"
    own = statistics.median(_own_seconds(commands["compatkeras"]) for _ in range(1 if quick else 3))
    text = table("import (median seconds, whole process)", ["what", "s", "vs tf_keras"], rows)
    note = f"compatkeras's own modules: {own * 1000:.0f} ms of it (-X importtime, self times)"
    data = {"medians_s": medians, "ratio_vs_tf_keras": ratio, "own_modules_s": own}
    return text + "\n" + note + "\n" + verdict, data


def _own_seconds(argv):
    """Seconds `python -X importtime` counts in compatkeras's own modules (their self times)."""
    proc = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]], env=ENV, capture_output=True, text=True
    )
    total = 0
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if line.startswith("import time:") and len(parts) == 3:
            name = parts[2].strip()
            if name == "compatkeras" or name.startswith("compatkeras."):
                total += int(parts[0].split(":")[1])
    return total / 1e6
