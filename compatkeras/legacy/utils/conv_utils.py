"""Keras 2 `keras.utils.conv_utils`."""

from tf_keras.src.utils.conv_utils import (
    conv_input_length,
    conv_output_length,
    deconv_output_length,
    normalize_data_format,
    normalize_padding,
    normalize_tuple,
)
