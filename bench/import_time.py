"""Whole-process import time: compatkeras (namespace touched) vs tf_keras vs Keras 3; median of
11 interleaved rounds in full mode (5 left the ratio within ±2 % noise of the 1.0x goal)."""

from common import interleaved_medians, python, table

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
    text = table("import (median seconds, whole process)", ["what", "s", "vs tf_keras"], rows)
    return text + "\n" + verdict, {"medians_s": medians, "ratio_vs_tf_keras": ratio}
