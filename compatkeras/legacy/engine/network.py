"""Keras 2 `keras.engine.network`: `Network` was the functional graph container; a `Model` is one."""

from tf_keras.utils import get_source_inputs

from compatkeras.legacy.models import Model as Network
