"""Keras 2 `keras.models`: the legacy model classes and the model utilities."""

from tf_keras.models import clone_model, model_from_config, model_from_json, save_model

from compatkeras import engine
from compatkeras.legacy.saving import load_model
from compatkeras.legacy.training import LegacyTraining


class Model(LegacyTraining, engine.Model):
    """A Keras 2 model. Its training methods follow Keras 2 (signatures, defaults, names)."""

    @classmethod
    def from_v3(cls, model):
        """The same layers and weights as a Keras 2-style model (uncompiled: call `compile`)."""
        return engine.rebuild_as(cls, Sequential, model)


class Sequential(Model, engine.Sequential):
    """A Keras 2 `Sequential` model."""


def model_from_yaml(yaml_string, custom_objects=None):
    raise RuntimeError(
        "model_from_yaml was removed from TensorFlow 2.6 because YAML loading could run "
        "arbitrary code; save the architecture with model.to_json() and load it with "
        "model_from_json()."
    )
