"""Keras 2 `keras.engine`: where legacy custom layers import `Layer` and `InputSpec` from."""

from compatkeras.legacy.engine import saving, training_utils
from compatkeras.legacy.engine.base_layer import InputSpec, Layer
from compatkeras.legacy.engine.input_layer import Input, InputLayer
from compatkeras.legacy.engine.network import Network, get_source_inputs
from compatkeras.legacy.engine.training import Model
