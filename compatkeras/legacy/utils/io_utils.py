"""Keras 2 `keras.utils.io_utils`, with Keras 2.2.4's `HDF5Matrix` (removed from tf-keras)."""

import numpy as np
from tf_keras.src.utils.io_utils import (
    ask_to_proceed_with_overwrite,
    print_msg,
)


class HDF5Matrix:
    """An HDF5 dataset read as a numpy-like array (Keras 2.2.4): `HDF5Matrix(path, 'x', start,
    end, normalizer)` slices rows `[start, end)` lazily; `normalizer` runs on what is read.
    The file stays open for the life of the process, as in Keras 2.2.4."""

    refs = {}

    def __init__(self, datapath, dataset, start=0, end=None, normalizer=None):
        import h5py

        if datapath not in self.refs:
            self.refs[datapath] = h5py.File(datapath, "r")
        self.data = self.refs[datapath][dataset]
        self.start = start
        self.end = self.data.shape[0] if end is None else end
        self.normalizer = normalizer

    def __len__(self):
        return self.end - self.start

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop = key.start or 0, key.stop if key.stop is not None else len(self)
            if stop + self.start > self.end:
                raise IndexError
            idx = slice(start + self.start, stop + self.start)
        elif isinstance(key, (int, np.integer)):
            if key + self.start >= self.end:
                raise IndexError
            idx = key + self.start
        elif isinstance(key, (list, np.ndarray)):
            if np.max(key) + self.start >= self.end:
                raise IndexError
            idx = [int(k) + self.start for k in key]
        else:
            raise IndexError
        value = self.data[idx]
        return self.normalizer(value) if self.normalizer is not None else value

    @property
    def shape(self):
        return (self.end - self.start, *self.data.shape[1:])

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return int(np.prod(self.shape))
