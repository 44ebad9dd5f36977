"""Keras 3 `keras.losses` (tf-keras's)."""

from tf_keras.losses import *  # noqa: F403
