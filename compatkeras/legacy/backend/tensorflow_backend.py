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
