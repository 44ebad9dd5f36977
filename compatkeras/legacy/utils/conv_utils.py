"""Keras 2 `keras.utils.conv_utils`."""

import numpy as np
from tf_keras.src.utils.conv_utils import (
    conv_input_length,
    conv_output_length,
    deconv_output_length,
    normalize_data_format,
    normalize_padding,
    normalize_tuple,
)


def convert_kernel(kernel):
    """Keras 2.2.4: a convolution kernel flipped along its spatial axes (Theano <-> TF)."""
    kernel = np.asarray(kernel)
    if not 3 <= kernel.ndim <= 5:
        raise ValueError("Invalid kernel shape:", kernel.shape)
    spatial = tuple(slice(None, None, -1) for _ in range(kernel.ndim - 2))
    return np.copy(kernel[spatial + (slice(None), slice(None))])
