"""Engine speed: one epoch of the MLP (20000 x 32 -> 64 -> 1, batch 32, Adam; 10000 rows in
quick mode) through compatkeras's legacy and v3 `fit`, tf-keras `fit`, Keras 3 `fit` and a
hand-written tf.function loop, at steps_per_execution 1 and 32."""

from common import interleaved_epoch_times, table

GOAL_LEGACY = 0.95  # legacy fit >= 0.95x tf-keras at spe=1 (samples per second)
GOAL_V3 = 1.0  # v3 fit >= 1.0x the better of tf-keras and Keras 3 at the same spe
GOAL_RAW = 0.9  # v3 at spe=32 >= 0.9x the raw loop running 32 steps per call


def run(quick):
    names = {
        "raw": "raw tf.function loop, 1 step per call",
        "tf_keras": "tf-keras fit", "keras3": "Keras 3 fit",
        "legacy": "compatkeras legacy fit", "v3": "compatkeras v3 fit",
        "raw-spe32": "raw tf.function loop, 32 steps per call",
        "tf_keras-spe32": "tf-keras fit, spe=32", "keras3-spe32": "Keras 3 fit, spe=32",
        "v3-spe32": "compatkeras v3 fit, spe=32",
    }
    times = interleaved_epoch_times(list(names), repeats=3 if quick else 5, quick=quick)
    samples = 10000 if quick else 20000
    rows = []
    for n, label in names.items():
        suffix = "-spe32" if n.endswith("spe32") else ""
        rows.append([label, f"{times[n]:.3f}", f"{samples / times[n]:,.0f}",
                     f"{times['tf_keras' + suffix] / times[n]:.2f}x",
                     f"{times['keras3' + suffix] / times[n]:.2f}x",
                     f"{times['raw' + suffix] / times[n]:.2f}x"])
    legacy = times["tf_keras"] / times["legacy"]
    v3_1 = min(times["tf_keras"], times["keras3"]) / times["v3"]
    v3_32 = min(times["tf_keras-spe32"], times["keras3-spe32"]) / times["v3-spe32"]
    raw_32 = times["raw-spe32"] / times["v3-spe32"]
    text = table(f"engine: MLP, {samples} x 32, one epoch (median of fresh processes); ratios are "
                 "speed relative to the peer at the same steps_per_execution",
                 ["what", "epoch s", "samples/s", "vs tf-keras", "vs Keras 3", "vs raw loop"], rows)

    def verdict(what, ratio, goal):
        return f"goal {what} >= {goal}x: {'met' if ratio >= goal else 'NOT met'} ({ratio:.2f}x)"

    verdicts = [verdict("legacy vs tf-keras (spe=1)", legacy, GOAL_LEGACY),
                verdict("v3 vs best peer (spe=1)", v3_1, GOAL_V3),
                verdict("v3 vs best peer (spe=32)", v3_32, GOAL_V3),
                verdict("v3 vs raw loop (spe=32)", raw_32, GOAL_RAW)]
    return text + "\n" + "\n".join(verdicts), {
        "epoch_s": times, "legacy_vs_tf_keras": legacy, "v3_vs_best_peer_spe1": v3_1,
        "v3_vs_best_peer_spe32": v3_32, "v3_vs_raw_spe32": raw_32,
    }
