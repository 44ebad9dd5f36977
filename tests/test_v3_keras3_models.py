"""Keras 3 models on the engine (`compatkeras.v3.keras3_training.Keras3Training`), each program
kind against stock Keras 3: the same classes, seeds, initial weights and data trained once by
Keras 3's own `TensorFlowTrainer` and once by the mixin, at one and four steps per execution.
Histories, evaluations, predictions and final weights agree to 1e-6.

Stock Keras 3 is the oracle and runs in this process: both sides are the same Keras 3 objects,
only the training methods differ."""

import os
import tempfile

import keras
import numpy as np
import pytest
from keras import layers, ops

from compatkeras.v3.keras3_training import Keras3Training

RTOL = 1e-6


class _Counter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.ends = []

    def on_train_batch_end(self, batch, logs=None):
        self.ends.append(batch)


def _ours(cls):
    """`cls` trained by the mixin: the same class with `Keras3Training` in front."""
    return type(cls.__name__, (Keras3Training, cls), {})


def _rand(*shape, seed=0):
    return np.random.RandomState(seed).rand(*shape).astype("float32")


# -- the program kinds: each builds its model from the given base classes ---------------------


def convnet(model_cls, seq_cls, spe=1):
    m = seq_cls(
        [
            keras.Input((8, 8, 1)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(3, activation="softmax"),
        ]
    )
    m.compile(
        "adam", "sparse_categorical_crossentropy", metrics=["accuracy"], steps_per_execution=spe
    )
    x, y = _rand(48, 8, 8, 1), np.arange(48) % 3
    return m, (x, y), {"batch_size": 8}


def multi_input(model_cls, seq_cls, spe=1):
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    h = layers.Concatenate()([layers.Dense(4)(a), b])
    out1 = layers.Dense(1, name="reg")(h)
    out2 = layers.Dense(2, activation="softmax", name="cls")(h)
    m = model_cls([a, b], [out1, out2])
    m.compile(
        keras.optimizers.RMSprop(0.01),
        loss=["mse", "sparse_categorical_crossentropy"],
        loss_weights=[1.0, 0.5],
        metrics=[["mae"], ["accuracy"]],
        steps_per_execution=spe,
    )
    x = {"a": _rand(40, 3), "b": _rand(40, 2, seed=1)}
    y = (x["a"].sum(1, keepdims=True), np.arange(40) % 2)
    return m, (x, y), {"batch_size": 5}


class _Sampling(layers.Layer):
    def call(self, inputs):
        mean, log_var = inputs
        eps = keras.random.normal(ops.shape(mean), seed=self.seed)
        return mean + ops.exp(0.5 * log_var) * eps

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed = keras.random.SeedGenerator(3)


def vae(model_cls, seq_cls, spe=1):
    class VAE(model_cls):
        def __init__(self, **kwargs):
            inputs = keras.Input((6,))
            h = layers.Dense(4, activation="relu")(inputs)
            mean, log_var = layers.Dense(2)(h), layers.Dense(2)(h)
            z = _Sampling()([mean, log_var])
            self.encoder = keras.Model(inputs, [mean, log_var, z])
            self.decoder = keras.Sequential([keras.Input((2,)), layers.Dense(6)])
            super().__init__(**kwargs)
            self.total = keras.metrics.Mean(name="total_loss")

        @property
        def metrics(self):
            return [self.total]

        def train_step(self, data):
            import tensorflow as tf

            with tf.GradientTape() as tape:
                mean, log_var, z = self.encoder(data)
                recon = ops.mean(ops.square(data - self.decoder(z)))
                kl = -0.5 * ops.mean(1 + log_var - ops.square(mean) - ops.exp(log_var))
                loss = recon + kl
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights, strict=True))
            self.total.update_state(loss)
            return {"total_loss": self.total.result()}

    m = VAE()
    m.compile(keras.optimizers.Adam(0.01), steps_per_execution=spe)
    return m, (_rand(32, 6), None), {"batch_size": 4}


