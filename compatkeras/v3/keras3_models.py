"""Keras 3's `Model` and `Sequential` with the engine's training methods (`Keras3Training`), and
loading `.keras` files into them: the classes `compatkeras.v3` is to export (the Keras 3 surface
issue, slice 2), built beside today's tf-keras-based ones.

`Model(inputs, outputs)` gives a functional model, as Keras 3's does. Keras 3 makes one by
rewriting the `__bases__` of the subclass it is called on (`inject_functional_model_class`),
which would turn this `Model` class, and every later subclass of it, into a functional one.
Instead the instance alone is made of a cached `(cls, Functional)` subclass, and no class is
changed.
"""

import keras
from keras.src.models import functional as k3_functional
from keras.src.models import model as k3_model
from keras.src.trainers import trainer as k3_trainer

from compatkeras.v3 import convert
from compatkeras.v3.keras3_training import Keras3Training

_variants = {}


def _functional_variant(cls):
    variant = _variants.get(cls)
    if variant is None:
        namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
        variant = _variants[cls] = type(cls.__name__, (cls, k3_functional.Functional), namespace)
    return variant


class Model(Keras3Training, keras.Model):
    """Keras 3's `keras.Model`, trained on compatkeras's engine."""

    def __new__(cls, *args, **kwargs):
        if k3_model.functional_init_arguments(args, kwargs) and not issubclass(
            cls, k3_functional.Functional
        ):
            cls = _functional_variant(cls)
        return keras.Model.__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        if isinstance(self, k3_functional.Functional) and (
            k3_model.functional_init_arguments(args, kwargs) or type(self) in _variants.values()
        ):
            # keras.Model.__init__'s functional branch, without its class rewriting.
            k3_trainer.Trainer.__init__(self)
            k3_functional.Functional.__init__(self, *args, **kwargs)
        else:  # Keras 3's Model, or its Sequential for the subclass below
            super().__init__(*args, **kwargs)

    @classmethod
    def from_legacy(cls, model):
        """A functional or Sequential model of the Keras 2 surface (tf-keras) rebuilt from
        Keras 3 layers with the same weights (uncompiled: call `compile`). A layer without a
        Keras 3 equivalent is a ValueError naming it."""
        return convert.convert(model, convert.KERAS3, cls, Sequential)


class Sequential(Model, keras.Sequential):
    """Keras 3's `keras.Sequential`, trained on compatkeras's engine (a `Model` of this surface,
    as Keras 3's `Sequential` is a `keras.Model`)."""


def classes():
    """What `.keras` files name, mapped to these classes (`custom_objects` for Keras 3's
    loader)."""
    return {
        "Model": Model,
        "Functional": _functional_variant(Model),
        "Sequential": Sequential,
    }


def adopt(model):
    """`model` as an instance of these classes when it is one of Keras 3's own `Model`,
    functional model or `Sequential` (they add methods only, no state); other classes (a
    user's subclass) are left as they are."""
    ours = {
        keras.Sequential: Sequential,
        k3_functional.Functional: _functional_variant(Model),
        keras.Model: Model,
    }.get(type(model))
    if ours is not None:
        object.__setattr__(model, "__class__", ours)
    return model


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """`keras.saving.load_model`, giving these classes for Keras 3's own `Model`, functional
    models and `Sequential`, whether this surface or stock Keras 3 saved them (a user's
    registered classes and `custom_objects` come first)."""
    objects = {**classes(), **(custom_objects or {})}
    model = keras.saving.load_model(
        filepath, custom_objects=objects, compile=compile, safe_mode=safe_mode
    )
    return adopt(model)
