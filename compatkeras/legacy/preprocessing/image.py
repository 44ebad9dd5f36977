"""Keras 2 `keras.preprocessing.image`."""

from tf_keras.preprocessing.image import *
