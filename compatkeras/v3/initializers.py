"""Keras 3 `keras.initializers` (tf-keras's)."""

from tf_keras.initializers import *  # noqa: F403
