"""Keras 2 `keras.regularizers` (tf-keras's)."""

from tf_keras.regularizers import *
