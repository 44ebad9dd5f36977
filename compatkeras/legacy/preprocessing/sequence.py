"""Keras 2 `keras.preprocessing.sequence`."""

from tf_keras.preprocessing.sequence import *
