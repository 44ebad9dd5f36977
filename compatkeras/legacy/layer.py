"""Keras 2's `Layer` base class and the graph attributes Keras 2 code reads.

`Layer` is tf-keras's, with what Keras 2.2.4 custom layers still do:
- `self.add_weight((n, m), 'kernel', ...)`: the shape first (keras 2.2.4's
  `legacy_add_weight_support`); tf-keras takes the name first and fails with "multiple values
  for argument 'name'";
- `self.trainable_weights = [...]` / `self.non_trainable_weights = [...]` in `build()`: the
  weights the layer reports and trains (tf-keras: "can't set attribute"). A variable moved to
  one list leaves the other, so a weight declared non-trainable is not trained.

`isinstance(x, Layer)` is true for every tf-keras layer, as it was for every Keras 2 layer.

`install_graph_attributes()` gives tf-keras's symbolic tensors Keras 2's `_keras_shape`, and its
`Node`s `input_masks`, `output_masks`, `node_indices` and `tensor_indices`.
"""

import tensorflow as tf
import tf_keras
from tf_keras.src.engine import keras_tensor
from tf_keras.src.engine import node as node_module


class _Keras2LayerType(type):
    def __instancecheck__(cls, instance):
        if cls is Layer:
            return isinstance(instance, tf_keras.layers.Layer)
        return super().__instancecheck__(instance)

    def __subclasscheck__(cls, subclass):
        if cls is Layer:
            return issubclass(subclass, tf_keras.layers.Layer)
        return super().__subclasscheck__(subclass)


def _legacy_weight_arguments(args, kwargs):
    """keras 2.2.4: `add_weight(shape, name, ...)` when the first argument is a shape."""
    if args and isinstance(args[0], (tuple, list)):
        kwargs = dict(kwargs, shape=tuple(args[0]))
        args = args[1:]
        if args and isinstance(args[0], str):
            kwargs["name"] = args[0]
            args = args[1:]
    return args, kwargs  # keras 2.2.4 converted this form without a warning


class Layer(tf_keras.layers.Layer, metaclass=_Keras2LayerType):
    __doc__ = tf_keras.layers.Layer.__doc__

    def add_weight(self, *args, **kwargs):
        args, kwargs = _legacy_weight_arguments(args, kwargs)
        return super().add_weight(*args, **kwargs)

    def add_update(self, updates, inputs=None):
        """Keras 2.2.4's `add_update(updates, inputs)`: `inputs` made an update conditional
        on the inputs of a graph; eager TensorFlow has already run the update."""
        return super().add_update(updates)

    @property
    def trainable_weights(self):
        return super().trainable_weights

    @trainable_weights.setter
    def trainable_weights(self, weights):
        self._set_weight_lists(list(weights), trainable=True)

    @property
    def non_trainable_weights(self):
        return super().non_trainable_weights

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights):
        self._set_weight_lists(list(weights), trainable=False)

    def _set_weight_lists(self, weights, trainable):
        chosen = {id(w) for w in weights}
        own, other = ("_trainable_weights", "_non_trainable_weights")[:: 1 if trainable else -1]
        kept = [w for w in getattr(self, other) if id(w) not in chosen]
        object.__setattr__(self, other, kept)
        object.__setattr__(self, own, weights)


def _node_masks(tensors):
    return [getattr(t, "_keras_mask", None) for t in tf.nest.flatten(tensors)]


def install_graph_attributes():
    """Keras 2 attribute names on tf-keras's graph objects (read-only views of what tf-keras
    keeps under other names). Adds attributes only; nothing tf-keras has is replaced."""
    additions = {
        keras_tensor.KerasTensor: {
            "_keras_shape": property(lambda t: tuple(t.shape)),
        },
        node_module.Node: {
            "input_masks": property(lambda n: _node_masks(n.input_tensors)),
            "output_masks": property(lambda n: _node_masks(n.output_tensors)),
            "node_indices": property(lambda n: [i[1] for i in _history(n)]),
            "tensor_indices": property(lambda n: [i[2] for i in _history(n)]),
        },
    }
    for cls, attributes in additions.items():
        for name, value in attributes.items():
            if not hasattr(cls, name):
                setattr(cls, name, value)


def _history(node):
    return [t._keras_history for t in node.keras_inputs]
