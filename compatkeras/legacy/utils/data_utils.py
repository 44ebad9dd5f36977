"""Keras 2 `keras.utils.data_utils`: `Sequence`, `get_file`, and the enqueuers that hand-written
Keras 2 training loops start themselves, on compatkeras's enqueuer (tf-keras's stall at the end
of every pass, see `compatkeras.engine.enqueuer`)."""

import warnings

from tf_keras.src.utils.data_utils import _hash_file, validate_file  # Keras 2.2.4 names these
from tf_keras.utils import Sequence, get_file

from compatkeras.engine.enqueuer import GeneratorEnqueuer as _GeneratorEnqueuer
from compatkeras.engine.enqueuer import open_stream


class SequenceEnqueuer:
    """Keras 2's base of the enqueuers: the start / get / stop / is_running protocol."""

    _stream = None

    def is_running(self):
        return self._stream is not None

    def start(self, workers=1, max_queue_size=10):
        self.stop()
        self._stream = self._open(workers, max_queue_size)

    def get(self):
        """Yields the items; a Sequence's stream never ends, a generator's ends with it."""
        if self._stream is None:
            raise RuntimeError("Call start() before get().")
        yield from iter(self._stream)

    def stop(self, timeout=None):
        """Stops the workers (all of them: none outlives this call)."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()


class OrderedEnqueuer(SequenceEnqueuer):
    """Keras 2 `OrderedEnqueuer(sequence, use_multiprocessing=False, shuffle=False)`: items in
    index order, shuffled per pass if asked, `on_epoch_end()` between passes."""

    def __init__(self, sequence, use_multiprocessing=False, shuffle=False):
        self.sequence = sequence
        self.use_multiprocessing = use_multiprocessing
        self.shuffle = shuffle

    def _open(self, workers, max_queue_size):
        return open_stream(
            self.sequence,
            workers,
            self.use_multiprocessing,
            max_queue_size,
            shuffle=self.shuffle,
            epoch_end_between_passes=True,
        )


class GeneratorEnqueuer(SequenceEnqueuer):
    """Keras 2 `GeneratorEnqueuer(generator, use_multiprocessing=False, wait_time=None,
    seed=None)`: `next()` under a lock on threads, or one copy per process (with
    `np.random.seed(seed + pid)` in each, when `seed` is given)."""

    def __init__(self, generator, use_multiprocessing=False, wait_time=None, seed=None):
        if wait_time is not None:
            warnings.warn("`wait_time` is not used anymore.", DeprecationWarning, stacklevel=2)
        self.generator = generator
        self.use_multiprocessing = use_multiprocessing
        self.seed = seed

    def _open(self, workers, max_queue_size):
        return _GeneratorEnqueuer(
            self.generator,
            max(workers, 1),
            self.use_multiprocessing,
            max_queue_size,
            seed=self.seed,
        )
