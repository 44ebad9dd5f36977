#!/usr/bin/env python3
"""One training workload per process: `python bench/workloads.py NAME` prints
`{"epoch_s": ...}`: the median wall time of the epochs after the first (5 in full mode, 1 in
quick mode), each from the end of the previous epoch to its own end, so that anything a
framework does between epochs counts too (the first epoch warms up tracing). One epoch of the
MLP is about 0.1 s at 32 steps per call: a single timed epoch moved by 20 % between processes.

Data: the MLP of the benchmark issue, 20000 x 32 -> Dense(64, relu) -> Dense(1), batch 32,
and a TimeDistributed variant (as many sequences of 10 steps) for temporal sample weights.
"""

import importlib
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

# Quick mode (`bench/run.py --quick`) shrinks the data to stay within its 3-minute budget.
QUICK = bool(os.environ.get("COMPATKERAS_BENCH_QUICK"))
N = 4000 if QUICK else 20000
FEATURES, BATCH = 32, 32
STEPS = N // BATCH
TIMED_EPOCHS = 1 if QUICK else 5


def _after_first(marks):
    """The median epoch time after the first, from a callback's begin/end marks."""
    ends = marks[1::2]
    return statistics.median([b - a for a, b in zip(ends, ends[1:], strict=False)])


def data():
    rng = np.random.RandomState(0)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    y = (x[:, :1] * 0.5 + rng.normal(size=(N, 1)) * 0.1).astype("float32")
    return x, y


def mlp(keras):
    inp = keras.Input((FEATURES,))
    h = keras.layers.Dense(64, activation="relu")(inp)
    return keras.Model(inp, keras.layers.Dense(1)(h))


def _callback_class(keras, marks):
    class Clock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            marks.append(time.perf_counter())

        def on_epoch_end(self, epoch, logs=None):
            marks.append(time.perf_counter())

    return Clock


def run_fit(keras, compile_kwargs, fit_kwargs, optimizer):
    marks = []
    model = fit_kwargs.pop("model", None) or mlp(keras)
    model.compile(optimizer=optimizer, **compile_kwargs)
    model.fit(
        epochs=1 + TIMED_EPOCHS,
        verbose=0,
        callbacks=[_callback_class(keras, marks)()],
        **fit_kwargs,
    )
    return _after_first(marks)


def legacy(kind):
    import tensorflow as tf

    import compatkeras as keras

    x, y = data()
    opt = keras.optimizers.Adam(0.001)
    if kind == "plain":
        return run_fit(
            keras,
            {"loss": "mse"},
            {
                "x": x[: STEPS * BATCH],
                "y": y[: STEPS * BATCH],
                "batch_size": BATCH,
                "shuffle": False,
            },
            opt,
        )
    if kind == "generator":  # fit_generator from a fast in-memory Sequence, Keras 2 defaults
        marks = []
        model = mlp(keras)
        model.compile(optimizer=opt, loss="mse")

        class Batches(keras.utils.Sequence):
            def __len__(self):
                return STEPS

            def __getitem__(self, i):
                return x[i * BATCH : (i + 1) * BATCH], y[i * BATCH : (i + 1) * BATCH]

        model.fit_generator(
            Batches(),
            epochs=1 + TIMED_EPOCHS,
            shuffle=False,
            verbose=0,
            callbacks=[_callback_class(keras, marks)()],
        )
        return _after_first(marks)
    if kind == "plain-steps":  # the baseline of target_tensors: one fixed batch fed every step
        return run_fit(
            keras, {"loss": "mse"}, {"x": x[:BATCH], "y": y[:BATCH], "steps_per_epoch": STEPS}, opt
        )
    if kind == "target-tensors":
        return run_fit(
            keras,
            {"loss": "mse", "target_tensors": [tf.constant(y[:BATCH])]},
            {"x": x[:BATCH], "steps_per_epoch": STEPS},
            opt,
        )
    # 20000 sequences of 10 steps: 625 batches, as many as the MLP workloads.
    xt = np.repeat(x[:, None, :], 10, axis=1)
    yt = np.repeat(y[:, None, :], 10, axis=1)
    inp = keras.Input((10, FEATURES))
    h = keras.layers.TimeDistributed(keras.layers.Dense(64, activation="relu"))(inp)
    model = keras.Model(inp, keras.layers.TimeDistributed(keras.layers.Dense(1))(h))
    if kind == "sequence-plain":
        return run_fit(
            keras,
            {"loss": "mse"},
            {"model": model, "x": xt, "y": yt, "batch_size": BATCH, "shuffle": False},
            opt,
        )
    if kind == "sequence-temporal":
        lengths = np.random.RandomState(1).randint(3, 11, size=(N, 1))
        weights = (np.arange(10)[None, :] < lengths).astype("float32")  # padded sequences
        return run_fit(
            keras,
            {"loss": "mse", "sample_weight_mode": "temporal"},
            {
                "model": model,
                "x": xt,
                "y": yt,
                "sample_weight": weights,
                "batch_size": BATCH,
                "shuffle": False,
            },
            opt,
        )
    raise SystemExit(f"unknown legacy workload {kind}")


