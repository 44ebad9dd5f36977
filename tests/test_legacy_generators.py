"""The Keras 2 generator methods with real workers: the regression list of the user pain
points (theme 1, items 1-7) and the fault matrix of the generator issue. Time bounds are
generous liveness checks."""

import multiprocessing
import os
import signal
import time
import warnings

import numpy as np
import pytest

import compatkeras as keras

from liveness import nothing_left

MODES = [pytest.param(False, id="threads"), pytest.param(True, id="processes")]
X = np.random.RandomState(0).uniform(size=(16, 3)).astype("float32")


def model():
    inp = keras.Input((3,))
    m = keras.Model(inp, keras.layers.Dense(1, kernel_initializer="ones")(inp))
    m.compile(keras.optimizers.SGD(0.01), "mse")
    return m


class Batches(keras.utils.Sequence):
    """`length` batches of 16 rows; row values encode the batch index."""

    def __init__(self, length, fail_at=None, kill_at=None):
        self.length, self.fail_at, self.kill_at = length, fail_at, kill_at

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        if index == self.fail_at:
            raise IndexError(f"batch {index} is corrupt")
        if index == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        x = X + index
        return x, x.sum(axis=1, keepdims=True)


def test_regression_1_many_batches_with_processes_finish_and_leave_no_children():
    history = model().fit_generator(
        Batches(100), epochs=2, workers=2, use_multiprocessing=True, verbose=0
    )
    assert history.epoch == [0, 1]
    assert nothing_left()


def test_regression_2_infinite_sequence_indices_continue_across_epochs():
    seen = []

    class Infinite(Batches):
        def __getitem__(self, index):
            seen.append(index)
            return super().__getitem__(index % 7)

    model().fit_generator(
        Infinite(10**9), steps_per_epoch=5, epochs=3, workers=2, shuffle=False, verbose=0
    )
    assert sorted(seen)[:15] == list(range(15))
    assert len(set(seen)) == len(seen)  # no repeat (a window of prefetched items may follow)


def test_regression_3_predict_returns_every_row_in_order():
    m = model()
    predictions = m.predict_generator(Batches(50), steps=50, workers=2, use_multiprocessing=True)
    expected = m.predict(np.concatenate([Batches(50)[i][0] for i in range(50)]), batch_size=16)
    assert predictions.shape == (800, 1)
    np.testing.assert_allclose(predictions, expected, rtol=1e-6, atol=1e-6)


def test_regression_4_generator_with_processes_warns_about_duplicates():
    def batches():
        while True:
            yield X, X.sum(axis=1, keepdims=True)

    with pytest.warns(UserWarning, match="may duplicate your data"):
        model().fit_generator(
            batches(), steps_per_epoch=2, workers=2, use_multiprocessing=True, verbose=0
        )
    assert nothing_left()


def test_regression_5_sequence_without_super_init_runs_quietly():
    class NoInit(keras.utils.Sequence):
        def __init__(self):  # no super().__init__()
            self.n = 3

        def __len__(self):
            return self.n

        def __getitem__(self, index):
            return X, X.sum(axis=1, keepdims=True)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model().fit_generator(NoInit(), epochs=2, workers=2, verbose=0)


@pytest.mark.parametrize("processes", MODES)
def test_regression_6_on_epoch_end_is_seen_by_the_next_epochs_first_batch(processes):
    firsts = []

    class Shifting(Batches):
        shift = 0

        def __getitem__(self, index):
            x, y = super().__getitem__(index)
            return x + self.shift, np.full((len(x), 1), self.shift, "float32")

        def on_epoch_end(self):
            self.shift += 1

    class FirstTarget(keras.callbacks.Callback):
        pass

    m = model()
    original = m._generator_batches

    def recording(items, steps, *args, **kwargs):
        for i, batch in enumerate(original(items, steps, *args, **kwargs)):
            if i == 0:
                firsts.append(float(batch.ys[0][0, 0]))
            yield batch

    m._generator_batches = recording
    m.fit_generator(Shifting(4), epochs=3, workers=2, use_multiprocessing=processes, verbose=0)
    assert firsts == [0.0, 1.0, 2.0]


