"""Keras 3's `keras.saving`; `load_model` gives the models of `compatkeras.v3`."""

from keras.saving import (
    CustomObjectScope,
    KerasFileEditor,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    load_weights,
    register_keras_serializable,
    save_model,
    save_weights,
    serialize_keras_object,
)

from compatkeras.v3.keras3_models import load_model

__all__ = [
    "CustomObjectScope",
    "KerasFileEditor",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]