def tf_keras_fit(spe=1):
    import tf_keras

    x, y = data()
    return run_fit(
        tf_keras,
        {"loss": "mse", "steps_per_execution": spe},
        {"x": x, "y": y, "batch_size": BATCH, "shuffle": False},
        tf_keras.optimizers.Adam(0.001),
    )


def keras3_fit(spe=1):
    import keras

    x, y = data()
    return run_fit(
        keras,
        {"loss": "mse", "steps_per_execution": spe},
        {"x": x, "y": y, "batch_size": BATCH, "shuffle": False},
        keras.optimizers.Adam(0.001),
    )


def v3_fit(spe=1):
    import compatkeras.v3 as keras

    x, y = data()
    return run_fit(
        keras,
        {"loss": "mse", "steps_per_execution": spe},
        {"x": x, "y": y, "batch_size": BATCH, "shuffle": False},
        keras.optimizers.Adam(0.001),
    )


def raw_loop_many(spe):
    """The limit at `spe` steps per call: a tf.function running `spe` steps per call on a
    tf.data iterator (no callbacks, no metrics)."""
    import tensorflow as tf
    import tf_keras

    x, y = data()
    model = mlp(tf_keras)
    opt = tf_keras.optimizers.Adam(0.001)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH).prefetch(2)

    @tf.function
    def steps(iterator, count):
        for _ in tf.range(count):
            xb, yb = next(iterator)
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(xb, training=True) - yb))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables, strict=True))

    times = []
    batches = -(-N // BATCH)
    for _ in range(1 + TIMED_EPOCHS):
        start = time.perf_counter()
        iterator = iter(dataset)
        for begin in range(0, batches, spe):
            steps(iterator, tf.constant(min(spe, batches - begin)))
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def raw_loop():
    """The limit: a hand-written tf.function step over a tf.data pipeline."""
    import tf_keras

    return _raw_second_epoch(mlp(tf_keras), *data())


def _raw_second_epoch(model, x, y):
    """Seconds of the second epoch of a hand-written Adam/MSE step over tf.data batches."""
    import tensorflow as tf
    import tf_keras

    opt = tf_keras.optimizers.Adam(0.001)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH).prefetch(2)

    @tf.function
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(xb, training=True) - yb))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    times = []
    for _ in range(1 + TIMED_EPOCHS):
        start = time.perf_counter()
        for xb, yb in dataset:
            step(xb, yb)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


# --- the second shape: LSTM(64) over sequences of 20 steps ----------------------------------------

SEQ_N = 1000 if QUICK else 4000
SEQ_LEN, SEQ_FEATURES = 20, 8


def sequences():
    rng = np.random.RandomState(0)
    x = rng.normal(size=(SEQ_N, SEQ_LEN, SEQ_FEATURES)).astype("float32")
    y = x[:, -1, :1] * 0.5 + x[:, 0, 1:2] * 0.25
    return x, y.astype("float32")


