"""A `Sequential` model compiled before it knows its input shape. Keras 2 allowed
`model = Sequential(); model.add(Dense(32)); model.compile(...); model.fit(x, y)`: the compile
arguments are kept, and the first call that brings data builds the model from that data's shape
and compiles it then."""

import numpy as np
import tf_keras


def unbuilt(model):
    return isinstance(model, tf_keras.Sequential) and getattr(model, "outputs", None) is None


def keep(model, args, kwargs):
    # Not through Keras's attribute tracking: the arguments are not part of the model.
    object.__setattr__(model, "_deferred_compile", (args, kwargs))


def pending(model):
    return "_deferred_compile" in vars(model)


def build_from(model, x):
    """Builds an unbuilt Sequential from the shape of `x` (arrays, a list of them or a dict),
    then runs the compile that was kept."""
    if x is None or not unbuilt(model):
        return
    first = x
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    if isinstance(first, dict):
        first = next(iter(first.values()))
    model.build((None, *np.shape(first)[1:]))
    kept = vars(model).pop("_deferred_compile", None)
    if kept is not None:
        args, kwargs = kept
        model.compile(*args, **kwargs)
