"""Keras 2 `keras.utils.generic_utils`."""

from tf_keras.src.utils.generic_utils import (
    Progbar,
    func_dump,
    func_load,
    has_arg,
    slice_arrays,
    to_list,
    to_snake_case,
)
from tf_keras.utils import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    serialize_keras_object,
)
