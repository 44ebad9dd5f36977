"""What Keras 2 features cost: target_tensors, temporal sample weights and fit_generator from an
in-memory Sequence, each against the same model trained from plain arrays, through the
compatkeras legacy surface (goal: <= 5 % overhead)."""

from common import interleaved_epoch_times, table

GOAL = 1.05


def run(quick):
    pairs = {
        "target_tensors (625 steps of one bound batch)": ("legacy-target-tensors", "legacy-steps"),
        "temporal sample weights (TimeDistributed, 10 steps per sample)": (
            "legacy-temporal",
            "legacy-sequence",
        ),
        "fit_generator, in-memory Sequence (Keras 2 defaults: 1 worker thread)": (
            "legacy-generator",
            "legacy",
        ),
    }
    if quick:  # the 3-minute budget: temporal weights in full mode only
        pairs = {k: v for k, v in pairs.items() if "temporal" not in k}
    workloads = sorted({w for pair in pairs.values() for w in pair})
    times = interleaved_epoch_times(workloads, repeats=1 if quick else 5, quick=quick)
    rows, data = [], {}
    for label, (feature, baseline) in pairs.items():
        ratio = times[feature] / times[baseline]
        verdict = "met" if ratio <= GOAL else "NOT met"
        rows.append(
            [label, f"{times[baseline]:.3f}", f"{times[feature]:.3f}", f"{ratio:.3f}x", verdict]
        )
        data[label] = {"baseline_s": times[baseline], "feature_s": times[feature], "ratio": ratio}
    text = table(
        "legacy features: epoch time with the feature vs plain y (median of fresh processes)",
        ["feature", "plain y s", "with it s", "cost", f"goal <= {GOAL}x"],
        rows,
    )
    return text, data
