"""Keras 2 `keras.callbacks` (tf-keras's)."""

from tf_keras.callbacks import *
