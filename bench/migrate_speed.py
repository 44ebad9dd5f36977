"""Rewriter speed: tools/migrate.py vs tf_upgrade_v2 vs libcst parse-only on one generated corpus."""

import os
import shutil
import sys
import tempfile

from common import ROOT, interleaved_medians, python, table

GOAL_LINES_PER_S = 10000  # the rewriter issue (#28)

KERAS2_FILE = '''"""Generated Keras 2 training script {n}."""
import numpy as np
import keras
from keras import backend as K
from keras.models import Sequential
from keras.layers import Dense, Dropout, LSTM
from keras.optimizers import Adam, SGD
from keras.callbacks import EarlyStopping, ModelCheckpoint
from keras.utils import np_utils


def weighted_error_{n}(y_true, y_pred):
    # a custom loss written with the backend
    return K.mean(K.square(y_pred - y_true), axis=-1) + 0.01 * K.sum(K.abs(y_pred))


def build_{n}(units={n}):
    model = Sequential()
    model.add(LSTM(units, input_shape=(20, 8)))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(Adam(lr=0.001, decay=1e-6), weighted_error_{n}, ["acc"])
    return model


def train_{n}(model, train_gen, val_gen, labels):
    targets = np_utils.to_categorical(labels, 2)
    history = model.fit_generator(train_gen, 100, 10,
                                  validation_data=val_gen, validation_steps=10,
                                  callbacks=[EarlyStopping(monitor="val_acc"),
                                             ModelCheckpoint("best_{n}.h5", save_weights_only=True)],
                                  workers=4, use_multiprocessing=True)
    score = model.evaluate_generator(val_gen, 10, workers=4)
    scores = dict(zip(model.metrics_names, model.evaluate(targets, targets, verbose=0)))
    predictions = model.predict_generator(val_gen, steps=10)
    opt = SGD(lr=0.01, momentum=0.9, nesterov=True)
    return history, score, scores, predictions, opt
'''

PLAIN_FILE = '''"""Generated plain Python module {n}."""
import collections
import json


class Record{n}:
    def __init__(self, key, values):
        self.key = key
        self.values = list(values)

    def total(self):
        return sum(v * {n} for v in self.values)


def group_{n}(records):
    groups = collections.defaultdict(list)
    for record in records:
        groups[record.key].append(record.total())
    return json.dumps(groups, sort_keys=True)
'''


def make_corpus(folder, target_lines):
    lines, n = 0, 0
    while lines < target_lines:
        template = KERAS2_FILE if n % 3 else PLAIN_FILE
        text = template.format(n=n)
        with open(os.path.join(folder, f"module_{n}.py"), "w") as f:
            f.write(text)
        lines += text.count("\n")
        n += 1
    return lines, n


PARSE_ONLY = (
    "import os, sys, libcst\n"
    "for name in sorted(os.listdir(sys.argv[1])):\n"
    "    with open(os.path.join(sys.argv[1], name), 'rb') as f:\n"
    "        libcst.parse_module(f.read())\n"
)


def run(quick):
    work = tempfile.mkdtemp(prefix="bench-migrate-")
    try:
        corpus = os.path.join(work, "corpus")
        os.makedirs(corpus)
        lines, files = make_corpus(corpus, 5000 if quick else 60000)
        tf_upgrade = shutil.which("tf_upgrade_v2") or os.path.join(
            os.path.dirname(sys.executable), "tf_upgrade_v2"
        )
        out = os.path.join(work, "out")
        commands = {
            "migrate.py --check -j1": [
                python(),
                os.path.join(ROOT, "tools", "migrate.py"),
                "--check",
                "-j1",
                corpus,
            ],
            "migrate.py --check -j2": [
                python(),
                os.path.join(ROOT, "tools", "migrate.py"),
                "--check",
                "-j2",
                corpus,
            ],
            "libcst parse only": [python(), "-c", PARSE_ONLY, corpus],
            "migrate.py --help": [python(), os.path.join(ROOT, "tools", "migrate.py"), "--help"],
        }
        if os.path.exists(tf_upgrade):
            # tf_upgrade_v2 refuses an existing output tree: remove it before each run.
            commands["tf_upgrade_v2 --intree"] = [
                "bash",
                "-c",
                f'rm -rf "{out}" && "{tf_upgrade}" --intree "{corpus}" --outtree "{out}" --reportfile "{work}/report.txt"',
            ]
        medians = interleaved_medians(commands, repeats=1 if quick else 3, warmup=0 if quick else 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    speed = {name: lines / t for name, t in medians.items() if name != "migrate.py --help"}
    ours = speed["migrate.py --check -j2"]
    rows = [
        [name, f"{medians[name]:.2f}", f"{s:,.0f}", f"{ours / s:.2f}x"] for name, s in speed.items()
    ]
    text = table(
        f"migrate: {lines:,} lines in {files} files",
        ["what", "s", "lines/s", "migrate.py -j2 vs it"],
        rows,
    )
    notes = [
        f"start-up of migrate.py --help: {medians['migrate.py --help']:.2f} s (goal < 0.5 s)",
        f"goal >= {GOAL_LINES_PER_S:,} lines/s with -j2: {'met' if ours >= GOAL_LINES_PER_S else 'NOT met'} ({ours:,.0f})",
    ]
    if "tf_upgrade_v2 --intree" in speed:
        ratio = ours / speed["tf_upgrade_v2 --intree"]
        notes.append(
            f"goal -j2 >= 1.0x tf_upgrade_v2: {'met' if ratio >= 1 else 'NOT met'} ({ratio:.2f}x)"
        )
    return text + "\n" + "\n".join(notes), {
        "lines": lines,
        "median_s": medians,
        "lines_per_s": speed,
    }
