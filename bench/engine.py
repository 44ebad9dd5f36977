"""Engine speed: one epoch of the MLP (20000 x 32 -> 64 -> 1, batch 32, Adam; 10000 rows in
quick mode) through the
compatkeras legacy `fit`, tf-keras `fit`, Keras 3 `fit` and a hand-written tf.function loop."""

from common import interleaved_epoch_times, table

GOAL = 0.95  # legacy fit >= 0.95x tf-keras (samples per second)


def run(quick):
    names = {"raw": "raw tf.function loop (the limit)", "tf_keras": "tf-keras fit",
             "keras3": "Keras 3 fit", "legacy": "compatkeras legacy fit"}
    times = interleaved_epoch_times(list(names), repeats=3 if quick else 5, quick=quick)
    samples = 10000 if quick else 20000
    rows = [[label, f"{times[n]:.3f}", f"{samples / times[n]:,.0f}",
             f"{times['tf_keras'] / times[n]:.2f}x", f"{times['raw'] / times[n]:.2f}x"]
            for n, label in names.items()]
    ratio = times["tf_keras"] / times["legacy"]
    text = table(f"engine: MLP, {samples} x 32, one epoch (median of fresh processes), steps_per_execution=1",
                 ["what", "epoch s", "samples/s", "speed vs tf-keras", "speed vs raw loop"], rows)
    verdict = f"goal legacy >= {GOAL}x tf-keras: {'met' if ratio >= GOAL else 'NOT met'} ({ratio:.2f}x)"
    return text + "\n" + verdict, {"epoch_s": times, "legacy_vs_tf_keras": ratio}
