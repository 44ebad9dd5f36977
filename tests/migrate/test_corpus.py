"""The rewriter on realistic Keras 2 programs (tests/migrate/corpus/): each runs as written on the
drop-in (Keras 2), and once migrated it runs on stock Keras 3 or stops at a line that the
migration report names as an ERROR. A crash at a line the report is silent about is the failure
this test exists for.

Two subprocesses for the whole module (one per side); `corpus_run.py` runs the programs one after
another in each and reports where each one stopped.
"""

import difflib
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from compatkeras.migrate import cli

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
PROGRAMS = sorted(
    name[:-3] if name.endswith(".py") else name
    for name in os.listdir(CORPUS)
    if name.endswith(".py") or os.path.isdir(os.path.join(CORPUS, name))
)
# tf.keras 2.x programs run on the drop-in's "tf.keras" flavor, the rest on "keras-2.2".
TF_KERAS = {"tf_keras_session"}
# Written for TensorFlow 1 and NumPy < 1.24 (as Keras 2 programs were): the original runs with
# those names put back (`corpus_run._old_stack`); the migrated one on today's TensorFlow and NumPy.
OLD_STACK = {"tf1_focal_loss"}
# Crashes on Keras 3 at a line the report does not name, with the reason (strict: the day one
# runs, this list must shrink).
KNOWN = {}

KNOWN_V3 = dict(KNOWN)


def _run(folder, names, dropin):
    command = [sys.executable, *(["-m", "compatkeras"] if dropin else [])]
    command += [os.path.join(HERE, "corpus_run.py"), folder, *names]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)
    results = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            results[record["name"]] = record
    assert len(results) == len(names), proc.stderr[-3000:]
    return results


@pytest.fixture(scope="module")
def keras2():
    names = [
        f"{n}:{'tf.keras' if n in TF_KERAS else 'keras-2.2'}{':old' if n in OLD_STACK else ''}"
        for n in PROGRAMS
    ]
    return _run(CORPUS, names, dropin=True)


def _migrate(tmp_path_factory, target):
    out = str(tmp_path_factory.mktemp("corpus") / "migrated")
    report = str(tmp_path_factory.mktemp("report") / "report.json")
    code = cli.main(
        ["--intree", CORPUS, "--outtree", out, "-j1", "--report-format", "json"]
        + ["--reportfile", report, "--target", target]
    )
    assert code in (1, 4), code  # files changed; ERROR findings remain
    with open(report) as f:
        findings = json.load(f)
    return out, findings, _run(out, PROGRAMS, dropin=False)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """Migrated for stock Keras 3 (the default target), run on it."""
    return _migrate(tmp_path_factory, "keras")


@pytest.fixture(scope="module")
def migrated_v3(tmp_path_factory):
    """Migrated with `--target compatkeras`, run on compatkeras.v3."""
    return _migrate(tmp_path_factory, "compatkeras")


def test_the_corpus_is_large_enough():
    assert len(PROGRAMS) >= 15


@pytest.mark.parametrize("name", PROGRAMS)
def test_runs_as_keras_2(keras2, name):
    assert keras2[name]["ok"], keras2[name]


def _original_line(name, file, new_line, out):
    """The line of the original file that line `new_line` of the migrated one came from."""
    with open(os.path.join(CORPUS, file)) as f:
        old = f.read().splitlines()
    with open(os.path.join(out, file)) as f:
        new = f.read().splitlines()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for _, a0, a1, b0, b1 in matcher.get_opcodes():
        if b0 < new_line <= b1:
            return a0 + min(new_line - b0, max(a1 - a0, 1))
    return new_line


def _runs_or_stops_at_a_reported_error(migrated, name, known):
    out, findings, results = migrated
    result = results[name]
    if name in known:
        if result["ok"]:
            pytest.fail(f"{name} runs now: remove it from the known list")
        pytest.xfail(known[name])
    if result["ok"]:
        return
    assert result["file"] is not None, result
    line = _original_line(name, result["file"], result["line"], out)
    path = os.path.join(CORPUS, result["file"])
    errors = {f["line"] for f in findings if f["level"] == "ERROR" and f["path"] == path}
    assert line in errors, (result, sorted(errors))