def gan(model_cls, seq_cls, spe=1):
    class GAN(model_cls):
        def __init__(self):
            super().__init__()
            self.gen = keras.Sequential([keras.Input((2,)), layers.Dense(4)])
            self.disc = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
            self.seeds = keras.random.SeedGenerator(7)
            self.d_loss = keras.metrics.Mean(name="d_loss")
            self.g_loss = keras.metrics.Mean(name="g_loss")

        @property
        def metrics(self):
            return [self.d_loss, self.g_loss]

        def compile(self, d_opt, g_opt, **kwargs):
            super().compile(**kwargs)
            self.d_opt, self.g_opt = d_opt, g_opt
            self.bce = keras.losses.BinaryCrossentropy(from_logits=True)

        def train_step(self, real):
            import tensorflow as tf

            n = ops.shape(real)[0]
            noise = keras.random.normal((n, 2), seed=self.seeds)
            with tf.GradientTape() as tape:
                fake = self.gen(noise)
                d_loss = self.bce(ops.ones((n, 1)), self.disc(real)) + self.bce(
                    ops.zeros((n, 1)), self.disc(fake)
                )
            grads = tape.gradient(d_loss, self.disc.trainable_weights)
            self.d_opt.apply_gradients(zip(grads, self.disc.trainable_weights, strict=True))
            with tf.GradientTape() as tape:
                g_loss = self.bce(ops.ones((n, 1)), self.disc(self.gen(noise)))
            grads = tape.gradient(g_loss, self.gen.trainable_weights)
            self.g_opt.apply_gradients(zip(grads, self.gen.trainable_weights, strict=True))
            self.d_loss.update_state(d_loss)
            self.g_loss.update_state(g_loss)
            return {m.name: m.result() for m in self.metrics}

    m = GAN()
    m.compile(keras.optimizers.Adam(0.01), keras.optimizers.Adam(0.01), steps_per_execution=spe)
    return m, (_rand(24, 4), None), {"batch_size": 6}


def distillation(model_cls, seq_cls, spe=1):
    """Knowledge distillation through a `compute_loss` override (keras-io's example)."""
    teacher = keras.Sequential([keras.Input((5,)), layers.Dense(3)])

    class Distiller(model_cls):
        def __init__(self):
            super().__init__()
            self.student = keras.Sequential([keras.Input((5,)), layers.Dense(3)])
            self.teacher = teacher

        def call(self, x):
            return self.student(x)

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            hard = keras.losses.sparse_categorical_crossentropy(y, y_pred, from_logits=True)
            soft = keras.losses.kl_divergence(
                ops.softmax(self.teacher(x) / 2.0), ops.softmax(y_pred / 2.0)
            )
            return ops.mean(0.3 * hard + 0.7 * soft)

    m = Distiller()
    m.compile(
        keras.optimizers.Adam(0.01),
        metrics=["sparse_categorical_accuracy"],
        steps_per_execution=spe,
    )
    return m, (_rand(30, 5), np.arange(30) % 3), {"batch_size": 5}


def wrapper_with_test_step(model_cls, seq_cls, spe=1):
    """A trainer wrapper whose `test_step` reports its own metric (keras-io's style)."""

    class Wrapper(model_cls):
        def __init__(self):
            super().__init__()
            self.net = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
            self.err = keras.metrics.MeanAbsoluteError(name="err")

        def call(self, x):
            return self.net(x)

        def test_step(self, data):
            x, y = data
            self.err.update_state(y, self(x, training=False))
            return {"err": self.err.result()}

    m = Wrapper()
    m.compile("sgd", "mse", steps_per_execution=spe)
    x = _rand(20, 3)
    return m, (x, x.sum(1, keepdims=True)), {"batch_size": 4, "validation_split": 0.2}


class _Endpoint(layers.Layer):
    """An endpoint layer that adds its own loss (`add_loss`) and returns its predictions."""

    def call(self, targets, logits):
        self.add_loss(ops.mean(keras.losses.binary_crossentropy(targets, logits, True)))
        return ops.sigmoid(logits)


def endpoint(model_cls, seq_cls, spe=1):
    inputs, targets = keras.Input((4,), name="inputs"), keras.Input((1,), name="targets")
    preds = _Endpoint()(targets, layers.Dense(1)(inputs))
    m = model_cls([inputs, targets], preds)
    m.compile(keras.optimizers.Adam(0.02), steps_per_execution=spe)
    x = {"inputs": _rand(24, 4), "targets": (np.arange(24) % 2).reshape(-1, 1).astype("float32")}
    return m, (x, None), {"batch_size": 6}


