"""Keras 2 models in a program that turned eager execution off.

tf.keras 2.x programs that mix Keras with TensorFlow 1 code (placeholders, `Session.run`, SHAP,
older detection code) call `tf.compat.v1.disable_eager_execution()` first. tf.keras 2.x then ran
every model on its graph engine (`training_v1`, the anchor the tf.keras flavor reproduces), and
that engine is still in tf-keras. compatkeras's engine runs `tf.function`s and needs eager
execution, so in graph mode a Keras 2 model is tf-keras's own: `Model`/`Sequential` are built as
tf-keras's classes, and a user's subclass gets tf-keras's class in place of ours among its bases
(what tf-keras itself does to pick its v1 engine). The program sees tf.keras 2.x's numbers, with
one warning that says so; the keras-2.2 flavor's rules and compatkeras's deviations do not apply.
"""

import functools
import warnings

import tensorflow as tf
import tf_keras
from tf_keras.src import backend as tf_keras_backend

_warned = []


def active():
    """Whether eager execution was turned off for the program (not inside one `tf.function`)."""
    return not tf.compat.v1.executing_eagerly_outside_functions()


def _warn_once():
    if _warned:
        return
    _warned.append(True)
    from compatkeras.legacy import flavors

    rules = (
        " The keras-2.2 flavor's loss and metric rules do not apply there."
        if flavors.get_flavor() == flavors.KERAS_2_2
        else ""
    )
    warnings.warn(
        "Eager execution is disabled (tf.compat.v1.disable_eager_execution): Keras 2 models run "
        "on tf-keras's graph engine, as tf.keras 2.x ran them, not on compatkeras's engine."
        f"{rules} Remove the call to run them on compatkeras's engine (K.function, K.gradients "
        "and K.get_session work with eager execution on).",
        stacklevel=4,
    )


class ModelType(type):
    """The metaclass of compatkeras's `Model` and `Sequential`: in graph mode a model they build
    is tf-keras's, and `isinstance(model, keras.Model)` still holds for it."""

    def __instancecheck__(cls, instance):
        if super().__instancecheck__(instance):
            return True
        twin = cls.__dict__.get("_graph_mode_class")
        return twin is not None and isinstance(instance, twin) and active()


def _swap_bases(cls, ours):
    """Replace our classes by tf-keras's among the bases of `cls` and of its ancestors."""
    if cls in ours or cls is object:
        return
    bases = tuple(ours.get(base, base) for base in cls.__bases__)
    if bases != cls.__bases__:
        cls.__bases__ = bases
    for base in cls.__bases__:
        if base not in ours.values():
            _swap_bases(base, ours)


def new_model(cls, ours, args, kwargs):
    """A model of class `cls` on tf-keras's graph engine. `ours` maps compatkeras's model
    classes to tf-keras's. For compatkeras's own classes the model is built whole (the caller's
    `__init__` does not run on it); for a subclass, an uninitialised instance."""
    _warn_once()
    if cls in ours:
        return ours[cls](*args, **kwargs)
    _swap_bases(cls, ours)
    return tf_keras.Model.__new__(cls, *args, **kwargs)


def or_tf_keras(function):
    """`function` of the Keras 2 backend, or tf-keras's backend function of the same name when
    eager execution is off (sessions, placeholders and graph variables are real there)."""
    theirs = getattr(tf_keras_backend, function.__name__)  # with TF1's get_session

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if active():
            return theirs(*args, **kwargs)
        return function(*args, **kwargs)

    return wrapper