@pytest.mark.parametrize("name", PROGRAMS)
def test_migrated_runs_on_keras_3_or_stops_at_a_reported_error(migrated, name):
    _runs_or_stops_at_a_reported_error(migrated, name, KNOWN)


@pytest.mark.parametrize("name", PROGRAMS)
def test_migrated_for_compatkeras_runs_on_v3_or_stops_at_a_reported_error(migrated_v3, name):
    _runs_or_stops_at_a_reported_error(migrated_v3, name, KNOWN_V3)


def test_counts(migrated, migrated_v3):
    """What the closing notes quote: how many run on each target."""
    running = sorted(n for n, r in migrated[2].items() if r["ok"])
    assert len(running) >= 13, running
    running_v3 = sorted(n for n, r in migrated_v3[2].items() if r["ok"])
    print(f"runs on Keras 3: {len(running)}/{len(PROGRAMS)}; on compatkeras.v3: {len(running_v3)}")
    assert len(running_v3) >= len(running), (running, running_v3)


# Programs whose numbers differ: (the rule the report warns with at the line, or None; the reason).
# Strict: the day one matches, remove it.
_RNN = "Keras 2.2's RNN defaults differ from Keras 3's"
DIFFERENT_NUMBERS = {
    "attention_layer": ("KRS079", f"{_RNN}: GRU reset_after=False, bias (24,) vs (2, 24)"),
    "stateful_lstm": ("KRS079", f"{_RNN}: LSTM recurrent_activation hard_sigmoid vs sigmoid"),
    "text_generation": ("KRS079", f"{_RNN}: LSTM recurrent_activation hard_sigmoid vs sigmoid"),
    "custom_loss_metrics": (
        "KRS025",
        "a metric function returning one number per batch (r2_score): Keras 2 weights the "
        "batches by their size, Keras 3 averages them equally",
    ),
    "dcgan": (
        "KRS017",
        "Keras 2 trains the discriminator through its own compile after it is frozen for the "
        "combined model; Keras 3 freezes it for its own train_on_batch too (the ERROR says how "
        "to keep training it)",
    ),
    "augmented_cnn": (
        None,
        "ImageDataGenerator's batch shuffle and random shifts/flips draw from np.random as "
        "batches are read; the drop-in's enqueuer and Keras 3's PyDataset adapter consume the "
        "draws in a different order (without augmentation and flow shuffling the numbers are "
        "identical: checked by hand)",
    ),
    "two_input_generator": (
        None,
        "the training and validation generators draw from np.random within one fit; Keras 2's "
        "enqueuer reads the training one ahead into the next epoch first, Keras 3 does not",
    ),
}


def _close(before, after, where):
    if isinstance(before, dict):
        assert isinstance(after, dict) and sorted(after) == sorted(before), (where, before, after)
        for key in before:
            _close(before[key], after[key], f"{where}.{key}")
    elif isinstance(before, list):
        assert isinstance(after, list) and len(after) == len(before), (where, before, after)
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            _close(b, a, f"{where}[{i}]")
    elif isinstance(before, float):
        np.testing.assert_allclose(after, before, rtol=2e-3, atol=1e-4, err_msg=where)
    else:
        assert after == before, (where, before, after)


@pytest.mark.parametrize("name", PROGRAMS)
def test_migrated_computes_what_the_original_computed(keras2, migrated, name):
    """The property the rewriter promises: the same weights and data through the original on
    the drop-in and the rewrite on Keras 3 give the same histories, losses and predictions
    (`corpus_record`: weights from one seed, no dropout, no shuffling)."""
    before, after = keras2[name], migrated[2][name]
    if not (before["ok"] and after["ok"]):
        pytest.skip(f"{name} does not run on both sides (the tests above say why)")
    if name in DIFFERENT_NUMBERS:
        rule, reason = DIFFERENT_NUMBERS[name]
        with pytest.raises(AssertionError):
            _close(before["numbers"], after["numbers"], name)
        if rule is not None:
            program = os.path.join(CORPUS, name)
            rules = {f["rule"] for f in migrated[1] if f["path"].startswith(program)}
            assert rule in rules, (name, sorted(rules))
        pytest.xfail(reason)
    assert before["numbers"], f"{name} trained or predicted nothing that was recorded"
    _close(before["numbers"], after["numbers"], name)
