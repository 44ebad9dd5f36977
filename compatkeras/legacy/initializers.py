"""Keras 2 `keras.initializers` (tf-keras's)."""

from tf_keras.initializers import *
