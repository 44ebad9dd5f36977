"""Keras 2's `layer.updates` and `model.updates`.

Keras 2 layers that keep state (BatchNormalization's moving statistics) added update ops that a
session ran; `model.updates` listed those of its trainable layers (none when `trainable` is
False), and Keras 2 code reads them (`assert model.updates`, `len(model.updates)`) or hands them
to `K.function(..., updates=model.updates)`. TensorFlow 2 layers update their state themselves
when called in training mode, and tf-keras's `updates` is always empty. Here each such state
variable is a `StateUpdate`: `K.function` accepts them (it then keeps the state a training-mode
call leaves, instead of putting it back), and anything else that wants to run one is told why
it cannot.
"""

import warnings

import tensorflow as tf
import tf_keras

from compatkeras.legacy import graph

# Layer classes (by the name of a class in their MRO) -> the state variables their call updates.
_STATE = {"BatchNormalizationBase": ("moving_mean", "moving_variance")}


class StateUpdate:
    """One variable a layer updates when called in training mode (Keras 2: one update op)."""

    def __init__(self, layer, variable):
        self.layer, self.variable = layer, variable

    def __repr__(self):
        return f"<StateUpdate of {self.variable.name}, applied by {self.layer.name} in training>"


def _state_updates(layer):
    for cls in type(layer).__mro__:
        names = _STATE.get(cls.__name__)
        if names:
            found = [getattr(layer, name, None) for name in names]
            return [StateUpdate(layer, v) for v in found if v is not None]
    return []


def _active(layer):
    return layer.trainable or getattr(layer, "stateful", False)


def layer_updates(self):
    """Keras 2's `Layer.updates`: for a trainable (or stateful) layer, the updates its calls
    made (`add_update`), and its own state updates; for a model, those of its layers."""
    if not _active(self):
        return []
    found = []
    for layer in self._flatten_layers(include_self=True, recursive=True):
        if not _active(layer):
            continue
        found += graph.recorded(layer, "update")
        found += _state_updates(layer)
    return found


def split(updates):
    """(state updates, the others) of what `K.function(..., updates=...)` was given."""
    updates = list(updates or [])
    state = [u for u in updates if isinstance(u, StateUpdate)]
    return state, [u for u in updates if not isinstance(u, StateUpdate)]


_FROM_GET_UPDATES = (
    "returned by `get_updates`",
    "Build it inside `get_updates` to have it follow the variables.",
)
FROM_FUNCTION = (
    "passed to `K.function(updates=...)`",
    "Compute it from the function's inputs (a tensor of the Keras graph), or assign it with "
    "`K.set_value` after each call, to have it follow the variables.",
)


def assign_pairs(updates, where=_FROM_GET_UPDATES):
    """Assigns each `(variable, value)` pair of a Keras 2 update list; ops are already part of
    the step. A value computed before training (an eager tensor, e.g. keras-rl's soft target
    updates built at compile time) is the same at every step: Keras 2 recomputed it from the
    variables, TensorFlow 2 cannot, so it is assigned as it is, with a warning naming the
    variable. `where`: (where the pair came from, what to do instead), for that warning."""
    for update in updates or ():
        if not (isinstance(update, (tuple, list)) and len(update) == 2):
            continue
        variable, value = update
        if not isinstance(variable, tf.Variable):
            continue
        if isinstance(value, tf.Tensor) and not tf.is_symbolic_tensor(value):
            warnings.warn(
                f"The update of `{variable.name}` {where[0]} was computed before training, so "
                "every step assigns that same value (Keras 2 recomputed it from the variables "
                f"at each step). {where[1]}",
                stacklevel=3,
            )
        variable.assign(tf.cast(value, variable.dtype))


def install():
    layer = tf_keras.layers.Layer
    current = vars(layer).get("updates")
    if current is not None and getattr(current.fget, "_keras2", False):
        return
    prop = property(layer_updates)
    prop.fget._keras2 = True
    layer.updates = prop
