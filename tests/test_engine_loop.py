"""The engine's loop, feeds and executions, driven directly (no surface): a `TrainingConfig`
made by hand, `engine.Model` from tf-keras layers, and a hand-written `tf.GradientTape` loop
with the same data and initial weights as the reference."""

import itertools

import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from compatkeras import engine
from compatkeras.engine import config as cfg
from compatkeras.engine.data import ArraySource, Batch
from compatkeras.engine.feeds import DatasetFeed, PythonFeed
from compatkeras.engine.progress import BatchLogs, ProgbarLogger

RNG = np.random.RandomState(0)
X = RNG.rand(10, 3).astype("float32")
Y = RNG.rand(10, 1).astype("float32")


def mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


def linear_model():
    inp = tf_keras.Input((3,))
    out = tf_keras.layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros")(inp)
    return engine.Model(inp, out)


def compiled(spe=1, batch_logs=None, metric=False):
    model = linear_model()
    metrics = (cfg.MetricSpec("mae", lambda t, p: tf.abs(t - p)[..., 0], False),) if metric else ()
    output = cfg.OutputSpec("out", mse, metrics=metrics)
    config = cfg.TrainingConfig(tf_keras.optimizers.legacy.SGD(0.1), (output,))
    model._engine_compile(config, spe, batch_logs)
    return model


def reference(batch_size, epochs, rows=10):
    """SGD(0.1) on the mean squared error, batch by batch over the first `rows` rows, and each
    epoch's size-weighted mean loss."""
    w, b = tf.Variable(tf.ones((3, 1))), tf.Variable(tf.zeros((1,)))
    losses = []
    for _ in range(epochs):
        total = 0.0
        for start in range(0, rows, batch_size):
            xb, yb = X[start : start + batch_size], Y[start : start + batch_size]
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(yb - (xb @ w + b)))
            gw, gb = tape.gradient(loss, [w, b])
            w.assign_sub(0.1 * gw)
            b.assign_sub(0.1 * gb)
            total += float(loss) * len(xb)
        losses.append(total / rows)
    return losses, w.numpy()


def python_batches(batch_size=4):
    for i in range(0, len(X), batch_size):
        yield Batch([X[i : i + batch_size]], [Y[i : i + batch_size]], [None])


def python_feed(batch_size=4, read_ahead=0):
    return PythonFeed(python_batches(batch_size), read_ahead=read_ahead)


def per_epoch(make):
    return lambda: lambda epoch: make()


def one_source_for_all_epochs():
    source = ArraySource([X], [Y], [None])  # unshuffled epochs share one repeated pipeline
    return lambda epoch: source.feed(4)


EPOCH_FEEDS = {
    "arrays in tf.data": per_epoch(lambda: ArraySource([X], [Y], [None]).feed(4)),
    "arrays, one pipeline for all epochs": one_source_for_all_epochs,
    "python batches": per_epoch(python_feed),
    # Read ahead by 2 (an enqueuer's queue): the engine groups 2 and runs the short rest alone.
    "python batches read ahead": per_epoch(lambda: python_feed(read_ahead=2)),
    "dataset of unknown size": per_epoch(
        lambda: DatasetFeed(
            tf.data.Dataset.from_tensor_slices(((X,), (Y,), (None,)))
            .batch(4)
            .filter(lambda *a: True)
        )
    ),
}


@pytest.mark.parametrize("spe", [1, 2, 4])
@pytest.mark.parametrize("kind", sorted(EPOCH_FEEDS))
def test_every_feed_trains_as_the_hand_written_loop(kind, spe):
    model = compiled(spe)
    params = {"epochs": 3, "steps": None, "verbose": 0}
    history = model._engine_fit(EPOCH_FEEDS[kind](), 3, 0, [], 0, None, params)
    losses, kernel = reference(4, 3)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-6)
    np.testing.assert_allclose(model.get_weights()[0], kernel, rtol=1e-6)


class Events(tf_keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_batch_begin(self, batch, logs=None):
        self.events.append(("begin", batch, logs))

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(("end", batch, sorted(logs)))


def test_callbacks_see_one_pair_per_execution_with_the_last_step_that_ran():
    model = compiled(spe=2)
    events = Events()
    params = {"epochs": 1, "steps": None, "verbose": 0}
    model._engine_fit(lambda epoch: python_feed(), 1, 0, [events], 0, None, params)
    # 3 batches at 2 steps per execution: steps 0-1, then step 2 alone.
    assert [(e, b) for e, b, _ in events.events] == [
        ("begin", 0),
        ("end", 1),
        ("begin", 2),
        ("end", 2),
    ]


class CountingBar(ProgbarLogger):
    def __init__(self):
        super().__init__("steps", ["loss"])
        self.ends = []

    def on_train_batch_end(self, batch, logs=None):
        self.ends.append(batch)


@pytest.mark.parametrize("watcher", ["progress bar", "batch callback"])
def test_the_engine_groups_batches_only_when_no_callback_watches_single_ones(watcher):
    """10 one-row batches read ahead by 10: with only the progress bar (which shows groups as
    it does with steps_per_execution) the bar sees a group of 8 (one call) and the short rest
    (one call per batch); a callback with batch hooks gets every batch. The numbers are the
    same either way."""
    model = compiled()
    callback = CountingBar() if watcher == "progress bar" else Events()
    params = {"epochs": 1, "steps": 10, "verbose": 1}  # bars have batch hooks at verbose 1
    history = model._engine_fit(
        lambda epoch: python_feed(1, read_ahead=10), 1, 0, [callback], 1, None, params
    )
    if watcher == "progress bar":
        assert callback.ends == [7, 9]
    else:
        assert [b for kind, b, _ in callback.events if kind == "end"] == list(range(10))
    losses, kernel = reference(1, 1)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-6)
    np.testing.assert_allclose(model.get_weights()[0], kernel, rtol=1e-6)