def ops_layers(model_cls, seq_cls, spe=1):
    """A custom layer on `keras.ops` with its own weights, and `keras.random` dropout."""

    class Scale(layers.Layer):
        def build(self, shape):
            self.w = self.add_weight(shape=(shape[-1],), initializer="ones")

        def call(self, x, training=None):
            y = ops.tanh(x * self.w)
            if training:
                y = keras.random.dropout(y, 0.25, seed=11)
            return y

    m = seq_cls([keras.Input((5,)), Scale(), layers.Dense(2)])
    m.compile("adam", "mse", metrics=["mse"], steps_per_execution=spe)
    return m, (_rand(30, 5), _rand(30, 2, seed=2)), {"batch_size": 10}


def text_vectorization(model_cls, seq_cls, spe=1):
    words = np.array(["a b c", "b c d", "c d e", "d e a", "e a b", "a c e"] * 4)
    vectorize = layers.TextVectorization(max_tokens=10, output_sequence_length=3)
    vectorize.adapt(words)
    ids = vectorize(words).numpy()
    m = seq_cls(
        [
            keras.Input((3,)),
            layers.Embedding(10, 4),
            layers.GlobalAveragePooling1D(),
            layers.Dense(1),
        ]
    )
    m.compile("adam", "mse", steps_per_execution=spe)
    return m, (ids, (np.arange(len(ids)) % 2).astype("float32")), {"batch_size": 6}


KINDS = [
    convnet,
    multi_input,
    vae,
    gan,
    distillation,
    wrapper_with_test_step,
    endpoint,
    ops_layers,
    text_vectorization,
]


def _train(kind, ours, spe):
    model_cls, seq_cls = (
        (_ours(keras.Model), _ours(keras.Sequential)) if ours else (keras.Model, keras.Sequential)
    )
    keras.utils.set_random_seed(1)
    model, (x, y), kwargs = kind(model_cls, seq_cls, spe)
    counter = _Counter()
    history = model.fit(x, y, epochs=2, verbose=0, shuffle=False, callbacks=[counter], **kwargs)
    result = {"history": history.history, "weights": model.get_weights(), "ends": counter.ends}
    if kind not in (vae, gan, endpoint):
        result["evaluate"] = model.evaluate(x, y, verbose=0, return_dict=True)
        result["predict"] = model.predict(x, verbose=0)
    return result


def _close(a, b):
    np.testing.assert_equal(type(a), type(b))
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _close(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for u, v in zip(a, b, strict=True):
            _close(u, v)
    else:
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-7)


@pytest.mark.parametrize("spe", [1, 4])
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_program_kind_matches_keras3(kind, spe):
    stock, ours = _train(kind, False, spe), _train(kind, True, spe)
    # One end per execution at Keras 3's index, begin + spe - 1 (also on a short last one).
    assert stock.pop("ends") == ours.pop("ends")
    _close(stock, ours)


def test_keras_checkpoint_round_trip():
    """`ModelCheckpoint` writes a `.keras` file while the mixin trains; loaded back (as the same
    class) it predicts the same and trains on."""
    model, (x, y), kwargs = convnet(_ours(keras.Model), _ours(keras.Sequential))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.keras")
        model.fit(
            x, y, epochs=2, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint(path)], **kwargs
        )
        loaded = keras.saving.load_model(path, custom_objects={"Sequential": type(model)})
    assert type(loaded) is type(model)
    np.testing.assert_allclose(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    history = loaded.fit(x, y, epochs=1, verbose=0, **kwargs).history
    assert np.isfinite(history["loss"][0])


def test_compile_checks_steps_per_execution_and_jit_compile():
    model, _, _ = convnet(_ours(keras.Model), _ours(keras.Sequential))
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="steps_per_execution"):
            model.compile("adam", "mse", steps_per_execution=bad)
    with pytest.raises(ValueError, match="jit_compile"):
        model.compile("adam", "mse", jit_compile="xla")


def test_train_on_batch_and_predict_on_batch_match_keras3():
    results = []
    for ours in (False, True):
        keras.utils.set_random_seed(1)
        model, (x, y), _ = multi_input(
            *(
                (_ours(keras.Model), _ours(keras.Sequential))
                if ours
                else (keras.Model, keras.Sequential)
            )
        )
        logs = [model.train_on_batch(x, y) for _ in range(3)]
        logs.append(model.test_on_batch(x, y, return_dict=True))
        results.append((logs, model.predict_on_batch(x)))
    _close(results[0], results[1])


