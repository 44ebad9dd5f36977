"""Keras 2 `keras.utils.data_utils`."""

from tf_keras.utils import (
    Sequence,
    get_file,
)
