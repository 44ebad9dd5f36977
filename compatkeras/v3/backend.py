"""Keras 3 `keras.backend` (tf-keras's: `clear_session`, `floatx`, ...)."""

from tf_keras.backend import *  # noqa: F403