def _both(fn):
    """`fn(model_cls, seq_cls)` on stock Keras 3 and on the mixin, from the same seed."""
    results = []
    for ours in (False, True):
        keras.utils.set_random_seed(1)
        classes = (
            (_ours(keras.Model), _ours(keras.Sequential))
            if ours
            else (keras.Model, keras.Sequential)
        )
        results.append(fn(*classes))
    return results


def test_passes_stopped_early_start_again_at_the_first_batch():
    """Arrays in a fixed order are read from one repeated pipeline across epochs (and across
    validation passes). A pass that ends early (a callback stops an evaluation at its second
    batch, a training epoch at its third) leaves that pipeline, so the next pass starts at the
    first batch, as Keras 3's new iterator per pass does: same batches (the running validation
    loss shows which ran), history and weights."""

    def run(model_cls, seq_cls):
        seen = []

        class Stop(keras.callbacks.Callback):
            def on_test_batch_end(self, batch, logs=None):
                seen.append(float(logs["loss"]))
                if batch == 1 and len(self.model.history.epoch) == 0:
                    self.model.stop_evaluating = True

            def on_train_batch_end(self, batch, logs=None):
                if batch == 2 and self.params.get("epochs") == 3:
                    self.model.stop_training = True

        x, y = _rand(96, 4), _rand(96, 1, seed=1)
        model = seq_cls([keras.Input((4,)), layers.Dense(3, activation="relu"), layers.Dense(1)])
        model.compile("sgd", "mse", steps_per_execution=2)
        first = model.fit(
            x, y, batch_size=16, epochs=4, shuffle=False, validation_data=(x[:64], y[:64]),
            validation_batch_size=16, callbacks=[Stop()], verbose=0,
        )  # fmt: skip
        second = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, callbacks=[Stop()])
        return first.history, second.history, model.get_weights(), seen

    stock, ours = _both(run)
    assert len(ours[3]) == 1 + 2 * 3  # one execution, then three whole passes of two
    _close(stock, ours)


def test_the_step_is_traced_as_often_as_keras3_traces_it():
    def run(model_cls, seq_cls):
        traces = []

        class Counting(model_cls):
            def train_step(self, data):
                traces.append(1)
                return model_cls.train_step(self, data)

        inputs = keras.Input((4,))
        model = Counting(inputs, layers.Dense(1)(inputs))
        model.compile("adam", "mse", steps_per_execution=20)
        model.fit(np.ones((100, 4)), np.ones((100, 1)), batch_size=1, verbose=0)
        return len(traces)

    stock, ours = _both(run)
    assert ours <= stock <= 2


def test_steps_are_grouped_only_when_no_callback_watches_single_batches():
    """At steps_per_execution 1 the engine runs several steps per call when nothing can see
    single batches (verbose=0, no batch hooks): Keras 3's numbers, fewer calls."""
    from compatkeras.v3.keras3_runner import runner_of as _runner

    def trained(callbacks, verbose=0):
        keras.utils.set_random_seed(0)
        inputs = keras.Input((4,))
        model = _ours(keras.Model)(inputs, layers.Dense(1)(inputs))
        model.compile("sgd", "mse")
        history = model.fit(
            _rand(64, 4), _rand(64, 1, seed=1), batch_size=4, shuffle=False, epochs=2,
            verbose=verbose, callbacks=callbacks,
        )  # fmt: skip
        executions = _runner(model)._steps._executions[True]
        counts = {n: executions[n].experimental_get_tracing_count() for n in ("next", "iterator")}
        return history.history["loss"], counts, int(model.optimizer.iterations.numpy())

    grouped, grouped_calls, grouped_steps = trained([keras.callbacks.History()])
    watched, watched_calls, watched_steps = trained([_Counter()])
    shown, shown_calls, _ = trained([], verbose=2)
    assert grouped_calls["iterator"] >= 1 and grouped_calls["next"] == 0
    assert watched_calls == {"next": 1, "iterator": 0} and shown_calls["iterator"] == 0
    assert grouped_steps == watched_steps == 32
    np.testing.assert_allclose(grouped, watched, rtol=RTOL)


