"""Keras 2's `Layer` base class and the graph attributes Keras 2 code reads.

`Layer` is tf-keras's, with what Keras 2.2.4 custom layers still do:
- `self.add_weight((n, m), 'kernel', ...)`: the shape first (keras 2.2.4's
  `legacy_add_weight_support`); tf-keras takes the name first and fails with "multiple values
  for argument 'name'";
- `self.trainable_weights = [...]` / `self.non_trainable_weights = [...]` in `build()`: the
  weights the layer reports and trains (tf-keras: "can't set attribute"). A variable moved to
  one list leaves the other, so a weight declared non-trainable is not trained;
- a `build()` that never sets `self.built` (Keras 2's `__call__` set it) builds once when a
  model is loaded.

`isinstance(x, Layer)` is true for every tf-keras layer, as it was for every Keras 2 layer.
"""

import tf_keras


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
