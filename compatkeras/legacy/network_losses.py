"""Keras 2.2.4's `model.losses`: a model lists the activity-regularization losses of its own
calls only.

In Keras 2 an activity regularizer's loss was conditional on the inputs of the call that made
it, and a model listed the conditional losses of the layer calls (nodes) that belong to its
graph, plus every unconditional one (weight regularizers, `add_loss` without inputs). A
`Sequential` built on its own input and then called on a new `Input` inside a second model
gives each model one such loss. tf-keras lists every symbolic loss the layers ever made, so
both list two, and a loss made on another model's input cannot be computed from this model's
inputs (`K.function(model.inputs, [sum(model.losses)])` fails as disconnected).

Under the "keras-2.2" flavor, each loss an activity regularizer makes while a model is being
built is marked with the call (layer and node index) it belongs to, and a model's `losses`
leaves out those of calls that are not part of its graph. Losses made while training (eager or
in a step) are not marked and pass unchanged.
"""

import functools

import tensorflow as tf
import tf_keras
from tf_keras.src.engine import functional

from compatkeras.legacy import flavors as flavor_lib

_MARK = "_keras2_loss_call"


def _wrap_activity_regularization(handle):
    @functools.wraps(handle)
    def wrapper(self, inputs, outputs):
        before = len(self._losses)
        result = handle(self, inputs, outputs)
        for loss in self._losses[before:]:
            if tf.is_tensor(loss) and hasattr(loss, "__dict__"):
                loss.__dict__[_MARK] = None  # conditional; its call is set below
        return result

    wrapper._keras2 = True
    return wrapper


def _wrap_construction_call(construct):
    """The outermost call on symbolic tensors owns the conditional losses it made (a model
    called on a new `Input` runs its layers without making nodes for them)."""

    @functools.wraps(construct)
    def wrapper(self, *args, **kwargs):
        layers = list(self._flatten_layers(include_self=True, recursive=True))
        before = {id(layer): len(layer._losses) for layer in layers}
        result = construct(self, *args, **kwargs)
        node_index = len(self._inbound_nodes) - 1
        for layer in layers:
            for loss in layer._losses[before[id(layer)] :]:
                marks = getattr(loss, "__dict__", {})
                if _MARK in marks and marks[_MARK] is None:
                    marks[_MARK] = functional._make_node_key(self.name, node_index)
        return result

    wrapper._keras2 = True
    return wrapper


def _owned(model, loss):
    key = getattr(loss, "__dict__", {}).get(_MARK)
    return key is None or key in model._network_nodes


def _wrap_losses(plain):
    def get(model):
        losses = plain.fget(model)
        if flavor_lib.get_flavor() != flavor_lib.KERAS_2_2 or not model._is_graph_network:
            return losses
        return [loss for loss in losses if _owned(model, loss)]

    get._keras2 = True
    return property(get)


def install():
    layer = tf_keras.layers.Layer
    if getattr(layer._handle_activity_regularization, "_keras2", False):
        return
    layer._handle_activity_regularization = _wrap_activity_regularization(
        layer._handle_activity_regularization
    )
    layer._functional_construction_call = _wrap_construction_call(
        layer._functional_construction_call
    )
    functional.Functional.losses = _wrap_losses(layer.losses)
