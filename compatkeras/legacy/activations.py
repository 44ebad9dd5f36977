"""Keras 2 `keras.activations` (tf-keras's)."""

from tf_keras.activations import *
