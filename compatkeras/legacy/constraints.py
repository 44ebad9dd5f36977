"""Keras 2 `keras.constraints` (tf-keras's)."""

from tf_keras.constraints import *
