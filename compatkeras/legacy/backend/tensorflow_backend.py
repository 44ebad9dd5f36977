"""Keras 2 `keras.backend.tensorflow_backend` (`from ... import set_session`)."""

import tensorflow as tf
from tf_keras.backend import *

from compatkeras.legacy.backend.graph_functions import (
    function,
    get_session,
    gradients,
    set_session,
)
from compatkeras.legacy.backend.keras22 import *


def _get_available_gpus():
    """Keras 2.2.4's private helper that multi-GPU scripts import: the local GPU names."""
    return [device.name for device in tf.config.list_logical_devices("GPU")]
