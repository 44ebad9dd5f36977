"""Keras 2 `keras.losses` (tf-keras's)."""

from tf_keras.losses import *
