"""Keras 2 `keras.engine.input_layer`."""

from compatkeras.legacy.layers import (
    Input,
    InputLayer,
)
