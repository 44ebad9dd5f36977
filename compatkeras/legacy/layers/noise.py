"""Keras 2 `keras.layers.noise`."""

from compatkeras.legacy.layers import (
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
)