def test_a_data_error_inside_a_group_comes_after_the_batches_before_it():
    def failing():
        yield from itertools.islice(python_batches(1), 3)
        raise KeyError("bad item")

    model = compiled()
    params = {"epochs": 1, "steps": None, "verbose": 0}
    with pytest.raises(KeyError, match="bad item"):
        model._engine_fit(
            lambda epoch: PythonFeed(failing(), read_ahead=8), 1, 0, [], 0, None, params
        )
    np.testing.assert_allclose(model.get_weights()[0], reference(1, 1, rows=3)[1], rtol=1e-6)


class ThisBatch(BatchLogs):
    """A surface's batch logs: this execution's own values and rows."""

    def begin(self, index, rows):
        return {"rows": rows}

    def end(self, averages, index):
        return dict(averages.batch_logs(), rows=averages.last_rows)


def test_batch_logs_are_the_surfaces_and_values_come_from_the_device():
    model = compiled(batch_logs=ThisBatch(), metric=True)
    events = Events()
    params = {"epochs": 1, "steps": None, "verbose": 0}
    model._engine_fit(
        lambda epoch: ArraySource([X], [Y], [None]).feed(4), 1, 0, [events], 0, None, params
    )
    begins = [logs for kind, _, logs in events.events if kind == "begin"]
    ends = [logs for kind, _, logs in events.events if kind == "end"]
    assert begins == [{"rows": 4}, {"rows": 4}, {"rows": 2}]
    assert ends == [["loss", "mae", "rows"]] * 3


def test_evaluate_and_accumulated_batches():
    model = compiled()
    losses = model._engine_evaluate(ArraySource([X], [Y], [None]).feed(4))
    expected = float(np.mean(np.square(Y - X.sum(1, keepdims=True))))
    assert losses["loss"] == pytest.approx(expected, rel=1e-6)
    first = model._engine_batch(False, Batch([X[:4]], [Y[:4]], [None]), accumulate=True)
    both = model._engine_batch(False, Batch([X[4:]], [Y[4:]], [None]), accumulate=True)
    assert first["loss"] == pytest.approx(
        float(np.mean(np.square(Y[:4] - X[:4].sum(1, keepdims=True)))), rel=1e-6
    )
    assert both["loss"] == pytest.approx(expected, rel=1e-6)


def test_a_test_pass_before_the_first_training_step():
    model = compiled()
    model._engine_evaluate(python_feed())  # traces the test execution first
    params = {"epochs": 1, "steps": None, "verbose": 0}
    history = model._engine_fit(lambda epoch: python_feed(), 1, 0, [], 0, None, params)
    np.testing.assert_allclose(history.history["loss"], reference(4, 1)[0], rtol=1e-6)


class OwnStep(engine.Model):
    """A model with its own `train_step` and `test_step`, compiled with tf-keras's compile."""

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(y - self(x, training=True)))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables, strict=True))
        return {"mine": loss}

    def test_step(self, data):
        x, y = data
        return {"checked": tf.reduce_mean(tf.square(y - self(x, training=False)))}


@pytest.mark.parametrize("spe", [1, 3])
def test_the_models_own_steps_run_in_the_loop(spe):
    inp = tf_keras.Input((3,))
    out = tf_keras.layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros")(inp)
    model = OwnStep(inp, out)
    tf_keras.Model.compile(model, tf_keras.optimizers.legacy.SGD(0.1))
    model._engine_compile_own(spe)
    dataset = tf.data.Dataset.from_tensor_slices((X, Y)).batch(4)
    params = {"epochs": 2, "steps": 3, "verbose": 0}
    history = model._engine_fit(
        lambda epoch: DatasetFeed.over(iter(dataset), 3), 2, 0, [], 0, None, params
    )
    _, kernel = reference(4, 2)
    np.testing.assert_allclose(model.get_weights()[0], kernel, rtol=1e-6)
    assert list(history.history) == ["mine"]  # the last step's dict, not a compiled loss
    logs = model._engine_evaluate(DatasetFeed.over(iter(dataset)))
    assert list(logs) == ["checked"]
    assert int(model._train_counter.numpy()) == 6


def test_python_batches_run_with_static_rows_then_relax_once():
    """Python batches of 4, 4, 2 rows: the full batches' step is traced with 4 rows (static
    rows spare the gradients their shape arithmetic, as `drop_remainder` does for arrays) and
    the short one gets its own function; batches of a third and fourth row count (3, 1) share
    one function with any rows, not one trace per size. Numbers as the hand-written loop."""
    traced_rows = []

    def recording_mse(y_true, y_pred):
        traced_rows.append(y_pred.shape[0])
        return mse(y_true, y_pred)

    model = linear_model()
    config = cfg.TrainingConfig(
        tf_keras.optimizers.legacy.SGD(0.1), (cfg.OutputSpec("out", recording_mse),)
    )
    model._engine_compile(config, 1, None)
    params = {"epochs": 1, "steps": None, "verbose": 0}
    history = model._engine_fit(lambda epoch: python_feed(4), 1, 0, [], 0, None, params)
    assert traced_rows[0] == 4
    assert model._steps._lists.traced == 2
    np.testing.assert_allclose(history.history["loss"], reference(4, 1)[0], rtol=1e-6)
    model._engine_fit(lambda epoch: python_feed(3), 1, 0, [], 0, None, params)
    assert model._steps._lists.traced == 3  # 3 rows: any rows; the last batch of 1 reuses it
