"""Keras 2 `keras.layers.normalization`."""

from compatkeras.legacy.layers import (
    BatchNormalization,
    LayerNormalization,
)