def test_ragged_predictions_and_missing_optional_inputs_as_in_keras3():
    import tensorflow as tf

    def run(model_cls, seq_cls):
        class Ragged(model_cls):
            def call(self, x):
                return tf.RaggedTensor.from_row_lengths(tf.reshape(x, [-1]), [1, 2, 3, 2])

        model = Ragged()
        model.compile("sgd", "mse")
        ragged = model.predict(np.ones((4, 2), "float32"), batch_size=4, verbose=0)

        x, o = keras.Input((2,), name="x"), keras.Input((2,), name="o", optional=True)
        out = layers.Dense(2)(x)
        optional = model_cls({"x": x, "o": o}, layers.Lambda(lambda t: t)(out))
        optional.compile("adam", "mse")

        def data(with_y=True):
            for _ in range(4):
                yield ({"x": np.ones((2, 2)), "o": None},) + ((np.ones((2, 2)),) if with_y else ())

        optional.fit(data(), verbose=0)
        return type(ragged), optional.predict(data(False), verbose=0)

    stock, ours = _both(run)
    assert ours[0] is stock[0] is tf.RaggedTensor
    _close(stock[1], ours[1])


def test_backup_and_restore_resumes_at_the_interrupted_epoch():
    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("interrupted")

    def run(model_cls, seq_cls):
        model, (x, y), kwargs = ops_layers(model_cls, seq_cls)
        with tempfile.TemporaryDirectory() as tmp:
            backup = keras.callbacks.BackupAndRestore(tmp)
            with pytest.raises(RuntimeError, match="interrupted"):
                model.fit(x, y, epochs=4, verbose=0, callbacks=[backup, Interrupt()], **kwargs)
            history = model.fit(x, y, epochs=4, verbose=0, callbacks=[backup], **kwargs)
        return history.epoch, history.history, model.get_weights()

    stock, ours = _both(run)
    assert ours[0] == stock[0] == [2, 3]
    _close(stock, ours)


def test_model_classes_for_the_keras3_surface():
    """`keras3_models.Model(inputs, outputs)` is functional without rewriting any class; a
    subclass stays subclassed; `.keras` files, ours or stock Keras 3's, load into these classes,
    compiled, with the same predictions."""
    from keras.src.models.functional import Functional

    from compatkeras.v3 import keras3_models as km

    bases = km.Model.__bases__
    inputs = keras.Input((3,))
    functional = km.Model(inputs, layers.Dense(2)(inputs))
    assert isinstance(functional, Functional) and isinstance(functional, Keras3Training)
    assert km.Model.__bases__ == bases

    class Sub(km.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, x):
            return self.dense(x)

    assert not isinstance(Sub(), Functional)

    x = _rand(8, 3)
    stock = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    for model in (functional, stock):
        model.compile("sgd", "mse")
        model.fit(x, _rand(8, 2, seed=1), verbose=0)
    with tempfile.TemporaryDirectory() as tmp:
        loaded = []
        for name, model in (("ours", functional), ("stock", stock)):
            path = os.path.join(tmp, f"{name}.keras")
            model.save(path)
            loaded.append(km.load_model(path))
    assert isinstance(loaded[0], Functional) and isinstance(loaded[0], km.Model)
    assert type(loaded[1]) is km.Sequential
    for model, back in zip((functional, stock), loaded, strict=True):
        assert back.compiled
        np.testing.assert_allclose(model.predict(x, verbose=0), back.predict(x, verbose=0))


class _Items(keras.utils.PyDataset):
    """4 batches of 5 rows; records the items read."""

    def __init__(self, fail_at=None, **kwargs):
        super().__init__(**kwargs)
        self.read, self.fail_at = [], fail_at
        self.x, self.y = _rand(20, 4), _rand(20, 1, seed=3)

    def __len__(self):
        return 4

    def __getitem__(self, i):
        self.read.append(i)
        if i == self.fail_at:
            raise KeyError(f"item {i}")
        return self.x[i * 5 : (i + 1) * 5], self.y[i * 5 : (i + 1) * 5]


def _dense_model(model_cls):
    keras.utils.set_random_seed(1)
    inputs = keras.Input((4,))
    model = model_cls(inputs, layers.Dense(1)(inputs))
    model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    return model


@pytest.mark.parametrize("workers", [1, 2])
def test_pydataset_on_the_engine_reader_matches_keras3_and_reads_each_item_once(workers):
    results, reads = [], []
    for cls in (keras.Model, _ours(keras.Model)):
        data = _Items(workers=workers)
        model = _dense_model(cls)
        history = model.fit(
            data, epochs=2, shuffle=False, verbose=0, validation_data=_Items(workers=workers)
        ).history
        results.append((history, model.evaluate(_Items(), verbose=0), model.predict(_Items())))
        reads.append(sorted(data.read))
    _close(results[0], results[1])
    assert reads[1] == sorted([0, 1, 2, 3] * 2)  # Keras 3 reads items 0 and 1 once more
    assert len(reads[0]) > len(reads[1])