def lstm_model(keras):
    inp = keras.Input((SEQ_LEN, SEQ_FEATURES))
    h = keras.layers.LSTM(64)(inp)
    return keras.Model(inp, keras.layers.Dense(1)(h))


def lstm_fit(framework, spe=1):
    """The LSTM through `fit` of one framework (no shuffle)."""
    modules = {
        "tf_keras": "tf_keras",
        "keras3": "keras",
        "legacy": "compatkeras",
        "v3": "compatkeras.v3",
    }
    keras = importlib.import_module(modules[framework])
    x, y = sequences()
    return run_fit(
        keras,
        {"loss": "mse", **({"steps_per_execution": spe} if spe > 1 else {})},
        {"model": lstm_model(keras), "x": x, "y": y, "batch_size": BATCH, "shuffle": False},
        keras.optimizers.Adam(0.001),
    )


def lstm_raw():
    """The limit for the LSTM: a hand-written tf.function step over tf.data (tf-keras layers)."""
    import tf_keras

    return _raw_second_epoch(lstm_model(tf_keras), *sequences())


# --- data loading with workers: 40 batches, ~14 ms of work each ---------------------------------

WORK_BATCHES = 20 if QUICK else 40


def busy_python():
    """~14 ms of pure-Python (GIL-bound) work on this 2-core VM."""
    total = 0
    for i in range(140000):
        total += i * i % 7
    return total


_SVD_INPUT = np.random.RandomState(0).rand(200, 200).astype("float32")


def busy_numpy():
    """~13 ms of numpy work that releases the GIL (an SVD)."""
    return float(np.linalg.svd(_SVD_INPUT, compute_uv=False)[0])


def make_sequence(base, kind, **init_kwargs):
    work = {"python": busy_python, "numpy": busy_numpy, "none": lambda: 0}[kind]
    rng = np.random.RandomState(0)
    x = rng.normal(size=(WORK_BATCHES * BATCH, FEATURES)).astype("float32")
    y = x[:, :1].copy()

    class Work(base):
        def __init__(self):
            if init_kwargs:
                super().__init__(**init_kwargs)

        def __len__(self):
            return WORK_BATCHES

        def __getitem__(self, i):
            work()
            return x[i * BATCH : (i + 1) * BATCH], y[i * BATCH : (i + 1) * BATCH]

    return Work()


def data_workers(framework, kind, workers, processes):
    marks = []
    if framework in ("compatkeras", "tf_keras"):
        # Keras 2's fit_generator and tf.keras's fit take the same worker arguments.
        keras = importlib.import_module("compatkeras" if framework == "compatkeras" else "tf_keras")
        model = mlp(keras)
        model.compile(keras.optimizers.Adam(0.001), "mse")
        seq = make_sequence(keras.utils.Sequence, kind)
        fit = model.fit_generator if framework == "compatkeras" else model.fit
        fit(
            seq,
            epochs=1 + TIMED_EPOCHS,
            workers=workers,
            use_multiprocessing=processes,
            shuffle=False,
            verbose=0,
            callbacks=[_callback_class(keras, marks)()],
        )
    else:  # Keras 3 and compatkeras.v3: the options are the PyDataset's
        keras = importlib.import_module("keras" if framework == "keras3" else "compatkeras.v3")
        model = mlp(keras)
        model.compile(keras.optimizers.Adam(0.001), "mse")
        ds = make_sequence(
            keras.utils.PyDataset, kind, workers=workers, use_multiprocessing=processes
        )
        model.fit(
            ds,
            epochs=1 + TIMED_EPOCHS,
            shuffle=False,
            verbose=0,
            callbacks=[_callback_class(keras, marks)()],
        )
    return _after_first(marks)


