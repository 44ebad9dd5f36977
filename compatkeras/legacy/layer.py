"""Keras 2's `Layer` base class and the graph attributes Keras 2 code reads.

`Layer` is tf-keras's, with what Keras 2.2.4 custom layers still do:
- `self.add_weight((n, m), 'kernel', ...)`: the shape first (keras 2.2.4's
  `legacy_add_weight_support`); tf-keras takes the name first and fails with "multiple values
  for argument 'name'";
- `self.trainable_weights = [...]` / `self.non_trainable_weights = [...]` in `build()`: the
  weights the layer reports and trains (tf-keras: "can't set attribute"). A variable moved to
  one list leaves the other, so a weight declared non-trainable is not trained;
- under "keras-2.2", a variable kept in an attribute is not a weight (only `add_weight` made
  weights);
- a `build()` that never sets `self.built` (Keras 2's `__call__` set it) builds once when a
  model is loaded.

`isinstance(x, Layer)` is true for every tf-keras layer, as it was for every Keras 2 layer.
"""

import functools

import tensorflow as tf
import tf_keras
from tf_keras.src.engine import base_layer as _base_layer

from compatkeras.legacy import flavors


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


def _holds_variables(value):
    if isinstance(value, tf.Variable):
        return True
    if isinstance(value, (list, tuple, dict)):
        return any(isinstance(v, tf.Variable) for v in tf.nest.flatten(value))
    return False


class Layer(tf_keras.layers.Layer, metaclass=_Keras2LayerType):
    __doc__ = tf_keras.layers.Layer.__doc__

    def add_weight(self, *args, **kwargs):
        args, kwargs = _legacy_weight_arguments(args, kwargs)
        return super().add_weight(*args, **kwargs)

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

    def __setattr__(self, name, value):
        """Under "keras-2.2", a variable kept in an attribute (`self.norm = K.variable(...)`)
        is not a weight: Keras 2.2.4 made weights only in `add_weight`, so such a variable was
        neither trained nor saved. tf-keras (and tf.keras 2.x) track it as a trainable weight,
        which would train it and shift `get_weights()`."""
        declared = name in ("trainable_weights", "non_trainable_weights")  # Keras 1 style
        if declared or not flavors.is_keras22() or not _holds_variables(value):
            return super().__setattr__(name, value)
        lists = ("_trainable_weights", "_non_trainable_weights")
        before = {id(w) for attr in lists for w in self.__dict__.get(attr, ())}
        super().__setattr__(name, value)
        for attr in lists:
            weights = self.__dict__.get(attr)
            if weights:
                weights[:] = [w for w in weights if id(w) in before]
        return None

    def build_from_config(self, config):
        """tf-keras builds a loaded model's layers before calling them, and leaves `built` to
        `build()` itself; Keras 2's `__call__` set it after `build()`, so Keras 2 layers often
        never do (keras-contrib's `Capsule` even sets `self.build = True`): set it here, as
        the call that follows would have, so `build()` runs once."""
        super().build_from_config(config)
        if config.get("input_shape") is not None:
            self.built = True

    def _set_weight_lists(self, weights, trainable):
        chosen = {id(w) for w in weights}
        own, other = ("_trainable_weights", "_non_trainable_weights")[:: 1 if trainable else -1]
        kept = [w for w in getattr(self, other) if id(w) not in chosen]
        object.__setattr__(self, other, kept)
        object.__setattr__(self, own, weights)


def _keras2_trainable(init):
    @functools.wraps(init)
    def __init__(self, trainable=True, name=None, dtype=None, dynamic=False, **kwargs):
        if not isinstance(trainable, (bool, tf.Tensor, tf.Variable)):
            trainable = bool(trainable)  # Keras 2 kept any value and read it as a truth value
        return init(self, trainable, name, dtype, dynamic, **kwargs)

    __init__._keras2 = True
    return __init__


def install():
    """Every layer (tf-keras's built-ins too) takes Keras 2's `trainable=` of any truth value:
    keras-bert passes its list of trainable name prefixes to each layer, then sets each layer's
    `trainable` to a bool; tf-keras raised "Expected `trainable` argument to be a boolean"."""
    if not getattr(_base_layer.Layer.__init__, "_keras2", False):
        _base_layer.Layer.__init__ = _keras2_trainable(_base_layer.Layer.__init__)
