"""Memory over a long run: the PSS (shared pages split between processes) of the training process
and of its worker processes at the end of each of 20 epochs of
`fit_generator(workers=2, use_multiprocessing=True)` (6 epochs in quick mode), with small batches and
with 19 MB image batches in epochs that stop inside a pass. Goal: flat."""

import json
import os
import subprocess
import sys

from common import ENV, ROOT, table

GOAL_MB_PER_EPOCH = 0.5  # growth of the total after the first epoch, least squares


def _slope(values):
    n = len(values)
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    den = sum((i - mean_x) ** 2 for i in range(n))
    return sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values)) / den if den else 0.0


def _measure(workload, epochs, title):
    script = os.path.join(ROOT, "bench", "workloads.py")
    proc = subprocess.run(
        [sys.executable, script, workload, str(epochs)], env=ENV, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{workload} workload failed:\n{proc.stderr[-2000:]}")
    readings = json.loads(proc.stdout.strip().splitlines()[-1])["pss_mb"]
    totals = [main + workers for main, workers in readings]
    slope = _slope(totals[1:])
    shown = sorted({0, 1, len(readings) // 2, len(readings) - 1})
    rows = [
        [
            i + 1,
            f"{readings[i][0]:.1f}",
            f"{readings[i][1]:.1f}",
            f"{totals[i]:.1f}",
            f"{totals[i] / totals[1]:.3f}x",
        ]
        for i in shown
    ]
    text = table(
        f"memory: {title}, {epochs} epochs (PSS in MB at the end of the epoch)",
        ["epoch", "main MB", "workers MB", "total MB", "vs epoch 2"],
        rows,
    )
    verdict = (
        f"goal flat (growth after epoch 1 <= {GOAL_MB_PER_EPOCH} MB/epoch): "
        f"{'met' if slope <= GOAL_MB_PER_EPOCH else 'NOT met'} ({slope:+.2f} MB/epoch)"
    )
    return text + "\n" + verdict, {"pss_mb": readings, "mb_per_epoch_after_first": slope}


def run(quick):
    epochs = 6 if quick else 20
    texts, figures = [], {}
    for workload, title in [
        ("memory", "fit_generator(workers=2, use_multiprocessing=True)"),
        ("memory-images", "the same, 19 MB image batches, epochs of 8 of 40 batches"),
    ]:
        text, figures[workload] = _measure(workload, epochs, title)
        texts.append(text)
    return "\n\n".join(texts), figures
