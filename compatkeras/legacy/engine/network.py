"""Keras 2 `keras.engine.network`: `Network` was the functional graph container; a `Model` is one."""

from compatkeras.legacy.models import Model as Network
from tf_keras.utils import get_source_inputs
