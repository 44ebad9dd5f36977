"""Per-output weighted, masked loss values, under either rule of `config.LOSS_RULES`."""

import tensorflow as tf

from compatkeras.engine import config


def _broadcast_like(weights, values):
    """Sample weights (B,) or (B, T) brought to the rank of `values` (B,) / (B, T, ...)."""
    weights = tf.cast(weights, values.dtype)
    while weights.shape.rank < values.shape.rank:
        weights = tf.expand_dims(weights, -1)
    return tf.broadcast_to(weights, tf.shape(values))


def prepare(config, y_true, y_pred):
    """(y_true, y_pred, mask) as a `TrainingConfig`'s losses and metrics read them: the mask the
    prediction carries, a half-precision prediction in float32 (mixed precision: losses and
    metrics in float32, as Keras 3 computes them), targets cast to the prediction's dtype when
    the config asks (Keras 2's floatx target placeholders)."""
    mask = getattr(y_pred, "_keras_mask", None)
    if y_pred.dtype in (tf.float16, tf.bfloat16):
        y_pred = tf.cast(y_pred, tf.float32)
    if config.cast_targets and y_true.dtype != y_pred.dtype:
        y_true = tf.cast(y_true, y_pred.dtype)
    return y_true, y_pred, mask


def reduce_loss(values, weights, mask, rule):
    """One number from per-sample/timestep loss `values`, `weights` (or None) and `mask` (or None)."""
    values = tf.convert_to_tensor(values)
    if values.shape.rank == 0 and weights is not None:
        # A loss that is already one number (a model that outputs its own loss, `lambda y_true,
        # y_pred: y_pred`): every sample carries it, as Keras 2's broadcasting gave.
        values = tf.broadcast_to(values, tf.shape(weights))
    if mask is not None:
        mask = tf.cast(mask, values.dtype)
    if rule == config.TF_KERAS:
        if weights is None and mask is None:
            return tf.reduce_mean(values)
        w = tf.ones_like(values) if weights is None else _broadcast_like(weights, values)
        if mask is not None:
            w = w * _broadcast_like(mask, values)
            return tf.math.divide_no_nan(
                tf.reduce_sum(values * w), tf.reduce_sum(_broadcast_like(mask, values))
            )
        return tf.reduce_sum(values * w) / tf.cast(tf.size(values), values.dtype)
    # Keras 2.2.4 `weighted_masked_objective`, step by step (its quirks are the point).
    if mask is not None:
        values = values * mask
        values = values / tf.reduce_mean(mask)
    if weights is not None:
        weights = tf.cast(weights, values.dtype)
        extra_axes = list(range(weights.shape.rank, values.shape.rank))
        if extra_axes:
            values = tf.reduce_mean(values, axis=extra_axes)
        values = values * weights
        values = values / tf.reduce_mean(tf.cast(tf.not_equal(weights, 0), values.dtype))
    return tf.reduce_mean(values)
