"""Keras 2 `keras.layers.convolutional_recurrent`."""

from compatkeras.legacy.layers import (
    ConvLSTM2D,
)
