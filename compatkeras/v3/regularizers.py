"""Keras 3 `keras.regularizers` (tf-keras's)."""

from tf_keras.regularizers import *  # noqa: F403
