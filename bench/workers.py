"""Data loading with workers: a Sequence / PyDataset of 40 batches (20 in quick mode) with ~14 ms of work each,
one epoch (from the end of the first to the end of the second), through compatkeras
`fit_generator`, tf-keras `fit(workers=...)` and Keras 3 `PyDataset(workers=...)`."""

import os

from common import interleaved_epoch_times, table

GOAL_VS_ONE_WORKER = 0.6
GOAL_VS_PEERS = 0.8
LABELS = {
    "compatkeras": "compatkeras fit_generator",
    "tf_keras": "tf-keras fit",
    "keras3": "Keras 3 PyDataset",
    "v3": "compatkeras.v3 PyDataset",
}


def _configs(quick):
    # Quick mode (3-minute budget) leaves out tf-keras (it stalls 5 s at every epoch end).
    python = [
        ("compatkeras", 1, False),
        ("compatkeras", 2, True),
        ("v3", 2, True),
        ("keras3", 2, True),
    ]
    numpy = [("compatkeras", 1, False), ("compatkeras", 2, False)]
    if not quick:
        python += [
            ("compatkeras", 2, False),
            ("v3", 2, False),
            ("tf_keras", 2, True),
            ("tf_keras", 1, False),
            ("keras3", 1, False),
        ]
        numpy += [
            ("keras3", 2, False),
            ("v3", 2, False),
            ("v3", 2, True),
            ("compatkeras", 2, True),
            ("tf_keras", 2, False),
        ]
    return {"python": python, "numpy": numpy}


def _name(framework, kind, workers, processes):
    return f"workers-{framework}-{kind}-{workers}{'p' if processes else 't'}"


def run(quick):
    configs = _configs(quick)
    names = [_name(f, kind, w, p) for kind, rows in configs.items() for f, w, p in rows]
    names += ["data-python", "data-numpy", "workers-compatkeras-none-1t"]
    times = interleaved_epoch_times(names, repeats=1 if quick else 3, quick=quick)
    train = times["workers-compatkeras-none-1t"]
    cores = os.cpu_count() or 1
    texts, data = [], {}
    for kind, rows in configs.items():
        one = times[_name("compatkeras", kind, 1, False)]
        data_s = times[f"data-{kind}"]
        table_rows = []
        for framework, workers, processes in rows:
            t = times[_name(framework, kind, workers, processes)]
            limit = max(data_s / min(workers, cores), train)
            table_rows.append(
                [
                    LABELS[framework],
                    workers,
                    "processes" if processes else "threads",
                    f"{t:.2f}",
                    f"{one / t:.2f}x",
                    f"{limit:.2f}",
                ]
            )
        texts.append(
            table(
                f"workers, {kind} work ({data_s:.2f} s of data per epoch serially, {train:.2f} s of training)",
                ["what", "workers", "kind", "epoch s", "speed-up vs compatkeras w=1", "limit s"],
                table_rows,
            )
        )
        data[kind] = {
            name: times[name] for name in times if f"-{kind}-" in name or name == f"data-{kind}"
        }
    one = times[_name("compatkeras", "python", 1, False)]
    peers = min(
        times[n]
        for n in (_name("tf_keras", "python", 2, True), _name("keras3", "python", 2, True))
        if n in times
    )
    verdicts = []
    for surface in ("compatkeras", "v3"):
        ours = times[_name(surface, "python", 2, True)]
        verdicts += [
            f"goal {LABELS[surface]}, 2 processes <= {GOAL_VS_ONE_WORKER}x workers=1: "
            f"{'met' if ours <= GOAL_VS_ONE_WORKER * one else 'NOT met'} ({ours / one:.2f}x)",
            f"goal {LABELS[surface]}, 2 processes <= {GOAL_VS_PEERS}x the best peer: "
            f"{'met' if ours <= GOAL_VS_PEERS * peers else 'NOT met'} ({ours / peers:.2f}x)",
        ]
    return "\n\n".join(texts) + "\n" + "\n".join(verdicts), data
