"""The compiled train, test and predict steps of one model under one `TrainingConfig`."""

import tensorflow as tf

from compatkeras.engine.losses import reduce_loss


def _as_list(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def _call(model, x, training):
    return model(x[0] if len(x) == 1 else x, training=training)


class PredictStep:
    """`predict(x)` as a `tf.function`; needs no compile (Keras 2 predicts uncompiled models)."""

    def __init__(self, model):
        self.model = model
        self.predict = tf.function(self._predict, reduce_retracing=True)

    def _predict(self, x):
        return _call(self.model, x, training=False)


class Steps:
    """`train(x, ys, ws)` and `test(x, ys, ws)` as `tf.function`s.

    `ys` and `ws` hold one entry per *fed* output (`OutputSpec.fed`), in output order; bound
    targets are read inside the step (a `tf.Variable` target is read at every call). Each step
    returns `[total loss, per-output losses..., per-batch metric values...]`; running metrics
    update `metric_state` instead (see `MetricState`).
    """

    def __init__(self, model, config, metric_state):
        self.model = model
        self.config = config
        self.metric_state = metric_state
        self.train = tf.function(self._train, reduce_retracing=True)
        self.test = tf.function(self._test, reduce_retracing=True)
        # The same steps, pulling their batch from a tf.data iterator inside the function.
        self.train_next = tf.function(lambda it: self._train(*next(it)))
        self.test_next = tf.function(lambda it: self._test(*next(it)))

    def _losses(self, x, ys, ws, training):
        predictions = _as_list(_call(self.model, x, training))
        total, output_losses, metric_values = 0.0, [], []
        fed = iter(zip(ys, ws, strict=True))
        metric_index = 0
        for output, y_pred in zip(self.config.outputs, predictions, strict=True):
            if output.loss is None:
                continue
            if output.target is not None:
                # Bound targets are unweighted, as in Keras 2 (no sample-weight placeholder).
                y_true, weights = tf.convert_to_tensor(output.target), None
            else:
                y_true, weights = next(fed)
            mask = getattr(y_pred, "_keras_mask", None)
            value = reduce_loss(output.loss(y_true, y_pred), weights, mask, self.config.loss_rule)
            total += output.loss_weight * value
            if output.loss_log_name:
                output_losses.append(value)
            for metric in output.metrics:
                value = self.metric_state.update(
                    metric_index, y_true, y_pred, weights if metric.weighted else None, mask
                )
                if value is not None:
                    metric_values.append(value)
                metric_index += 1
        if self.model.losses:
            total += tf.add_n(self.model.losses)
        return total, [total, *output_losses, *metric_values]

    def _train(self, x, ys, ws):
        with tf.GradientTape() as tape:
            total, logs = self._losses(x, ys, ws, training=True)
        variables = self.model.trainable_variables
        gradients = tape.gradient(total, variables)
        self.config.optimizer.apply_gradients(zip(gradients, variables, strict=True))
        return logs

    def _test(self, x, ys, ws):
        return self._losses(x, ys, ws, training=False)[1]
