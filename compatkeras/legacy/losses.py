"""Keras 2 `keras.losses`: tf-keras's, with Keras 2.2.4's `cosine_proximity` (renamed
`cosine_similarity` later, with the opposite sign convention kept: -mean similarity), its
`deserialize` of a loss class that has `get_config` but no `from_config`, and its crossentropies
under the "keras-2.2" flavor (on clipped probabilities, never on the output layer's logits:
`compatkeras.legacy.backend.crossentropy`)."""

import tensorflow as _tf
import tf_keras.losses as _tf_keras_losses
from tf_keras.losses import *

from compatkeras.legacy.backend import crossentropy as _crossentropy


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    if _crossentropy.keras22_applies(label_smoothing):
        return _crossentropy.categorical_crossentropy(y_true, y_pred, from_logits, axis)
    return _tf_keras_losses.categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis
    )


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1, ignore_class=None):
    if _crossentropy.keras22_applies(ignore_class is not None):
        return _crossentropy.sparse_categorical_crossentropy(y_true, y_pred, from_logits, axis)
    return _tf_keras_losses.sparse_categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits, axis=axis, ignore_class=ignore_class
    )


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    if _crossentropy.keras22_applies(label_smoothing, axis != -1):
        return _tf.reduce_mean(_crossentropy.binary_crossentropy(y_true, y_pred, from_logits), -1)
    return _tf_keras_losses.binary_crossentropy(
        y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis
    )


def _categorical_224(y_true, y_pred):
    return _crossentropy.categorical_224(y_true, y_pred)


def _sparse_categorical_224(y_true, y_pred):
    return _crossentropy.sparse_categorical_224(y_true, y_pred)


def _binary_224(y_true, y_pred):
    return _tf.reduce_mean(_crossentropy.binary_224(y_true, y_pred), -1)


def _hinge_224(y_true, y_pred):
    """Keras 2.2.4's hinge: the labels as given (tf-keras turns 0/1 labels into -1/1)."""
    y_true = _tf.cast(y_true, y_pred.dtype)
    return _tf.reduce_mean(_tf.maximum(1.0 - y_true * y_pred, 0.0), -1)


def _squared_hinge_224(y_true, y_pred):
    y_true = _tf.cast(y_true, y_pred.dtype)
    return _tf.reduce_mean(_tf.square(_tf.maximum(1.0 - y_true * y_pred, 0.0)), -1)


def _keras224(name, fn, *ours):
    """{tf-keras's function `name` and ours of that name: 2.2.4's `fn`}."""
    fn.__name__ = name
    return dict.fromkeys((getattr(_tf_keras_losses, name), *ours), fn)


# What a model compiled under the "keras-2.2" flavor computes for these losses, given by name
# or as tf-keras's or this module's functions: Keras 2.2.4's, whatever the flavor at run time
# (the crossentropies on clipped probabilities; the hinges on the labels as given).
KERAS_2_2_LOSSES = {
    **_keras224("categorical_crossentropy", _categorical_224, categorical_crossentropy),
    **_keras224(
        "sparse_categorical_crossentropy", _sparse_categorical_224, sparse_categorical_crossentropy
    ),
    **_keras224("binary_crossentropy", _binary_224, binary_crossentropy),
    **_keras224("hinge", _hinge_224),
    **_keras224("squared_hinge", _squared_hinge_224),
}


def cosine_proximity(y_true, y_pred):
    """Keras 2.2.4: minus the cosine similarity of `y_true` and `y_pred` along the last axis."""
    y_true = _tf.math.l2_normalize(_tf.cast(y_true, y_pred.dtype), axis=-1)
    y_pred = _tf.math.l2_normalize(y_pred, axis=-1)
    return -_tf.reduce_sum(y_true * y_pred, axis=-1)


cosine = cosine_proximity


def _rebuilt_without_from_config(config, custom_objects):
    """Keras 2.2.4 rebuilt a registered class that has no `from_config` as `cls(**config)`
    (a loss class with only `get_config`); tf-keras refuses. None when that does not apply."""
    from tf_keras.src.saving import object_registration

    if not (isinstance(config, dict) and "class_name" in config):
        return None
    cls = object_registration.get_registered_object(config["class_name"], custom_objects)
    if not isinstance(cls, type) or hasattr(cls, "from_config"):
        return None
    return cls(**config.get("config", {}))


def deserialize(name, custom_objects=None, use_legacy_format=False):
    rebuilt = _rebuilt_without_from_config(name, custom_objects)
    if rebuilt is not None:
        return rebuilt
    return _tf_keras_losses.deserialize(
        name, custom_objects=custom_objects, use_legacy_format=use_legacy_format
    )


deserialize.__doc__ = _tf_keras_losses.deserialize.__doc__


def get(identifier):
    if isinstance(identifier, dict):
        return deserialize(identifier)
    return _tf_keras_losses.get(identifier)


get.__doc__ = _tf_keras_losses.get.__doc__
