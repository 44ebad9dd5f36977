"""Keras 1 name of `keras.losses`, still imported by Keras 2 programs."""

from compatkeras.legacy.losses import *
