"""Keras 2's backend variables: tf-keras's, with TF1's augmented assignment.

Keras 2 programs build a loss by accumulating into a variable: `loss = K.variable(0.)`, then
`loss += weight * content_loss(...)` (Keras 2.2.4's own neural style transfer and deep dream
examples). In TF1 `variable += x` made a new tensor, `variable + x`; TensorFlow 2's variables
raise RuntimeError there instead. The variables these functions return keep TF1's meaning:
`+=`, `-=`, `*=`, `/=` give the new value as a tensor (symbolic when `x` is) and leave the
variable as it was; `K.update_add` and `assign_add` still change it in place.
"""

import contextlib

import tensorflow as tf
from tensorflow.python.ops import resource_variable_ops
from tf_keras import backend as _K
from tf_keras.src.engine import base_layer_utils

from compatkeras.legacy import graph_mode


class Keras2Variable(resource_variable_ops.ResourceVariable):
    """A variable made by `K.variable` and its kin (only the class changes: it is created by
    tf-keras's function, under any distribution scope, then given TF1's `+=`)."""

    def __iadd__(self, other):
        return self + other

    def __isub__(self, other):
        return self - other

    def __imul__(self, other):
        return self * other

    def __itruediv__(self, other):
        return self / other


def _keras2(value):
    # Only plain resource variables: a strategy's mirrored variable keeps its own class.
    if type(value) is resource_variable_ops.ResourceVariable:
        value.__class__ = Keras2Variable
    return value


def _direct(next_creator, **kwargs):
    return resource_variable_ops.default_variable_creator_v2(None, **kwargs)


def _in_traced_call():
    """Keras 2 ran a layer's `call` once, building the graph, so a variable made there
    (`K.variable(mask)` in keras-rl's NAF layer) was made once; here `call` runs at each trace
    of a step, and a `tf.function` refuses variables made after its first trace."""
    return (
        tf.inside_function()
        and base_layer_utils.call_context().in_call
        and not tf.distribute.has_strategy()
    )


@contextlib.contextmanager
def _made_eagerly():
    """In a layer's traced call, the variable is made eagerly, outside the function (one per
    trace, holding the value it was given: what a Keras 2 graph variable read until assigned),
    past `tf.function`'s check; elsewhere as tf-keras makes it."""
    if not _in_traced_call():
        yield
        return
    with tf.init_scope(), tf.variable_creator_scope(_direct):
        yield


@graph_mode.or_tf_keras
def variable(value, dtype=None, name=None, constraint=None):
    with _made_eagerly():
        return _keras2(_K.variable(value, dtype=dtype, name=name, constraint=constraint))


@graph_mode.or_tf_keras
def zeros(shape, dtype=None, name=None):
    with _made_eagerly():
        return _keras2(_K.zeros(shape, dtype=dtype, name=name))


@graph_mode.or_tf_keras
def ones(shape, dtype=None, name=None):
    with _made_eagerly():
        return _keras2(_K.ones(shape, dtype=dtype, name=name))
