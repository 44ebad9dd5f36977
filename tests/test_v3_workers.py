"""compatkeras.v3 reading PyDatasets and generators with workers: the fault matrix of the
generator issue on the Keras 3 surface (a worker's exception keeps its type, a worker killed by
SIGKILL makes the call raise, Ctrl-C stops the workers), and Keras 2's worker arguments given to
fit/evaluate/predict. Time bounds are generous liveness checks."""

import os
import signal
import threading
import time
import warnings

import numpy as np
import pytest

import compatkeras.v3 as keras

from liveness import nothing_left

MODES = [pytest.param(False, id="threads"), pytest.param(True, id="processes")]
X = np.random.RandomState(0).uniform(size=(8, 3)).astype("float32")


def model():
    inp = keras.Input((3,))
    m = keras.Model(inp, keras.layers.Dense(1, kernel_initializer="ones")(inp))
    m.compile(keras.optimizers.SGD(0.01), loss="mse")
    return m


class Batches(keras.utils.PyDataset):
    def __init__(self, length, fail_at=None, kill_at=None, **kwargs):
        super().__init__(**kwargs)
        self.length, self.fail_at, self.kill_at = length, fail_at, kill_at

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        if index == self.fail_at:
            raise KeyError(f"batch {index} is corrupt")
        if index == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        x = X + index
        return x, x.sum(axis=1, keepdims=True)


CALLS = {
    "fit": lambda m, ds: m.fit(ds, epochs=2, verbose=0),
    "evaluate": lambda m, ds: m.evaluate(ds, verbose=0),
    "predict": lambda m, ds: m.predict(ds, verbose=0),
}


@pytest.mark.parametrize("processes", MODES)
@pytest.mark.parametrize("method", sorted(CALLS))
def test_worker_exception_keeps_its_type(method, processes):
    start = time.monotonic()
    with pytest.raises(KeyError, match="batch 3 is corrupt"):
        CALLS[method](model(), Batches(6, fail_at=3, workers=2, use_multiprocessing=processes))
    assert time.monotonic() - start < 10
    assert nothing_left()


@pytest.mark.parametrize("method", sorted(CALLS))
def test_killed_worker_process_makes_the_call_raise(method):
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="died unexpectedly"):
        CALLS[method](model(), Batches(6, kill_at=2, workers=2, use_multiprocessing=True))
    assert time.monotonic() - start < 15
    assert nothing_left()


@pytest.mark.parametrize("processes", MODES)
def test_keyboard_interrupt_stops_the_workers_and_propagates(processes):
    class Interrupt(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                raise KeyboardInterrupt

    m = model()
    with pytest.raises(KeyboardInterrupt):
        m.fit(
            Batches(50, workers=2, use_multiprocessing=processes),
            epochs=3,
            verbose=0,
            callbacks=[Interrupt()],
        )
    assert nothing_left()


def test_keras2_worker_arguments_warn_and_are_used():
    seen = []

    class Recording(Batches):
        def __getitem__(self, index):
            seen.append(threading.current_thread().name)
            return super().__getitem__(index)

    m = model()
    with pytest.warns(DeprecationWarning, match=r"PyDataset.*super\(\).__init__\(workers="):
        m.fit(Recording(4), epochs=1, verbose=0, workers=2, max_queue_size=4)
    assert seen and all(name.startswith("compatkeras-data") for name in seen)
    assert nothing_left()
    with pytest.warns(DeprecationWarning):
        assert (
            len(
                m.evaluate(
                    Batches(2), verbose=0, workers=2, use_multiprocessing=True, return_dict=True
                )
            )
            == 1
        )
    with pytest.warns(DeprecationWarning):
        assert m.predict(Batches(2), verbose=0, workers=2).shape == (16, 1)
    assert nothing_left()


def test_keras2_worker_arguments_read_a_generator_on_worker_threads():
    seen = []

    def batches():
        for index in range(4):
            seen.append(threading.current_thread().name)
            yield X + index, (X + index).sum(axis=1, keepdims=True)

    with pytest.warns(DeprecationWarning):
        history = model().fit(batches(), epochs=1, verbose=0, shuffle=False, workers=2)
    assert history.epoch == [0] and len(seen) == 4
    assert all(name.startswith("compatkeras-data") for name in seen)
    assert nothing_left()


def test_other_unknown_arguments_are_still_errors():
    m = model()
    with pytest.raises(TypeError, match="unexpected keyword argument 'nb_epoch'"):
        m.fit(X, X[:, :1], nb_epoch=2)
    with pytest.raises(TypeError, match="unexpected keyword argument 'max_q_size'"):
        m.predict(X, max_q_size=2)
    with pytest.raises(ValueError, match="Arguments not recognized"):
        m.evaluate(X, X[:, :1], pickle_safe=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # arrays without worker arguments: no warning
        m.fit(X, X[:, :1], verbose=0)


class Shifted(Batches):
    """A PyDataset whose own `on_epoch_end` changes what its items hold."""

    shift = 0.0

    def on_epoch_end(self):
        self.shift += 1.0

    def __getitem__(self, index):
        x, y = super().__getitem__(index)
        return x + self.shift, y


class Pids(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.per_epoch = []

    def on_epoch_begin(self, epoch, logs=None):
        self.per_epoch.append(None)

    def on_train_batch_end(self, batch, logs=None):
        import multiprocessing

        if self.per_epoch[-1] is None:  # the workers reading this epoch
            self.per_epoch[-1] = sorted(p.pid for p in multiprocessing.active_children())


def test_worker_processes_are_kept_across_epochs_unless_the_hooks_change_the_data():
    plain = Pids()
    model().fit(
        Batches(4, workers=2, use_multiprocessing=True), epochs=3, verbose=0, callbacks=[plain]
    )
    assert len(plain.per_epoch[0]) == 2 and plain.per_epoch == [plain.per_epoch[0]] * 3
    # With its own on_epoch_end the workers are forked again, and read the changed data: the
    # model (the identity on its targets) is exact in epoch 1 and off by 3 in epoch 2.
    hooked = Pids()
    history = model().fit(
        Shifted(4, workers=2, use_multiprocessing=True),
        epochs=2,
        shuffle=False,
        verbose=0,
        callbacks=[hooked],
    )
    assert len(hooked.per_epoch[0]) == 2 and hooked.per_epoch[0] != hooked.per_epoch[1]
    assert history.history["loss"][0] < 1e-6 < 1.0 < history.history["loss"][1]
    nothing_left()
