"""Keras 2 `keras.layers.merge`."""

# Keras 2's base class of the merge layers, subclassed by Keras 2 programs (the WGAN-GP
# `RandomWeightedAverage(_Merge)` with its own `_merge_function`): tf-keras's is the same class.
from tf_keras.src.layers.merging.base_merge import _Merge  # noqa: E402

from compatkeras.legacy.layers import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