def test_regression_7_unpicklable_dataset_is_a_clear_error_with_spawn():
    from compatkeras.engine.enqueuer import SequenceEnqueuer

    class Lambdas(Batches):
        def __init__(self):
            super().__init__(2)
            self.augment = lambda x: x

    with pytest.raises(TypeError, match="cannot be pickled"):
        SequenceEnqueuer(Lambdas(), 2, True, context=multiprocessing.get_context("spawn"))


CALLS = {
    "fit_generator": lambda m, seq, p: m.fit_generator(
        seq, epochs=2, workers=2, use_multiprocessing=p, verbose=0
    ),
    "evaluate_generator": lambda m, seq, p: m.evaluate_generator(
        seq, workers=2, use_multiprocessing=p
    ),
    "predict_generator": lambda m, seq, p: m.predict_generator(
        seq, workers=2, use_multiprocessing=p
    ),
}


@pytest.mark.parametrize("processes", MODES)
@pytest.mark.parametrize("method", sorted(CALLS))
def test_worker_exception_reaches_the_caller_with_its_type(method, processes):
    start = time.monotonic()
    with pytest.raises(IndexError, match="batch 3 is corrupt"):
        CALLS[method](model(), Batches(6, fail_at=3), processes)
    assert time.monotonic() - start < 5
    assert nothing_left()


@pytest.mark.parametrize("method", sorted(CALLS))
def test_killed_worker_makes_the_call_raise(method):
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="died unexpectedly"):
        CALLS[method](model(), Batches(6, kill_at=2), True)
    assert time.monotonic() - start < 10
    assert nothing_left()


def test_hundred_fits_with_processes_do_not_grow_children_or_descriptors():
    m = model()
    m.fit_generator(Batches(2), workers=2, use_multiprocessing=True, verbose=0)
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(100):
        m.fit_generator(Batches(2), workers=2, use_multiprocessing=True, verbose=0)
    assert multiprocessing.active_children() == []
    assert len(os.listdir("/proc/self/fd")) <= before


def test_generator_that_runs_out_stops_training_with_a_warning():
    def three():
        for _ in range(3):
            yield X, X.sum(axis=1, keepdims=True)

    with pytest.warns(UserWarning, match="ran out of data"):
        history = model().fit_generator(three(), steps_per_epoch=2, epochs=5, workers=1, verbose=0)
    assert history.epoch == [0, 1]


@pytest.mark.parametrize("processes", MODES)
def test_predict_generator_on_two_outputs_returns_lists_in_order(processes):
    inp = keras.Input((3,))
    m = keras.Model(
        inp, [keras.layers.Dense(1, name="a")(inp), keras.layers.Dense(2, name="b")(inp)]
    )
    predictions = m.predict_generator(Batches(5), workers=2, use_multiprocessing=processes)
    expected = m.predict(np.concatenate([Batches(5)[i][0] for i in range(5)]))
    assert [p.shape for p in predictions] == [(80, 1), (80, 2)]
    for got, want in zip(predictions, expected, strict=True):
        # Batches of 16 vs 32 round float32 products differently (~1e-7): compare at that scale.
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("processes", MODES)
def test_keras2_ordered_enqueuer_api(processes):
    from compatkeras.legacy.utils.data_utils import OrderedEnqueuer

    enqueuer = OrderedEnqueuer(Batches(4), use_multiprocessing=processes)
    enqueuer.start(workers=2, max_queue_size=3)
    assert enqueuer.is_running()
    items = enqueuer.get()
    firsts = [float(next(items)[0][0, 0]) for _ in range(8)]
    enqueuer.stop()
    assert not enqueuer.is_running()
    assert firsts == [float(X[0, 0] + i % 4) for i in range(8)]
    assert nothing_left()


@pytest.mark.parametrize("processes", MODES)
def test_keras2_generator_enqueuer_api(processes):
    from compatkeras.legacy.utils.data_utils import GeneratorEnqueuer

    with pytest.warns(DeprecationWarning, match="`wait_time` is not used anymore."):
        enqueuer = GeneratorEnqueuer(
            iter(range(10)), use_multiprocessing=processes, wait_time=0.01, seed=1
        )
    enqueuer.start(workers=1, max_queue_size=4)
    assert sorted(enqueuer.get()) == list(range(10))
    enqueuer.stop()
    with pytest.raises(RuntimeError, match="Call start"):
        next(enqueuer.get())
    assert nothing_left()
