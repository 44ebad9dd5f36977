"""Keras 3 `keras.models`: the v3 model classes, and moving a model between the surfaces."""

from tf_keras.models import clone_model, model_from_json  # noqa: F401

from compatkeras import engine
from compatkeras.v3.training import V3Training


class Model(V3Training, engine.Model):
    """A Keras 3-style model. Its training methods follow Keras 3 (signatures, defaults, names)
    and run on compatkeras's engine."""

    @classmethod
    def from_legacy(cls, model):
        """The same layers and weights as a Keras 3-style model (uncompiled: call `compile`)."""
        return engine.rebuild_as(cls, Sequential, model)


class Sequential(Model, engine.Sequential):
    """A Keras 3-style `Sequential` model."""
