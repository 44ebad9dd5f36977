"""Keras 2 `keras.utils.data_utils`."""

from tf_keras.utils import (
    get_file,
    Sequence,
)
