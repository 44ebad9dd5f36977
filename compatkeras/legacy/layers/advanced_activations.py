"""Keras 2 `keras.layers.advanced_activations`."""

from compatkeras.legacy.layers import (
    ELU,
    LeakyReLU,
    PReLU,
    ReLU,
    Softmax,
    ThresholdedReLU,
)
