"""Metric values: running means (tf.keras), stateful metric objects, or per-batch values
averaged by batch size (Keras 2.2.4)."""

import tensorflow as tf

from compatkeras.engine import config as cfg_lib
from compatkeras.engine.losses import _broadcast_like, reduce_loss


def _combined_weights(values, weights, mask):
    w = tf.ones_like(values) if weights is None else _broadcast_like(weights, values)
    if mask is not None:
        w = w * _broadcast_like(tf.cast(mask, values.dtype), values)
    return w


def _sum_on_read():
    """A running sum that each replica adds to on its own and that reads as the total (a plain
    variable outside a distribution strategy)."""
    return tf.Variable(
        0.0,
        trainable=False,
        dtype=tf.float64,
        synchronization=tf.VariableSynchronization.ON_READ,
        aggregation=tf.VariableAggregation.SUM,
    )


class MetricState:
    """Everything about a config's metrics that lives across batches.

    A metric is *running* when its epoch value is read at the end (tf.keras's `Mean`-style
    `sum(w*m*v) / sum(w*m)`, or a stateful metric object's `result()`), and *per-batch* when the
    step returns one value per batch that the trainer averages by batch size (Keras 2.2.4).
    """

    def __init__(self, config):
        self.specs = [m for o in config.outputs for m in o.metrics]
        self.running = [
            m.stateful is not None or config.metric_mode == cfg_lib.STATEFUL for m in self.specs
        ]
        self.totals = [_sum_on_read() for _ in self.specs]
        self.counts = [_sum_on_read() for _ in self.specs]
        self.model_metrics = list(config.model_metrics)

    def update(self, index, y_true, y_pred, weights, mask):
        """Called inside the step; returns the per-batch value, or None for running metrics."""
        spec = self.specs[index]
        if spec.stateful is not None:
            values = tf.cast(tf.ones_like(y_pred[..., 0]), y_pred.dtype)
            spec.stateful.update_state(
                y_true, y_pred, sample_weight=_combined_weights(values, weights, mask)
            )
            return None
        values = spec.fn(y_true, y_pred)
        if mask is not None and values.shape.rank == 0:
            # A metric that is already one number under a per-timestep mask (a masked accuracy
            # written with K.sum): Keras 2 and tf.keras weigh that number by the mask.
            values = tf.broadcast_to(values, tf.shape(mask))
        if not self.running[index]:
            return reduce_loss(values, weights, mask, cfg_lib.KERAS_2_2)
        values = tf.cast(values, tf.float64)
        w = _combined_weights(values, weights, mask)
        self.totals[index].assign_add(tf.reduce_sum(values * w))
        self.counts[index].assign_add(tf.reduce_sum(w))
        return None

    def results(self):
        """The running metrics' current values, in log order, then the model's own metrics."""
        out = []
        for spec, running, total, count in zip(
            self.specs, self.running, self.totals, self.counts, strict=True
        ):
            if not running:
                continue
            if spec.stateful is not None:
                out.append(float(spec.stateful.result()))
            else:
                out.append(float(total.numpy() / count.numpy()) if count.numpy() else 0.0)
        return out + [float(m.result()) for m in self.model_metrics]

    def reset(self):
        for v in (*self.totals, *self.counts):
            v.assign(0.0)
        for spec in self.specs:
            if spec.stateful is not None:
                spec.stateful.reset_state()
        for metric in self.model_metrics:
            metric.reset_state()
