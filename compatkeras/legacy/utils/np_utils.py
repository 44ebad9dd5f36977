"""Keras 2 `keras.utils.np_utils`."""

from tf_keras.utils import (
    normalize,
    to_categorical,
)
