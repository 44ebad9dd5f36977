"""Keras 3 `keras.activations` (tf-keras's)."""

from tf_keras.activations import *  # noqa: F403