def test_a_generator_is_read_once_across_epochs():
    data = _Items()
    served = []

    def batches():
        for i in range(6):
            served.append(i)
            yield data[i % 4]

    model = _dense_model(_ours(keras.Model))
    history = model.fit(batches(), steps_per_epoch=3, epochs=2, verbose=0).history
    assert served == list(range(6)) and len(history["loss"]) == 2


@pytest.mark.parametrize("fail_at", [0, 2])
@pytest.mark.parametrize("processes", [False, True])
def test_a_worker_error_keeps_its_type_and_leaves_no_worker(fail_at, processes):
    # Item 0 fails while the model is built from the first batch; item 2 while it trains.
    from liveness import nothing_left

    model = _dense_model(_ours(keras.Model))
    data = _Items(fail_at=fail_at, workers=2, use_multiprocessing=processes)
    with pytest.raises(KeyError, match=f"item {fail_at}"):
        model.fit(data, epochs=1, verbose=0)
    assert nothing_left()


def test_sparse_generators_and_sized_pydatasets_as_keras3_reads_them():
    """A generator of scipy.sparse batches (Keras 3 turns them into tf.SparseTensor) and a
    PyDataset that gives only `num_batches` (no `__len__`) train as on stock Keras 3."""
    import scipy.sparse

    rows = [  # in canonical (sorted) order: TensorFlow's sparse ops want sorted indices
        scipy.sparse.random(2, 4, density=0.5, dtype="float32", random_state=i).tocsr().tocoo()
        for i in range(4)
    ]

    class Counted(keras.utils.PyDataset):
        @property
        def num_batches(self):
            return 4

        def __getitem__(self, i):
            return rows[i].toarray(), np.full((2, 1), float(i), "float32")

    results = []
    for cls in (keras.Model, _ours(keras.Model)):
        model = _dense_model(cls)
        sparse = model.fit(((r, np.ones((2, 1), "float32")) for r in rows), verbose=0).history
        sized = model.fit(Counted(), epochs=2, verbose=0).history
        results.append((sparse, sized, model.get_weights()))
    _close(results[0], results[1])


def test_python_inputs_refuse_and_warn_as_keras3_does():
    import warnings

    def outcome(cls, **kwargs):
        model = _dense_model(cls)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                model.fit(**kwargs, verbose=0)
            except ValueError as e:
                return str(e)
        return [str(w.message) for w in caught if "shuffle" in str(w.message)]

    def gen():
        yield _rand(2, 4), _rand(2, 1)

    for kwargs in (
        {"y": np.ones(20)},
        {"x": "generator", "sample_weight": np.ones(2)},
        {"x": "generator", "class_weight": {0: 1.0}},
        {"x": "generator"},
    ):
        results = []
        for cls in (keras.Model, _ours(keras.Model)):
            x = gen() if kwargs.get("x") == "generator" else _Items()
            results.append(outcome(cls, **{**kwargs, "x": x}))
        assert results[0] == results[1] and results[0], kwargs


def test_keras2_worker_arguments_warn_and_are_used():
    """`fit(workers=2)` (Keras 2 usage; Keras 3: TypeError) warns naming the PyDataset's own
    arguments and reads this call's batches on two worker threads; other unknown arguments
    keep Keras 3's TypeError."""
    import threading

    class Threads(_Items):
        def __getitem__(self, i):
            self.read.append(threading.current_thread().name)
            return self.x[i * 5 : (i + 1) * 5], self.y[i * 5 : (i + 1) * 5]

    model = _dense_model(_ours(keras.Model))
    data = Threads()
    with pytest.warns(DeprecationWarning, match="PyDataset"):
        model.fit(data, epochs=1, verbose=0, workers=2)
    assert all(name.startswith("compatkeras-data") for name in data.read), data.read
    for cls in (keras.Model, _ours(keras.Model)):
        with pytest.raises(TypeError, match="unexpected keyword argument 'epoch'"):
            _dense_model(cls).fit(_rand(4, 4), _rand(4, 1), epoch=2, verbose=0)
