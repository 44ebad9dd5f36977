"""Keras 2 `keras.engine.base_layer`."""

from compatkeras.legacy.layers import (
    InputSpec,
    Layer,
)
