"""Keras 2's hand-written training functions, in eager TensorFlow 2:

    updates = Adam(1e-4).get_updates(loss=loss, params=critic.trainable_weights)
    train = K.function([real, noise], [loss_real, loss_fake], updates)
    train([x, z])

(WGAN-GP, keras-rl's DDPG actor, adversarial training: any loss that `compile` cannot
express). In Keras 2, `get_updates` built update ops in the session's graph and `K.function`
ran them with its outputs. Here `get_updates` given a loss of the Keras graph (a symbolic
tensor) returns one `GraphStep` that keeps the loss, the variables and how the optimizer
applies its update; `K.function` builds a sub-model from its inputs to its outputs and the
steps' losses, and runs it and the updates in one `tf.function`: the outputs are computed with
the variables as they were before the update, as Keras 2's session fetched them.
"""

import tensorflow as tf
import tf_keras
from tf_keras.src.engine import keras_tensor


class GraphStep:
    """One optimizer update on a loss of the Keras graph, run by `K.function`.

    `apply(loss, params)` runs the optimizer's update for a loss tensor inside a
    `tf.function` (the optimizer's own `get_updates`, which takes symbolic gradients there)."""

    def __init__(self, optimizer, loss, params, apply):
        self.optimizer, self.loss, self.params = optimizer, loss, list(params)
        self.apply = apply

    def __repr__(self):
        return (
            f"<GraphStep: {type(self.optimizer).__name__} on {len(self.params)} variables, "
            "run by K.function>"
        )


def is_graph_loss(loss):
    """Whether `loss` is a tensor of the Keras graph (built from `Input`s), not a value."""
    return isinstance(loss, keras_tensor.KerasTensor)


def split(updates):
    """(graph steps, the others) of what `K.function(..., updates=...)` was given."""
    steps = [u for u in updates if isinstance(u, GraphStep)]
    return steps, [u for u in updates if not isinstance(u, GraphStep)]


def training_function(graph_inputs, outputs, steps):
    """`fn(fed, training)` -> output values: the sub-model from `graph_inputs` to `outputs` and
    the steps' losses, then each step's update, in one `tf.function`."""
    model = tf_keras.Model(graph_inputs, [*outputs, *(s.loss for s in steps)])
    count = len(outputs)

    @tf.function(reduce_retracing=True)
    def run(fed, training):
        values = model(fed, training=training)
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        for step, loss in zip(steps, values[count:], strict=True):
            step.apply(loss, step.params)
        return values[:count]

    def call(fed, training):
        return run(fed, training)

    call.model = model
    return call
