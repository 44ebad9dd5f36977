"""Keras 2 `keras.losses`: tf-keras's, with Keras 2.2.4's `cosine_proximity` (renamed
`cosine_similarity` later, with the opposite sign convention kept: -mean similarity)."""

import tensorflow as _tf
from tf_keras.losses import *


def cosine_proximity(y_true, y_pred):
    """Keras 2.2.4: minus the cosine similarity of `y_true` and `y_pred` along the last axis."""
    y_true = _tf.math.l2_normalize(_tf.cast(y_true, y_pred.dtype), axis=-1)
    y_pred = _tf.math.l2_normalize(y_pred, axis=-1)
    return -_tf.reduce_sum(y_true * y_pred, axis=-1)


cosine = cosine_proximity
