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


def unpack_singleton(x):
    """Keras 2.2.4: the only element of a one-element list, else the list itself."""
    if len(x) == 1:
        return x[0]
    return x
