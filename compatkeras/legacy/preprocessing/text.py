"""Keras 2 `keras.preprocessing.text`."""

from tf_keras.preprocessing.text import *
