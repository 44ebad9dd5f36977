"""Keras 2 `keras.utils.vis_utils`."""

from tf_keras.utils import (
    model_to_dot,
    plot_model,
)
