"""Models that bring their own training step, on the Keras 2 surface.

tf.keras 2.2+ programs customise `fit` by overriding `train_step` / `test_step` /
`predict_step` (GANs, VAEs, custom losses), and subclass `Model` with a `call()` of their own.
Keras 2's step, built from `compile()`'s losses and metrics, cannot stand in for either: running
it would silently ignore the user's step. Such models get tf.keras 2.x's own behaviour instead:
tf-keras's `compile` and training methods run the model's steps exactly as tf.keras 2.x did
(their returned dicts become the logs; `compiled_loss`, `compiled_metrics` and `metrics` are
tf-keras's).

Interim: this is tf-keras's loop, not compatkeras's engine (the engine does not yet execute a
model's own step; issue 14), so engine features (Keras 2 worker enqueuers, `target_tensors`)
do not apply to these models.
"""

import functools

import tf_keras

_STEPS = ("train_step", "test_step", "predict_step")


def runs_own_steps(model):
    """Whether `model` overrides a step method, or is a subclassed (non-graph) model."""
    cls = type(model)
    if any(getattr(cls, name, None) is not getattr(tf_keras.Model, name) for name in _STEPS):
        return True
    if isinstance(model, tf_keras.Sequential):
        return False  # a Sequential without an input shape is not a graph network yet
    return not getattr(model, "_is_graph_network", False)


def tf_keras_when_own_steps(method):
    """`method` of the Keras 2 surface, or tf-keras's method of the same name for a model that
    runs its own steps."""
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if runs_own_steps(self):
            return getattr(tf_keras.Model, name)(self, *args, **kwargs)
        return method(self, *args, **kwargs)

    return wrapper
