"""Keras 2 `keras.losses`: tf-keras's, with Keras 2.2.4's `cosine_proximity` (renamed
`cosine_similarity` later, with the opposite sign convention kept: -mean similarity), and its
`deserialize` of a loss class that has `get_config` but no `from_config`."""

import tensorflow as _tf
import tf_keras.losses as _tf_keras_losses
from tf_keras.losses import *


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
