"""Keras 3 `keras.constraints` (tf-keras's)."""

from tf_keras.constraints import *  # noqa: F403
