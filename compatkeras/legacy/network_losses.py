"""Keras 2's `layer.losses` / `model.losses`.

Weight regularization. Keras 2 code builds training functions from the graph,
`loss = K.mean(...) + sum(model.losses)` handed to `optimizer.get_updates` and `K.function`, and
Keras 2's regularization losses were graph tensors over the weights, so each step recomputed
them and their gradient reached the weights. tf-keras evaluates them when `losses` is read: at
the top level of a program that is a number, frozen into the function (silently no weight
decay). Read eagerly outside a `tf.GradientTape`, each regularization loss is therefore a
`DeferredLoss`: computed whenever TensorFlow converts it (a symbolic expression that uses it
recomputes it at every call, inside the step), and usable as a value (`float`, `numpy()`,
`K.eval`). Read under a tape or inside a `tf.function` (custom training loops, the engine's
step), losses are tf-keras's tensors, unchanged.

Activity regularization, under the "keras-2.2" flavor: a model lists the activity-
regularization losses of its own calls only.

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
import operator

import numpy as np
import tensorflow as tf
import tf_keras
from tensorflow.python.eager import record
from tf_keras.src.engine import base_layer_utils, functional

from compatkeras.legacy import flavors as flavor_lib

_MARK = "_keras2_loss_call"


def _operator(op, reflected=False):
    return lambda self, other: self._combine(other, op, reflected)


class DeferredLoss:
    """A regularization loss computed when it is used (see the module's docstring)."""

    def __init__(self, compute):
        self._compute = compute

    def value(self):
        return tf.convert_to_tensor(self._compute())

    def _combine(self, other, op, reflected=False):
        if isinstance(other, DeferredLoss):
            other_value = other.value
        elif isinstance(other, (int, float)):
            other_value = lambda: other  # noqa: E731
        else:
            return NotImplemented  # a tensor: its own operator converts this one
        if reflected:
            return DeferredLoss(lambda: op(other_value(), self.value()))
        return DeferredLoss(lambda: op(self.value(), other_value()))

    __add__ = _operator(operator.add)
    __radd__ = _operator(operator.add, reflected=True)
    __sub__ = _operator(operator.sub)
    __rsub__ = _operator(operator.sub, reflected=True)
    __mul__ = _operator(operator.mul)
    __rmul__ = _operator(operator.mul, reflected=True)
    __truediv__ = _operator(operator.truediv)

    def __neg__(self):
        return DeferredLoss(lambda: -self.value())

    def numpy(self):
        return self.value().numpy()

    def __float__(self):
        return float(self.numpy())

    def __array__(self, dtype=None, copy=None):
        value = np.asarray(self.numpy())
        return value if dtype is None else value.astype(dtype)

    @property
    def dtype(self):
        return self.value().dtype

    @property
    def shape(self):
        return self.value().shape

    def __repr__(self):
        return f"<DeferredLoss: {self.numpy()!r}, recomputed where it is used>"


def _convert(value, dtype=None, name=None, as_ref=False):
    return tf.convert_to_tensor(value._compute(), dtype=dtype, name=name)


def _deferred_losses(self):
    """tf-keras's `Layer.losses`, with each regularization loss a `DeferredLoss`."""
    collected = []
    for layer in self._flatten_layers():
        eager = layer._eager_losses
        if eager:
            if eager[0] is not base_layer_utils.REVIVED_LOSS_PLACEHOLDER:
                collected.extend(eager)
        else:
            collected.extend(layer._losses)
        for regularizer in layer._callable_losses:
            if regularizer() is not None:
                collected.append(DeferredLoss(regularizer))
    return collected


def _wrap_layer_losses(plain):
    def get(layer):
        if tf.executing_eagerly() and not record.could_possibly_record():
            return _deferred_losses(layer)
        return plain.fget(layer)

    get._keras2 = True
    return property(get)


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
        if not flavor_lib.is_keras22() or not model._is_graph_network:
            return losses
        return [loss for loss in losses if _owned(model, loss)]

    get._keras2 = True
    return property(get)


def install():
    layer = tf_keras.layers.Layer
    if getattr(layer._handle_activity_regularization, "_keras2", False):
        return
    tf.register_tensor_conversion_function(DeferredLoss, _convert)
    layer.losses = _wrap_layer_losses(layer.losses)
    layer._handle_activity_regularization = _wrap_activity_regularization(
        layer._handle_activity_regularization
    )
    layer._functional_construction_call = _wrap_construction_call(
        layer._functional_construction_call
    )
    functional.Functional.losses = _wrap_losses(layer.losses)
