"""Keras 2 `keras.backend.tensorflow_backend` (`from ... import set_session`)."""

import tensorflow as tf
from tf_keras.backend import *
from tf_keras.src.backend import get_session, set_session

from compatkeras.legacy.backend.graph_functions import function, gradients
from compatkeras.legacy.backend.keras22 import *
