"""Keras 2 `keras.backend` (`K`): tf-keras's backend functions, with the Keras 2.2.4 names that
tf-keras dropped (`compatkeras.legacy.backend.keras22`).

`get_session`/`set_session` are stand-ins: TensorFlow 2 has no session (`graph_functions`).
"""

import tensorflow as tf
from tf_keras.backend import *

from compatkeras.legacy.backend import tensorflow_backend
from compatkeras.legacy.backend.crossentropy import (
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)
from compatkeras.legacy.backend.graph_functions import (
    function,
    get_session,
    gradients,
    set_session,
)
from compatkeras.legacy.backend.keras22 import (
    batch_dot,
    batch_get_value,
    control_flow_ops,
    conv3d_transpose,
    eager,
    get_variable_shape,
    identity,
    image_dim_ordering,
    is_placeholder,
    is_tensor,
    logsumexp,
    normalize_data_format,
    relu,
    separable_conv1d,
    set_image_dim_ordering,
    slice,
    symbolic,
)
from compatkeras.legacy.backend.variables import ones, variable, zeros
