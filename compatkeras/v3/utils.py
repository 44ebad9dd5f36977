"""Keras 3 `keras.utils`: `PyDataset` (and its alias `Sequence`) plus tf-keras's helpers."""

import random
import warnings

import numpy as np
import tensorflow as tf
from tf_keras.utils import (  # noqa: F401
    custom_object_scope,
    get_custom_objects,
    get_file,
    load_img,
    pad_sequences,
    plot_model,
    register_keras_serializable,
    to_categorical,
)

_DEFAULTS = {"workers": 1, "use_multiprocessing": False, "max_queue_size": 10}


class PyDataset:
    """Base class for Python datasets (Keras 3): `__getitem__(index)` returns a whole batch,
    `__len__` (or `num_batches`) says how many; `num_batches = None` means infinite.

    The loading options belong to the dataset, as in Keras 3: `workers` threads (or processes
    with `use_multiprocessing=True`), at most `max_queue_size` batches read ahead. compatkeras
    reads them with its own enqueuer (`compatkeras.engine.enqueuer`).
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
            raise ValueError(f"`workers` must be an integer >= 0. Received: workers={workers!r}")
        if (
            isinstance(max_queue_size, bool)
            or not isinstance(max_queue_size, int)
            or max_queue_size < 1
        ):
            raise ValueError(
                f"`max_queue_size` must be an integer >= 1. Received: max_queue_size={max_queue_size!r}"
            )
        self._workers = workers
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = max_queue_size

    def _option(self, name):
        value = self.__dict__.get(f"_{name}")
        if value is None and f"_{name}" not in self.__dict__:
            warnings.warn(
                "Your `PyDataset` class should call `super().__init__(**kwargs)` in its "
                "constructor. `**kwargs` can include `workers`, `use_multiprocessing`, "
                "`max_queue_size`. Do not pass these arguments to `fit()`, as they will be ignored.",
                stacklevel=3,
            )
            return _DEFAULTS[name]
        return value

    @property
    def workers(self):
        return self._option("workers")

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        return self._option("use_multiprocessing")

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        return self._option("max_queue_size")

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __getitem__(self, index):
        raise NotImplementedError

    @property
    def num_batches(self):
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(
            "You need to implement the `num_batches` property:\n\n@property\ndef num_batches"
            "(self):\n  return ...\n\nReturn None if the dataset is infinite."
        )

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass

    def __iter__(self):
        count = self.num_batches
        index = 0
        while count is None or index < count:
            yield self[index]
            index += 1


Sequence = PyDataset


def set_random_seed(seed):
    """Seeds Python's `random`, NumPy and TensorFlow (Keras 3 `keras.utils.set_random_seed`)."""
    if not isinstance(seed, int):
        raise ValueError(
            f"Expected `seed` argument to be an integer. Received: seed={seed} (of type {type(seed)})"
        )
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)
