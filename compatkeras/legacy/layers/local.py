"""Keras 2 `keras.layers.local`."""

from compatkeras.legacy.layers import (
    LocallyConnected1D,
    LocallyConnected2D,
)
