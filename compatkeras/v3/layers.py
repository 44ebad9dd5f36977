"""Keras 3 `keras.layers` (tf-keras's)."""

from tf_keras.layers import *  # noqa: F403
