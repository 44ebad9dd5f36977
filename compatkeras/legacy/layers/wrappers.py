"""Keras 2 `keras.layers.wrappers`."""

from compatkeras.legacy.layers import (
    Bidirectional,
    TimeDistributed,
    Wrapper,
)
