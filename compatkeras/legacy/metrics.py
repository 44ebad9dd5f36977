"""Keras 2 `keras.metrics`: tf-keras's, with Keras 2.2.4's `cosine_proximity`, its
`serialize`/`deserialize` of plain functions (by name), and, under the "keras-2.2" flavor, its
top-k accuracies, which returned the batch mean rather than one value per sample."""

import tensorflow as _tf
import tf_keras as _tf_keras
from tf_keras.metrics import *

from compatkeras.legacy import flavors as _flavors
from compatkeras.legacy.losses import cosine, cosine_proximity


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    if not _flavors.is_keras22():
        return _tf_keras.metrics.top_k_categorical_accuracy(y_true, y_pred, k)
    hits = _tf.math.in_top_k(_tf.argmax(y_true, axis=-1), y_pred, k)
    return _tf.reduce_mean(_tf.cast(hits, "float32"), axis=-1)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    if not _flavors.is_keras22():
        return _tf_keras.metrics.sparse_top_k_categorical_accuracy(y_true, y_pred, k)
    labels = _tf.cast(_tf.reshape(y_true, [-1]), "int32")  # (n,) or (n, 1) targets
    hits = _tf.math.in_top_k(labels, y_pred, k)
    return _tf.reduce_mean(_tf.cast(hits, "float32"), axis=-1)


def serialize(metric):
    """Keras 2.2.4: a plain function (anything with `__name__` and no `get_config`) by name."""
    if not hasattr(metric, "get_config") and hasattr(metric, "__name__"):
        return metric.__name__
    return _tf_keras.metrics.serialize(metric)


def deserialize(config, custom_objects=None):
    if isinstance(config, str):
        found = (custom_objects or {}).get(config) or globals().get(config)
        if found is not None:
            return found
    return _tf_keras.metrics.deserialize(config, custom_objects=custom_objects)
