"""Engine speed: epochs of the MLP (20000 x 32 -> 64 -> 1, batch 32, Adam; 4000 rows in
quick mode) through compatkeras's legacy and v3 `fit`, tf-keras `fit`, Keras 3 `fit` and a
hand-written tf.function loop, at steps_per_execution 1 and 32; and an LSTM(64) over sequences
of 20 steps as a second shape."""

from common import interleaved_epoch_times, table

GOAL_LEGACY = 0.95  # legacy fit >= 0.95x tf-keras at spe=1 (samples per second)
GOAL_V3 = 1.0  # v3 fit >= 1.0x the better of tf-keras and Keras 3 at the same spe
GOAL_RAW = 0.9  # v3 at spe=32 >= 0.9x the raw loop running 32 steps per call


# Quick mode (the 3-minute budget) leaves these out; their ratios show as "-".
FULL_ONLY = {"raw-spe32", "keras3-spe32", "lstm-raw", "lstm-keras3", "lstm-keras3-spe32"}


PEERS = ("tf_keras", "keras3", "raw")  # the ratio columns, in table order


def _ratio(times, peer, name):
    return f"{times[peer] / times[name]:.2f}x" if peer in times else "-"


def _rows(names, times, samples, prefix=""):
    """One table row per workload: its time, samples per second, and its speed against each
    peer at the same steps_per_execution ("-" where that peer was not run)."""
    rows = []
    for n, label in names.items():
        suffix = "-spe32" if n.endswith("spe32") else ""
        rows.append(
            [
                label,
                f"{times[n]:.3f}",
                f"{samples / times[n]:,.0f}",
                *(_ratio(times, f"{prefix}{peer}{suffix}", n) for peer in PEERS),
            ]
        )
    return rows


def _verdict(what, times, numerator, denominator, goal):
    if not all(n in times for n in (*numerator, denominator)):
        return f"goal {what} >= {goal}x: not measured in quick mode"
    ratio = min(times[n] for n in numerator) / times[denominator]
    return f"goal {what} >= {goal}x: {'met' if ratio >= goal else 'NOT met'} ({ratio:.2f}x)"


def run(quick):
    names = {
        "raw": "raw tf.function loop, 1 step per call",
        "tf_keras": "tf-keras fit",
        "keras3": "Keras 3 fit",
        "legacy": "compatkeras legacy fit",
        "v3": "compatkeras v3 fit",
        "raw-spe32": "raw tf.function loop, 32 steps per call",
        "tf_keras-spe32": "tf-keras fit, spe=32",
        "keras3-spe32": "Keras 3 fit, spe=32",
        "v3-spe32": "compatkeras v3 fit, spe=32",
    }
    if quick:
        names = {n: label for n, label in names.items() if n not in FULL_ONLY}
    times = interleaved_epoch_times(list(names), repeats=1 if quick else 5, quick=quick)
    samples = 4000 if quick else 20000
    rows = _rows(names, times, samples)
    text = table(
        f"engine: MLP, {samples} x 32, median epoch (of 5 after the first, then of fresh processes); ratios are "
        "speed relative to the peer at the same steps_per_execution",
        ["what", "epoch s", "samples/s", "vs tf-keras", "vs Keras 3", "vs raw loop"],
        rows,
    )
    verdicts = [
        _verdict("legacy vs tf-keras (spe=1)", times, ["tf_keras"], "legacy", GOAL_LEGACY),
        _verdict("v3 vs best peer (spe=1)", times, ["tf_keras", "keras3"], "v3", GOAL_V3),
        _verdict(
            "v3 vs best peer (spe=32)",
            times,
            ["tf_keras-spe32", "keras3-spe32"],
            "v3-spe32",
            GOAL_V3,
        ),
        _verdict("v3 vs raw loop (spe=32)", times, ["raw-spe32"], "v3-spe32", GOAL_RAW),
    ]
    lstm_text, lstm_data = _lstm(quick)

    def ratio(numerator, denominator):
        if not all(n in times for n in (*numerator, denominator)):
            return None
        return min(times[n] for n in numerator) / times[denominator]

    return text + "\n" + "\n".join(verdicts) + "\n\n" + lstm_text, {
        "epoch_s": times,
        "legacy_vs_tf_keras": ratio(["tf_keras"], "legacy"),
        "v3_vs_best_peer_spe1": ratio(["tf_keras", "keras3"], "v3"),
        "v3_vs_best_peer_spe32": ratio(["tf_keras-spe32", "keras3-spe32"], "v3-spe32"),
        "v3_vs_raw_spe32": ratio(["raw-spe32"], "v3-spe32"),
        "lstm": lstm_data,
    }


def _lstm(quick):
    """The second shape: LSTM(64) over sequences of 20 steps, at spe=1 and 32."""
    names = {
        "lstm-raw": "raw tf.function loop",
        "lstm-tf_keras": "tf-keras fit",
        "lstm-keras3": "Keras 3 fit",
        "lstm-legacy": "compatkeras legacy fit",
        "lstm-v3": "compatkeras v3 fit",
        "lstm-tf_keras-spe32": "tf-keras fit, spe=32",
        "lstm-keras3-spe32": "Keras 3 fit, spe=32",
        "lstm-v3-spe32": "compatkeras v3 fit, spe=32",
    }
    if quick:
        names = {n: label for n, label in names.items() if n not in FULL_ONLY}
    times = interleaved_epoch_times(list(names), repeats=1 if quick else 3, quick=quick)
    samples = 1000 if quick else 4000
    rows = _rows(names, times, samples, prefix="lstm-")
    text = table(
        f"engine: LSTM(64), {samples} sequences of 20 x 8, batch 32, median epoch",
        ["what", "epoch s", "samples/s", "vs tf-keras", "vs Keras 3", "vs raw loop"],
        rows,
    )
    verdicts = [
        _verdict("legacy vs tf-keras", times, ["lstm-tf_keras"], "lstm-legacy", GOAL_LEGACY),
        _verdict("v3 vs best peer", times, ["lstm-tf_keras", "lstm-keras3"], "lstm-v3", GOAL_V3),
        _verdict(
            "v3 vs best peer (spe=32)",
            times,
            ["lstm-tf_keras-spe32", "lstm-keras3-spe32"],
            "lstm-v3-spe32",
            GOAL_V3,
        ),
    ]
    return text + "\n" + "\n".join(verdicts), {"epoch_s": times}
