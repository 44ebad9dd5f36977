"""Keras 2 `keras.metrics` (tf-keras's)."""

from tf_keras.metrics import *
