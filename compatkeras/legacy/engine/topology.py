"""Keras 2 `keras.engine.topology` (the Keras 2.0/2.1 home of `Layer`, `InputSpec`, `Input`)."""

from compatkeras.legacy.engine.base_layer import InputSpec, Layer
from compatkeras.legacy.engine.input_layer import Input, InputLayer
from compatkeras.legacy.engine.network import Network, get_source_inputs
