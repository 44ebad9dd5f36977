"""Keras 3 `keras.callbacks` (tf-keras's)."""

from tf_keras.callbacks import *  # noqa: F403
