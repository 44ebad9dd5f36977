"""Keras 2 `keras.utils.io_utils`."""

from tf_keras.src.utils.io_utils import (
    ask_to_proceed_with_overwrite,
    print_msg,
)
