"""Keras 2 `keras.utils.layer_utils`."""

from tf_keras.src.utils.layer_utils import (
    convert_dense_weights_data_format,
    count_params,
    get_source_inputs,
    print_summary,
)
