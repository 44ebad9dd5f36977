"""Keras 2 `keras.backend.tensorflow_backend` (`from ... import set_session`)."""

from tf_keras.backend import *
from tf_keras.src.backend import get_session, set_session
