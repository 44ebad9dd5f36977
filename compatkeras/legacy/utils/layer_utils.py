"""Keras 2 `keras.utils.layer_utils`."""

import tf_keras
from tf_keras.src.utils.layer_utils import (
    convert_dense_weights_data_format,
    count_params,
    get_source_inputs,
    print_summary,
)

from compatkeras.legacy.utils.conv_utils import convert_kernel

_CONVOLUTIONS = (
    tf_keras.layers.Conv1D,
    tf_keras.layers.Conv2D,
    tf_keras.layers.Conv3D,
    tf_keras.layers.Conv2DTranspose,
)


def convert_all_kernels_in_model(model):
    """Keras 2.2.4: flip every convolution kernel of `model` (Theano <-> TensorFlow weights)."""
    for layer in model.layers:
        if isinstance(layer, _CONVOLUTIONS):
            layer.kernel.assign(convert_kernel(layer.kernel.numpy()))
