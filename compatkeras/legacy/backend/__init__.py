"""Keras 2 `keras.backend` (`K`): tf-keras's backend functions.

`get_session`/`set_session` come from tf-keras's internal backend, where they still live.
"""

from tf_keras.backend import *
from tf_keras.src.backend import get_session, set_session

from compatkeras.legacy.backend import tensorflow_backend