def _pss_mb(pid):
    """Proportional set size of a process in MB (shared pages split between their users, so
    forked workers are not counted twice), from /proc; None when it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found + [g for c in found for g in _children(c)]


def _meter(keras, readings):
    class Meter(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            me = os.getpid()
            readings.append((_pss_mb(me), sum(filter(None, map(_pss_mb, _children(me))))))

    return Meter()


def memory_per_epoch(epochs=20):
    """PSS of this process and of its worker processes at the end of each epoch of
    fit_generator(workers=2, use_multiprocessing=True)."""
    import compatkeras as keras

    readings = []
    model = mlp(keras)
    model.compile(keras.optimizers.Adam(0.001), "mse")
    seq = make_sequence(keras.utils.Sequence, "python")
    model.fit_generator(
        seq,
        epochs=epochs,
        workers=2,
        use_multiprocessing=True,
        shuffle=True,
        verbose=0,
        callbacks=[_meter(keras, readings)],
    )
    return readings


IMAGE_BATCH = (32, 224, 224, 3)  # float32: 19.3 MB, a usual image batch


def memory_images(epochs=20):
    """The same with 19 MB image batches and epochs of 8 steps over a 40-batch Sequence, so
    that every epoch stops inside a pass with workers writing into full pipes (issue 17)."""
    import compatkeras as keras

    class Images(keras.utils.Sequence):
        def __len__(self):
            return 40

        def __getitem__(self, i):
            x = np.random.rand(*IMAGE_BATCH).astype("float32")
            return x, x.mean(axis=(1, 2, 3))[:, None]

    readings = []
    inp = keras.layers.Input(IMAGE_BATCH[1:])
    out = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling2D()(inp))
    model = keras.models.Model(inp, out)
    model.compile("sgd", "mse")
    model.fit_generator(
        Images(),
        steps_per_epoch=8,
        epochs=epochs,
        workers=2,
        use_multiprocessing=True,
        verbose=0,
        callbacks=[_meter(keras, readings)],
    )
    return readings


def data_time(kind):
    """Seconds to produce the batches serially, in this process: the data part of the limit."""
    seq = make_sequence(object, kind)
    start = time.perf_counter()
    for i in range(WORK_BATCHES):
        seq[i]
    return time.perf_counter() - start


WORKLOADS = {
    "raw": raw_loop,
    "tf_keras": tf_keras_fit,
    "keras3": keras3_fit,
    "v3": v3_fit,
    "raw-spe32": lambda: raw_loop_many(32),
    "tf_keras-spe32": lambda: tf_keras_fit(32),
    "keras3-spe32": lambda: keras3_fit(32),
    "v3-spe32": lambda: v3_fit(32),
    "legacy": lambda: legacy("plain"),
    "legacy-steps": lambda: legacy("plain-steps"),
    "legacy-target-tensors": lambda: legacy("target-tensors"),
    "legacy-sequence": lambda: legacy("sequence-plain"),
    "legacy-temporal": lambda: legacy("sequence-temporal"),
}

WORKLOADS["legacy-generator"] = lambda: legacy("generator")
WORKLOADS["lstm-raw"] = lstm_raw
for _framework in ("tf_keras", "keras3", "legacy", "v3"):
    WORKLOADS[f"lstm-{_framework}"] = lambda f=_framework: lstm_fit(f)
for _framework in ("tf_keras", "keras3", "v3"):
    WORKLOADS[f"lstm-{_framework}-spe32"] = lambda f=_framework: lstm_fit(f, 32)

for _framework in ("compatkeras", "tf_keras", "keras3", "v3"):
    for _kind in ("python", "numpy", "none"):
        for _workers, _processes in ((1, False), (2, False), (2, True)):
            _name = f"workers-{_framework}-{_kind}-{_workers}{'p' if _processes else 't'}"
            WORKLOADS[_name] = lambda f=_framework, k=_kind, w=_workers, p=_processes: data_workers(
                f, k, w, p
            )
WORKLOADS["data-python"] = lambda: data_time("python")
WORKLOADS["data-numpy"] = lambda: data_time("numpy")

if __name__ == "__main__":
    if sys.argv[1] in ("memory", "memory-images"):
        measure = memory_per_epoch if sys.argv[1] == "memory" else memory_images
        print(json.dumps({"pss_mb": measure(int(sys.argv[2]) if len(sys.argv) > 2 else 20)}))
    else:
        print(json.dumps({"epoch_s": WORKLOADS[sys.argv[1]]()}))
