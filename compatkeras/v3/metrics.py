"""Keras 3 `keras.metrics` (tf-keras's)."""

from tf_keras.metrics import *  # noqa: F403
